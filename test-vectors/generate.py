#!/usr/bin/python3
"""PyTorch reference-value generator for Brink.

Writes (next to this script):
  ops.json            per-op cases: output, VJP (grads), and second-order
                      reverse-over-reverse values (grad_grads)
  small_convnet.json  a tiny eval-mode conv net: loss, gradients, HVP,
                      input Jacobian rows and a double-backprop penalty

Run with Debian's interpreter (the one that has python3-torch):
    /usr/bin/python3 test-vectors/generate.py [--check]

--check additionally verifies every differentiable case against central
finite differences (directional derivatives of L and of S) and prints the
worst relative errors; nothing extra is written.

Everything is float64 (except the cast cases' float32 tensors), single-threaded,
deterministic (torch.manual_seed per case, seed derived from the case name with crc32). See README.md for the
format.
"""

import json
import os
import sys
import warnings
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)
warnings.filterwarnings("ignore")

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
GENERATOR = "test-vectors/generate.py"
CHECK = "--check" in sys.argv[1:]


# ----------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------

def T(t, name=None):
    """Tensor -> {"dtype","shape","data"} (flat row-major, full precision)."""
    t = t.detach().clone().contiguous()
    if t.dtype == torch.float64:
        dtype = "float64"
        data = [float(v) for v in t.reshape(-1).tolist()]
    elif t.dtype == torch.float32:  # only the cast cases; each value is exact as a double
        dtype = "float32"
        data = [float(v) for v in t.reshape(-1).tolist()]
    elif t.dtype == torch.int64:
        dtype = "int64"
        data = [int(v) for v in t.reshape(-1).tolist()]
    else:
        raise TypeError(f"unexpected dtype {t.dtype}")
    d = {}
    if name is not None:
        d["name"] = name
    d["dtype"] = dtype
    d["shape"] = list(t.shape)
    d["data"] = data
    return d


def seed_for(name):
    s = zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF
    torch.manual_seed(s)
    return s


def rn(*shape):
    return torch.randn(shape)


def pos(*shape):
    """Positive values in [0.5, 1.5)."""
    return 0.5 + torch.rand(shape)


def away(t, eps=0.05, push=0.1):
    """Push values with |t| < eps away from zero (keeps their sign)."""
    shift = torch.where(t >= 0, torch.full_like(t, push), torch.full_like(t, -push))
    return torch.where(t.abs() < eps, t + shift, t)


def signed_pos(*shape):
    """Values with |v| in [0.5, 1.5) and random sign."""
    s = torch.where(torch.rand(shape) < 0.5, -1.0, 1.0)
    return s * pos(*shape)


def distinct_pair(shape_a, shape_b, gap=0.05):
    """randn a, b with |a-b| >= gap everywhere after broadcasting (no ties)."""
    while True:
        a, b = torch.randn(shape_a), torch.randn(shape_b)
        if (a - b).abs().min().item() >= gap:
            return a, b


CASES = []
CHECK_STATS = []


def zeros_if_none(gs, xs):
    return [g if g is not None else torch.zeros_like(x) for g, x in zip(gs, xs)]


def add_case(name, op, attrs, inputs, fn, differentiable=True):
    """inputs: list of (arg_name, tensor, diff).  fn(*args in input order) -> output or
    (output, {extra_name: tensor}).  Must be called right after seed_for(name)
    and input generation so cotangents/tangents come from the same stream."""
    recs, args, diff_names, diff_ts = [], {}, [], []
    for nm, t, d in inputs:
        t = t.detach()
        rec = T(t, nm)
        rec["diff"] = bool(d)
        recs.append(rec)
        if d:
            assert t.dtype == torch.float64
            leaf = t.clone().requires_grad_(True)
            diff_names.append(nm)
            diff_ts.append(leaf)
            args[nm] = leaf
        else:
            args[nm] = t.clone()
    res = fn(*args.values())  # positional, in input order
    extras = None
    if isinstance(res, tuple):
        out, extras = res
    else:
        out = res
    case = {"name": name, "op": op, "attrs": attrs, "inputs": recs, "output": T(out)}
    if extras:
        case["extra_outputs"] = {k: T(v) for k, v in extras.items()}
    if differentiable:
        assert out.dtype == torch.float64 and diff_ts
        c = torch.randn(out.shape)
        L = (out * c).sum()
        grads = torch.autograd.grad(L, diff_ts, create_graph=True, allow_unused=True)
        grads = zeros_if_none(grads, diff_ts)
        us = [torch.randn(x.shape) for x in diff_ts]
        S = sum((g * u).sum() for g, u in zip(grads, us))
        if S.requires_grad:
            gg = torch.autograd.grad(S, diff_ts, allow_unused=True)
        else:
            gg = [None] * len(diff_ts)
        gg = zeros_if_none(gg, diff_ts)
        case["cotangent"] = T(c)
        case["grads"] = [T(g, n) for g, n in zip(grads, diff_names)]
        case["tangents"] = [T(u, n) for u, n in zip(us, diff_names)]
        case["grad_grads"] = [T(g, n) for g, n in zip(gg, diff_names)]
        if CHECK:
            fd_check(name, fn, args, diff_names, diff_ts, c, us, grads, gg)
    CASES.append(case)


def fd_check(name, fn, args, diff_names, diff_ts, c, us, grads, gg, h=1e-6):
    """Directional finite-difference checks (independent random directions)."""
    g = torch.Generator().manual_seed(1234)
    ws = [torch.randn(x.shape, generator=g) for x in diff_ts]

    def call(shift):
        a = dict(args)
        for n, x, w in zip(diff_names, diff_ts, ws):
            a[n] = (x.detach() + shift * w).requires_grad_(True)
        # batch_norm mutates running stats: give fresh copies
        for k, v in a.items():
            if k not in diff_names:
                a[k] = v.clone()
        return a

    def Lval(shift):
        with torch.no_grad():
            r = fn(*call(shift).values())
            o = r[0] if isinstance(r, tuple) else r
            return (o * c).sum().item()

    def Sval(shift):
        a = call(shift)
        r = fn(*a.values())
        o = r[0] if isinstance(r, tuple) else r
        xs = [a[n] for n in diff_names]
        gs = zeros_if_none(torch.autograd.grad((o * c).sum(), xs, allow_unused=True), xs)
        return sum((gi * u).sum() for gi, u in zip(gs, us)).item()

    fd1 = (Lval(h) - Lval(-h)) / (2 * h)
    an1 = sum((gi * w).sum() for gi, w in zip(grads, ws)).item()
    fd2 = (Sval(h) - Sval(-h)) / (2 * h)
    an2 = sum((gi * w).sum() for gi, w in zip(gg, ws)).item()
    e1 = abs(fd1 - an1) / max(1.0, abs(an1))
    e2 = abs(fd2 - an2) / max(1.0, abs(an2))
    CHECK_STATS.append((max(e1, e2), e1, e2, name))


# ----------------------------------------------------------------------------
# ops.json
# ----------------------------------------------------------------------------

def gen_unary():
    specs = [
        # op, attrs, torch fn, input generator
        ("neg", {}, lambda x: -x, rn),
        ("abs", {}, torch.abs, lambda *s: away(rn(*s))),
        ("sign", {}, torch.sign, lambda *s: away(rn(*s))),
        ("exp", {}, torch.exp, rn),
        ("log", {}, torch.log, pos),
        ("sqrt", {}, torch.sqrt, pos),
        ("relu", {}, F.relu, lambda *s: away(rn(*s))),
        ("sigmoid", {}, torch.sigmoid, lambda *s: 2 * rn(*s)),
        ("tanh", {}, torch.tanh, rn),
        ("softplus", {}, F.softplus, lambda *s: 2 * rn(*s)),
        ("square", {}, torch.square, rn),
        ("reciprocal", {}, torch.reciprocal, signed_pos),
    ]
    for op, attrs, f, g in specs:
        for shape in ([2, 3], [2, 3, 4]):
            name = f"{op}/{'x'.join(map(str, shape))}"
            seed_for(name)
            x = g(*shape)
            add_case(name, op, attrs, [("x", x, True)], lambda x, f=f: f(x))
    # softplus: exercise the threshold (x*beta > 20 -> identity) branch
    name = "softplus/large_values_threshold"
    seed_for(name)
    x = 15 * rn(3, 4)
    x[0, 0], x[1, 1] = 25.0, -25.0
    add_case(name, "softplus", {}, [("x", x, True)], F.softplus)
    # just past the threshold: the derivative is exactly 1 there (x itself), while
    # sigmoid(x) still differs from 1 by exp(-x) ~ 1e-9 (and the second derivative is 0)
    name = "softplus/near_threshold"
    seed_for(name)
    x = torch.tensor([[19.5, 19.9, 20.1, 20.5], [21.0, 22.0, 18.0, -20.5]])
    add_case(name, "softplus", {}, [("x", x, True)], F.softplus)
    for slope in (0.01, 0.2):
        for shape in ([2, 3], [2, 3, 4]):
            name = f"leaky_relu/slope{slope}_{'x'.join(map(str, shape))}"
            seed_for(name)
            x = away(rn(*shape))
            add_case(name, "leaky_relu", {"slope": slope}, [("x", x, True)],
                     lambda x, s=slope: F.leaky_relu(x, s))


def gen_pow():
    name = "pow/same_shape"
    seed_for(name)
    x, y = pos(2, 3), rn(2, 3)
    add_case(name, "pow", {}, [("x", x, True), ("y", y, True)], torch.pow)
    name = "pow/broadcast_y3"
    seed_for(name)
    x, y = pos(2, 3), rn(3)
    add_case(name, "pow", {}, [("x", x, True), ("y", y, True)], torch.pow)
    for e in (2.5, -1.0):
        name = f"pow_scalar/exponent{e}"
        seed_for(name)
        x = pos(2, 3)
        add_case(name, "pow_scalar", {"exponent": e}, [("x", x, True)],
                 lambda x, e=e: torch.pow(x, e))


BIN_SHAPES = [
    ("same_2x3", [2, 3], [2, 3]),
    ("a2x3_b3", [2, 3], [3]),
    ("a2x1x4_b3x1", [2, 1, 4], [3, 1]),
    ("a2x3_b0d", [2, 3], []),
]


def gen_binary():
    fns = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
           "maximum": torch.maximum, "minimum": torch.minimum}
    for op, f in fns.items():
        for tag, sa, sb in BIN_SHAPES:
            name = f"{op}/{tag}"
            seed_for(name)
            if op == "div":
                a, b = rn(*sa), signed_pos(*sb)
            elif op in ("maximum", "minimum"):
                a, b = distinct_pair(sa, sb)
            else:
                a, b = rn(*sa), rn(*sb)
            add_case(name, op, {}, [("a", a, True), ("b", b, True)], f)
    # relu's backward as one op: a where b > 0, else 0 (b away from 0; its gradient is 0)
    for tag, sa, sb in BIN_SHAPES:
        name = f"mask_positive/{tag}"
        seed_for(name)
        a, b = rn(*sa), signed_pos(*sb)
        add_case(name, "mask_positive", {}, [("a", a, True), ("b", b, True)],
                 lambda a, b: torch.where(b > 0, a, torch.zeros_like(a)))


def gen_clamp():
    for tag, lo, hi in (("both", -0.5, 0.8), ("min_only", -0.5, None), ("max_only", None, 0.5)):
        name = f"clamp/{tag}"
        seed_for(name)
        while True:
            x = 1.5 * rn(3, 4)
            ok = True
            for bnd in (lo, hi):
                if bnd is not None and (x - bnd).abs().min().item() < 0.05:
                    ok = False
            if ok:
                break
        add_case(name, "clamp", {"min": lo, "max": hi}, [("x", x, True)],
                 lambda x, lo=lo, hi=hi: torch.clamp(x, min=lo, max=hi))


def gen_where():
    name = "where/cond2x3_a2x3_b3"
    seed_for(name)
    cond = (torch.rand(2, 3) < 0.5).double()
    cond[0, 0], cond[1, 0] = 1.0, 0.0
    a, b = rn(2, 3), rn(3)
    add_case(name, "where", {}, [("cond", cond, False), ("a", a, True), ("b", b, True)],
             lambda cond, a, b: torch.where(cond != 0, a, b))


def gen_compare():
    fns = {"eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le,
           "gt": torch.gt, "ge": torch.ge}
    for op, f in fns.items():
        for tag, sa, sb in (("same_2x3", [2, 3], [2, 3]), ("a2x3_b3", [2, 3], [3])):
            name = f"{op}/{tag}"
            seed_for(name)
            # small integers (as float64) => plenty of exact ties
            a = torch.randint(-1, 2, sa).double()
            b = torch.randint(-1, 2, sb).double()
            a.view(-1)[0] = b.view(-1)[0]  # guarantee at least one tie
            add_case(name, op, {}, [("a", a, False), ("b", b, False)],
                     lambda a, b, f=f: f(a, b).double(), differentiable=False)


def gen_reductions():
    axes_cases = [(None, False), ([0], False), ([1], False), ([2], False),
                  ([0, 2], False), ([0, 2], True), (None, True)]
    fns = {"sum": torch.sum, "mean": torch.mean, "amax": torch.amax, "amin": torch.amin}
    for op, f in fns.items():
        for axes, keep in axes_cases:
            tag = "all" if axes is None else "axes" + "_".join(map(str, axes))
            name = f"{op}/{tag}{'_keepdim' if keep else ''}"
            seed_for(name)
            x = rn(2, 3, 4)
            dims = tuple(range(3)) if axes is None else tuple(axes)
            add_case(name, op, {"axes": axes, "keepdim": keep}, [("x", x, True)],
                     lambda x, f=f, dims=dims, keep=keep: f(x, dim=dims, keepdim=keep))
    for axis, keep in ((0, False), (1, False), (2, False), (1, True)):
        name = f"logsumexp/axis{axis}{'_keepdim' if keep else ''}"
        seed_for(name)
        x = 10 * rn(2, 3, 4)
        add_case(name, "logsumexp", {"axis": axis, "keepdim": keep}, [("x", x, True)],
                 lambda x, a=axis, k=keep: torch.logsumexp(x, dim=a, keepdim=k))
    for op, f in (("argmax", torch.argmax), ("argmin", torch.argmin)):
        for axis in (0, 1, 2):
            name = f"{op}/axis{axis}"
            seed_for(name)
            x = rn(2, 3, 4)
            add_case(name, op, {"axis": axis}, [("x", x, False)],
                     lambda x, f=f, a=axis: f(x, dim=a), differentiable=False)


def gen_matmul():
    for tag, sa, sb in (("3x4_4x5", [3, 4], [4, 5]),
                        ("batched_2x3x4_2x4x5", [2, 3, 4], [2, 4, 5]),
                        ("bcast_2x1x3x4_3x4x2", [2, 1, 3, 4], [3, 4, 2]),
                        ("4x3x4_4x2", [4, 3, 4], [4, 2])):
        name = f"matmul/{tag}"
        seed_for(name)
        a, b = rn(*sa), rn(*sb)
        add_case(name, "matmul", {}, [("a", a, True), ("b", b, True)], torch.matmul)


def gen_shape_ops():
    for tag, sx, shape in (("2x3x4_to_6x4", [2, 3, 4], [6, 4]),
                           ("2x3x4_to_4x3x2", [2, 3, 4], [4, 3, 2]),
                           ("2x3_to_6", [2, 3], [6])):
        name = f"reshape/{tag}"
        seed_for(name)
        x = rn(*sx)
        add_case(name, "reshape", {"shape": shape}, [("x", x, True)],
                 lambda x, s=shape: x.reshape(s))
    for tag, sx, dims in (("2x3x4_201", [2, 3, 4], [2, 0, 1]),
                          ("2x3x4_102", [2, 3, 4], [1, 0, 2]),
                          ("3x4_10", [3, 4], [1, 0])):
        name = f"permute/{tag}"
        seed_for(name)
        x = rn(*sx)
        add_case(name, "permute", {"dims": dims}, [("x", x, True)],
                 lambda x, d=dims: x.permute(d))
    for tag, sx, shape in (("3x1_to_2x3x4", [3, 1], [2, 3, 4]),
                           ("1x4_to_3x4", [1, 4], [3, 4])):
        name = f"expand/{tag}"
        seed_for(name)
        x = rn(*sx)
        add_case(name, "expand", {"shape": shape}, [("x", x, True)],
                 lambda x, s=shape: x.expand(s))
    for axis, start, end, step in ((1, 1, 5, 2), (0, 0, 3, 1)):
        name = f"slice/axis{axis}_{start}_{end}_{step}"
        seed_for(name)
        x = rn(4, 5)
        idx = [slice(None)] * 2
        idx[axis] = slice(start, end, step)
        add_case(name, "slice", {"axis": axis, "start": start, "end": end, "step": step},
                 [("x", x, True)], lambda x, idx=tuple(idx): x[idx])
    for axis, shapes in ((0, ([1, 3], [2, 3], [3, 3])), (1, ([2, 1], [2, 3], [2, 2]))):
        name = f"concat/axis{axis}"
        seed_for(name)
        xs = [rn(*s) for s in shapes]
        add_case(name, "concat", {"axis": axis},
                 [(f"x{i}", x, True) for i, x in enumerate(xs)],
                 lambda x0, x1, x2, a=axis: torch.cat([x0, x1, x2], dim=a))
    for axis in (0, 2):
        name = f"stack/axis{axis}"
        seed_for(name)
        x0, x1 = rn(2, 3), rn(2, 3)
        add_case(name, "stack", {"axis": axis}, [("x0", x0, True), ("x1", x1, True)],
                 lambda x0, x1, a=axis: torch.stack([x0, x1], dim=a))
    # gather (torch.gather semantics; index may be smaller than x off-axis)
    name = "gather/axis0"
    seed_for(name)
    x = rn(3, 4)
    index = torch.tensor([[0, 2, 2, 1], [2, 2, 0, 0]], dtype=torch.int64)
    add_case(name, "gather", {"axis": 0}, [("x", x, True), ("index", index, False)],
             lambda x, index: torch.gather(x, 0, index))
    name = "gather/axis1"
    seed_for(name)
    x = rn(3, 4)
    index = torch.tensor([[3, 3, 0, 1, 2], [0, 0, 0, 2, 1], [1, 3, 1, 2, 3]], dtype=torch.int64)
    add_case(name, "gather", {"axis": 1}, [("x", x, True), ("index", index, False)],
             lambda x, index: torch.gather(x, 1, index))
    for axis, sx, idx in ((0, [4, 3], [0, 2, 2, 3]), (1, [2, 4], [3, 1, 1])):
        name = f"index_select/axis{axis}"
        seed_for(name)
        x = rn(*sx)
        index = torch.tensor(idx, dtype=torch.int64)
        add_case(name, "index_select", {"axis": axis},
                 [("x", x, True), ("index", index, False)],
                 lambda x, index, a=axis: torch.index_select(x, a, index))
    for tag, labels, classes in (("5_classes4", [0, 3, 1, 1, 2], 4),
                                 ("2x3_classes3", [[2, 0, 1], [1, 1, 0]], 3)):
        name = f"one_hot/{tag}"
        seed_for(name)
        lab = torch.tensor(labels, dtype=torch.int64)
        add_case(name, "one_hot", {"classes": classes}, [("labels", lab, False)],
                 lambda labels, k=classes: F.one_hot(labels, k).double(),
                 differentiable=False)


def gen_conv():
    cases = [
        # tag, x shape, w shape, bias, stride, padding, dilation, groups
        ("plain3x3_nopad_nobias", [2, 2, 5, 5], [3, 2, 3, 3], False, [1, 1], [0, 0], [1, 1], 1),
        ("stride2_pad1_bias", [2, 3, 6, 6], [4, 3, 3, 3], True, [2, 2], [1, 1], [1, 1], 1),
        ("dilation2", [2, 2, 7, 7], [2, 2, 3, 3], True, [1, 1], [0, 0], [2, 2], 1),
        ("groups2", [2, 4, 5, 5], [4, 2, 3, 3], True, [1, 1], [1, 1], [1, 1], 2),
        ("rect2x3_stride1x2_pad1x0", [2, 2, 5, 6], [3, 2, 2, 3], True, [1, 2], [1, 0], [1, 1], 1),
    ]
    for tag, sx, sw, bias, st, pd, dl, gr in cases:
        name = f"conv2d/{tag}"
        seed_for(name)
        x, w = rn(*sx), rn(*sw)
        inputs = [("x", x, True), ("w", w, True)]
        if bias:
            inputs.append(("b", rn(sw[0]), True))
        attrs = {"stride": st, "padding": pd, "dilation": dl, "groups": gr}
        add_case(name, "conv2d", attrs, inputs,
                 lambda x, w, b=None, st=st, pd=pd, dl=dl, gr=gr:
                 F.conv2d(x, w, b, stride=st, padding=pd, dilation=dl, groups=gr))

    # conv2d_relu: relu(conv2d(x, w) + b) as one op (Brink applies the bias and relu in place)
    for tag, sx, sw, bias, st, pd in (("pad2_bias", [2, 2, 6, 6], [3, 2, 5, 5], True, [1, 1], [2, 2]),
                                      ("stride2_nobias", [2, 3, 7, 7], [4, 3, 3, 3], False, [2, 2], [0, 0])):
        name = f"conv2d_relu/{tag}"
        seed_for(name)
        x, w = rn(*sx), rn(*sw)
        inputs = [("x", x, True), ("w", w, True)]
        if bias:
            inputs.append(("b", rn(sw[0]), True))
        attrs = {"stride": st, "padding": pd, "dilation": [1, 1], "groups": 1}
        add_case(name, "conv2d_relu", attrs, inputs,
                 lambda x, w, b=None, st=st, pd=pd: F.relu(F.conv2d(x, w, b, stride=st, padding=pd)))

    tcases = [
        # tag, x shape, w shape [Cin, Cout/g, kh, kw], bias, stride, padding, output_padding, dilation, groups
        ("stride2_pad1_outpad1_bias", [2, 3, 3, 3], [3, 2, 3, 3], True, [2, 2], [1, 1], [1, 1], [1, 1], 1),
        ("groups2_nobias", [2, 4, 3, 3], [4, 2, 3, 3], False, [1, 1], [0, 0], [0, 0], [1, 1], 2),
        ("dilation2_bias", [1, 2, 3, 3], [2, 3, 3, 3], True, [1, 1], [0, 0], [0, 0], [2, 2], 1),
    ]
    for tag, sx, sw, bias, st, pd, op_, dl, gr in tcases:
        name = f"conv_transpose2d/{tag}"
        seed_for(name)
        x, w = rn(*sx), rn(*sw)
        inputs = [("x", x, True), ("w", w, True)]
        if bias:
            inputs.append(("b", rn(sw[1] * gr), True))
        attrs = {"stride": st, "padding": pd, "output_padding": op_, "dilation": dl, "groups": gr}
        add_case(name, "conv_transpose2d", attrs, inputs,
                 lambda x, w, b=None, st=st, pd=pd, op_=op_, dl=dl, gr=gr:
                 F.conv_transpose2d(x, w, b, stride=st, padding=pd, output_padding=op_,
                                    groups=gr, dilation=dl))


def gen_pool():
    for tag, sx, k, s, p in (("k2_s2", [2, 2, 4, 4], [2, 2], [2, 2], [0, 0]),
                             ("k3_s2_p1", [2, 2, 5, 5], [3, 3], [2, 2], [1, 1]),
                             ("k3_s1_overlap", [1, 2, 5, 5], [3, 3], [1, 1], [0, 0])):
        name = f"max_pool2d/{tag}"
        seed_for(name)
        x = rn(*sx)
        add_case(name, "max_pool2d", {"kernel": k, "stride": s, "padding": p, "dilation": [1, 1]},
                 [("x", x, True)],
                 lambda x, k=k, s=s, p=p: F.max_pool2d(x, k, s, p, dilation=1))
    for tag, sx, k, s, p in (("k2_s2", [2, 2, 4, 4], [2, 2], [2, 2], [0, 0]),
                             ("k3_s2_p1", [2, 2, 5, 5], [3, 3], [2, 2], [1, 1])):
        name = f"avg_pool2d/{tag}"
        seed_for(name)
        x = rn(*sx)
        add_case(name, "avg_pool2d", {"kernel": k, "stride": s, "padding": p},
                 [("x", x, True)],
                 lambda x, k=k, s=s, p=p: F.avg_pool2d(x, k, s, p, count_include_pad=True))
    name = "global_avg_pool2d/2x3x4x5"
    seed_for(name)
    x = rn(2, 3, 4, 5)
    add_case(name, "global_avg_pool2d", {}, [("x", x, True)], lambda x: x.mean(dim=(2, 3)))


def gen_batch_norm():
    for tag, sx, training in (("nchw_training", [3, 2, 3, 3], True),
                              ("nchw_eval", [3, 2, 3, 3], False),
                              ("nc_training", [4, 3], True),
                              ("nc_eval", [4, 3], False)):
        name = f"batch_norm/{tag}"
        seed_for(name)
        C = sx[1]
        x = 2 * rn(*sx) + 0.5
        weight, bias = 1 + 0.5 * rn(C), 0.5 * rn(C)
        rmean, rvar = 0.5 * rn(C), pos(C)
        eps, mom = 1e-5, 0.1

        def fn(x, weight, bias, running_mean, running_var, training=training, eps=eps, mom=mom):
            rm, rv = running_mean.clone(), running_var.clone()
            y = F.batch_norm(x, rm, rv, weight, bias, training=training, momentum=mom, eps=eps)
            return y, {"running_mean": rm, "running_var": rv}

        add_case(name, "batch_norm", {"training": training, "eps": eps, "momentum": mom},
                 [("x", x, True), ("weight", weight, True), ("bias", bias, True),
                  ("running_mean", rmean, False), ("running_var", rvar, False)], fn)


def gen_softmax():
    for op, f in (("softmax", F.softmax), ("log_softmax", F.log_softmax)):
        for tag, sx, axis in (("3x5_axis1", [3, 5], 1), ("3x5_axis0", [3, 5], 0),
                              ("2x3x4_axis1", [2, 3, 4], 1)):
            name = f"{op}/{tag}"
            seed_for(name)
            x = 2 * rn(*sx)
            add_case(name, op, {"axis": axis}, [("x", x, True)],
                     lambda x, f=f, a=axis: f(x, dim=a))


def gen_losses():
    for red, ls in (("mean", 0.0), ("sum", 0.0), ("none", 0.0), ("mean", 0.1), ("none", 0.1)):
        name = f"cross_entropy/{red}_ls{ls}"
        seed_for(name)
        logits = 2 * rn(4, 5)
        target = torch.randint(0, 5, (4,))
        add_case(name, "cross_entropy", {"label_smoothing": ls, "reduction": red},
                 [("logits", logits, True), ("target", target, False)],
                 lambda logits, target, red=red, ls=ls:
                 F.cross_entropy(logits, target, reduction=red, label_smoothing=ls))
    for red in ("sum", "mean", "batchmean", "none"):
        name = f"kl_div/{red}"
        seed_for(name)
        inp = F.log_softmax(rn(3, 4), dim=1)
        tgt = F.softmax(rn(3, 4), dim=1)
        add_case(name, "kl_div", {"reduction": red},
                 [("input", inp, True), ("target", tgt, True)],
                 lambda input, target, red=red: F.kl_div(input, target, reduction=red))
    for red in ("mean", "sum", "none"):
        name = f"soft_margin_loss/{red}"
        seed_for(name)
        z = 2 * rn(2, 3)
        y = torch.where(torch.rand(2, 3) < 0.5, -1.0, 1.0)
        add_case(name, "soft_margin_loss", {"reduction": red},
                 [("z", z, True), ("y", y, False)],
                 lambda z, y, red=red: F.soft_margin_loss(z, y, reduction=red))
    for red in ("mean", "sum", "none"):
        name = f"binary_cross_entropy_with_logits/{red}"
        seed_for(name)
        z = 2 * rn(2, 3)
        y = torch.rand(2, 3)
        y[0, 0], y[1, 1] = 0.0, 1.0
        add_case(name, "binary_cross_entropy_with_logits", {"reduction": red},
                 [("z", z, True), ("y", y, False)],
                 lambda z, y, red=red: F.binary_cross_entropy_with_logits(z, y, reduction=red))
    for red in ("mean", "sum", "none"):
        name = f"mse_loss/{red}"
        seed_for(name)
        a, b = rn(2, 3), rn(2, 3)
        add_case(name, "mse_loss", {"reduction": red}, [("a", a, True), ("b", b, True)],
                 lambda a, b, red=red: F.mse_loss(a, b, reduction=red))


def gen_norms():
    for op, ordv in (("l1_norm", 1), ("l2_norm", 2), ("linf_norm", float("inf"))):
        for sx in ([3, 2, 2, 2], [3, 5]):
            name = f"{op}/{'x'.join(map(str, sx))}"
            seed_for(name)
            while True:  # away from 0 (abs kink) and no |x| ties within a sample
                x = away(rn(*sx))
                a = x.abs().reshape(sx[0], -1).sort(dim=1).values
                if (a[:, 1:] - a[:, :-1]).min().item() > 1e-3:
                    break
            dims = tuple(range(1, len(sx)))
            add_case(name, op, {}, [("x", x, True)],
                     lambda x, o=ordv, d=dims: torch.linalg.vector_norm(x, o, dim=d))


def gen_extra_ops():
    """Registered ops that torch exposes only indirectly: scatter_add, the two conv2d
    gradient ops, embed (adjoint of slice), sum_to_shape, contiguous and cast."""
    # scatter_add: zeros(shape).scatter_add(axis, index, src); src has index's shape,
    # which may be smaller than the output off-axis; repeated indices accumulate.
    for tag, axis, shape, index in (
            ("axis0_3x4", 0, [3, 4], [[0, 2, 2, 1], [2, 2, 0, 0]]),
            ("axis1_3x5", 1, [3, 5], [[4, 4, 0, 1], [0, 0, 0, 2], [1, 3, 1, 3]]),
            ("axis0_index_smaller_offaxis", 0, [4, 5], [[3, 0, 3], [1, 1, 0]])):
        name = f"scatter_add/{tag}"
        seed_for(name)
        idx = torch.tensor(index, dtype=torch.int64)
        src = rn(*idx.shape)
        add_case(name, "scatter_add", {"axis": axis, "shape": shape},
                 [("src", src, True), ("index", idx, False)],
                 lambda src, index, a=axis, s=shape: torch.zeros(s).scatter_add(a, index, src))

    # conv2d_input_grad (gy, w) and conv2d_weight_grad (x, gy): torch.nn.grad, which
    # calls aten::convolution_backward (itself differentiable, so grad_grads exist).
    conv_cases = [
        # tag, x shape, w shape, stride, padding, dilation, groups
        # (stride 2 on H=W=6 leaves the last row/column out of every window: the
        # input shape is ambiguous from gy and must be honoured)
        ("stride2_pad1", [1, 2, 6, 6], [3, 2, 3, 3], [2, 2], [1, 1], [1, 1], 1),
        ("groups2_dilation2_pad1", [1, 4, 5, 5], [2, 2, 2, 2], [1, 1], [1, 1], [2, 2], 2),
        ("rect_stride1x2_pad1x0", [1, 2, 5, 6], [2, 2, 2, 3], [1, 2], [1, 0], [1, 1], 1),
    ]

    def conv_out(sx, sw, st, pd, dl):
        return [sx[0], sw[0]] + [(sx[2 + i] + 2 * pd[i] - dl[i] * (sw[2 + i] - 1) - 1) // st[i] + 1
                                 for i in range(2)]

    for tag, sx, sw, st, pd, dl, gr in conv_cases:
        name = f"conv2d_input_grad/{tag}"
        seed_for(name)
        gy, w = rn(*conv_out(sx, sw, st, pd, dl)), rn(*sw)
        attrs = {"stride": st, "padding": pd, "dilation": dl, "groups": gr, "input_shape": sx}
        add_case(name, "conv2d_input_grad", attrs, [("gy", gy, True), ("w", w, True)],
                 lambda gy, w, sx=sx, st=st, pd=pd, dl=dl, gr=gr:
                 torch.nn.grad.conv2d_input(sx, w, gy, st, pd, dl, gr))
    for tag, sx, sw, st, pd, dl, gr in conv_cases:
        name = f"conv2d_weight_grad/{tag}"
        seed_for(name)
        x, gy = rn(*sx), rn(*conv_out(sx, sw, st, pd, dl))
        attrs = {"stride": st, "padding": pd, "dilation": dl, "groups": gr, "weight_shape": sw}
        add_case(name, "conv2d_weight_grad", attrs, [("x", x, True), ("gy", gy, True)],
                 lambda x, gy, sw=sw, st=st, pd=pd, dl=dl, gr=gr:
                 torch.nn.grad.conv2d_weight(x, sw, gy, st, pd, dl, gr))

    # embed: x written into zeros(shape) at start, start+step, ... along axis
    for tag, shape, sx, axis, start, step in (
            ("axis1_start1_step2", [4, 5], [4, 2], 1, 1, 2),
            ("axis0_start2_step1", [5, 3], [2, 3], 0, 2, 1),
            ("axis2_start0_step3", [2, 3, 7], [2, 3, 3], 2, 0, 3)):
        name = f"embed/{tag}"
        seed_for(name)
        x = rn(*sx)
        end = start + (sx[axis] - 1) * step + 1
        add_case(name, "embed", {"shape": shape, "axis": axis, "start": start, "step": step},
                 [("x", x, True)],
                 lambda x, s=shape, a=axis, b=start, e=end, k=step:
                 torch.slice_scatter(torch.zeros(s), x, dim=a, start=b, end=e, step=k))

    # sum_to_shape: the adjoint of broadcasting (torch's sum_to_size)
    for tag, sx, shape in (("2x3x4_to_3x1", [2, 3, 4], [3, 1]),
                           ("2x3x4_to_2x1x4", [2, 3, 4], [2, 1, 4]),
                           ("2x3_to_3", [2, 3], [3]),
                           ("2x3_to_0d", [2, 3], [])):
        name = f"sum_to_shape/{tag}"
        seed_for(name)
        x = rn(*sx)
        add_case(name, "sum_to_shape", {"shape": shape}, [("x", x, True)],
                 lambda x, s=shape: x.sum_to_size(s))

    # contiguous of a permuted (strided) view; attrs.permute is the view applied first
    for tag, sx, dims in (("permute10_3x4", [3, 4], [1, 0]),
                          ("permute201_2x3x4", [2, 3, 4], [2, 0, 1])):
        name = f"contiguous/{tag}"
        seed_for(name)
        x = rn(*sx)
        add_case(name, "contiguous", {"permute": dims}, [("x", x, True)],
                 lambda x, d=dims: x.permute(d).contiguous())

    # cast between float64 and float32 (output only; round to nearest even)
    name = "cast/float64_to_float32"
    seed_for(name)
    x = 10 * rn(2, 3)
    x[0, 0], x[0, 1] = 1.0 / 3.0, 1e-30
    add_case(name, "cast", {"dtype": "float32"}, [("x", x, False)],
             lambda x: x.to(torch.float32), differentiable=False)
    name = "cast/float32_to_float64"
    seed_for(name)
    x = (10 * rn(2, 3)).to(torch.float32)
    add_case(name, "cast", {"dtype": "float64"}, [("x", x, False)],
             lambda x: x.to(torch.float64), differentiable=False)


def gen_scan_ops():
    """cumsum (inclusive; reverse = suffix sums), argsort (stable), sort, topk."""
    for tag, sx, axis, rev in (("axis0_3x4", [3, 4], 0, False),
                               ("axis1_2x3x4", [2, 3, 4], 1, False),
                               ("axis1_reverse_3x4", [3, 4], 1, True)):
        name = f"cumsum/{tag}"
        seed_for(name)
        x = rn(*sx)
        if rev:
            f = lambda x, a=axis: torch.flip(torch.cumsum(torch.flip(x, [a]), a), [a])
        else:
            f = lambda x, a=axis: torch.cumsum(x, a)
        add_case(name, "cumsum", {"axis": axis, "reverse": rev}, [("x", x, True)], f)
    # argsort: stable (equal values keep their original order, in both directions)
    for tag, sx, axis, desc, ties in (("axis1_ties_ascending", [3, 6], 1, False, True),
                                      ("axis1_ties_descending", [3, 6], 1, True, True),
                                      ("axis0_4x3", [4, 3], 0, False, False)):
        name = f"argsort/{tag}"
        seed_for(name)
        x = torch.randint(-2, 3, sx).double() if ties else rn(*sx)
        add_case(name, "argsort", {"axis": axis, "descending": desc}, [("x", x, False)],
                 lambda x, a=axis, d=desc: torch.sort(x, stable=True, dim=a, descending=d).indices,
                 differentiable=False)
    # sort and topk values (randn: no ties, so the permutation is unique)
    for tag, sx, axis, desc in (("axis1_ascending_3x5", [3, 5], 1, False),
                                ("axis0_descending_4x3", [4, 3], 0, True)):
        name = f"sort/{tag}"
        seed_for(name)
        x = rn(*sx)
        add_case(name, "sort", {"axis": axis, "descending": desc}, [("x", x, True)],
                 lambda x, a=axis, d=desc: torch.sort(x, stable=True, dim=a, descending=d).values)
    for tag, sx, k, axis, largest in (("k2_axis1_largest_3x5", [3, 5], 2, 1, True),
                                      ("k3_axis0_smallest_4x3", [4, 3], 3, 0, False)):
        name = f"topk/{tag}"
        seed_for(name)
        x = rn(*sx)
        add_case(name, "topk", {"k": k, "axis": axis, "largest": largest}, [("x", x, True)],
                 lambda x, k=k, a=axis, l=largest: torch.topk(x, k, dim=a, largest=l, sorted=True).values)


def write_json(path, header, cases):
    """Compact JSON, one case per line (diff-friendly). json uses float.__repr__."""
    with open(path, "w") as f:
        f.write("{")
        for k, v in header.items():
            f.write(json.dumps(k) + ":" + json.dumps(v, separators=(",", ":")) + ",\n")
        f.write('"cases":[\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":"), allow_nan=False) for c in cases))
        f.write("\n]}\n")


def gen_ops():
    gen_unary()
    gen_pow()
    gen_binary()
    gen_clamp()
    gen_where()
    gen_compare()
    gen_reductions()
    gen_matmul()
    gen_shape_ops()
    gen_conv()
    gen_pool()
    gen_batch_norm()
    gen_softmax()
    gen_losses()
    gen_norms()
    gen_extra_ops()
    gen_scan_ops()
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    write_json(os.path.join(OUT_DIR, "ops.json"),
               {"generator": GENERATOR, "torch_version": torch.__version__}, CASES)


# ----------------------------------------------------------------------------
# small_convnet.json
# ----------------------------------------------------------------------------

SPEC = {"input": [1, 6, 6], "layers": [
    {"type": "conv2d", "out": 4, "kernel": 3, "padding": 1, "bias": True},
    {"type": "batchnorm2d", "eps": 1e-5, "momentum": 0.1},
    {"type": "relu"},
    {"type": "maxpool2d", "kernel": 2, "stride": 2},
    {"type": "flatten"},
    {"type": "linear", "out": 3, "bias": True},
]}


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([
            nn.Conv2d(1, 4, 3, padding=1, bias=True),
            nn.BatchNorm2d(4, eps=1e-5, momentum=0.1),
            nn.ReLU(),
            nn.MaxPool2d(2, 2),
            nn.Flatten(),
            nn.Linear(4 * 3 * 3, 3, bias=True),
        ])

    def forward(self, x, trace=None):
        for i, l in enumerate(self.layers):
            x = l(x)
            if trace is not None:
                trace.append(x)
        return x


TRAINABLE = ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
             "layers.5.weight", "layers.5.bias"]
ALL_PARAMS = TRAINABLE[:4] + ["layers.1.running_mean", "layers.1.running_var"] + TRAINABLE[4:]


def build_net(seed):
    torch.manual_seed(seed)
    net = Net().double().eval()
    with torch.no_grad():
        L0, L1, L5 = net.layers[0], net.layers[1], net.layers[5]
        L0.weight.copy_(0.5 * torch.randn(L0.weight.shape))
        L0.bias.copy_(0.2 * torch.randn(L0.bias.shape))
        L1.weight.copy_(1.0 + 0.4 * torch.randn(4))
        L1.bias.copy_(0.3 * torch.randn(4))
        L1.running_mean.copy_(0.3 * torch.randn(4))
        L1.running_var.copy_(0.5 + torch.rand(4))
        L5.weight.copy_(0.3 * torch.randn(L5.weight.shape))
        L5.bias.copy_(0.1 * torch.randn(L5.bias.shape))
    x = torch.randn(2, 1, 6, 6)
    labels = torch.randint(0, 3, (2,))
    return net, x, labels


def net_ok(net, x):
    """No ReLU input near 0; no maxpool window whose max is tied (a window whose
    max is exactly 0 -- all pre-activations negative -- is locally constant and
    therefore fine)."""
    trace = []
    with torch.no_grad():
        net(x, trace)
    pre = trace[1]  # BN output = ReLU input
    if pre.abs().min().item() < 1e-3:
        return False
    r = trace[2]
    win = r.unfold(2, 2, 2).unfold(3, 2, 2).reshape(*r.shape[:2], 3, 3, 4)
    top = win.sort(dim=-1, descending=True).values
    gap = top[..., 0] - top[..., 1]
    bad = (gap < 1e-6) & (top[..., 0] > 0)
    return not bad.any().item()


def gen_convnet():
    base = zlib.crc32(b"small_convnet") & 0x7FFFFFFF
    for attempt in range(1000):
        seed = base + attempt
        net, x, labels = build_net(seed)
        if net_ok(net, x):
            break
    else:
        raise RuntimeError("no tie-free sample found")
    params = dict(net.named_parameters())
    bufs = dict(net.named_buffers())
    allp = {**params, **bufs}
    train = [params[n] for n in TRAINABLE]

    # loss, logits, grad_x, grad_params
    xr = x.clone().requires_grad_(True)
    logits = net(xr)
    loss = F.cross_entropy(logits, labels, reduction="mean")
    g = torch.autograd.grad(loss, [xr] + train, create_graph=True)
    grad_x, grad_params = g[0], g[1:]
    # HVP wrt x
    v = torch.randn(x.shape)
    hvp_x = torch.autograd.grad((grad_x * v).sum(), xr)[0]
    # Jacobian rows
    rows = []
    for k in range(logits.shape[1]):
        xk = x.clone().requires_grad_(True)
        rows.append(torch.autograd.grad(net(xk)[:, k].sum(), xk)[0])
    jac = torch.stack(rows)
    # input-gradient-regularization penalty (double backprop)
    xi = x.clone().requires_grad_(True)
    lsum = F.cross_entropy(net(xi), labels, reduction="sum")
    gi = torch.autograd.grad(lsum, xi, create_graph=True)[0]
    P = (gi ** 2).sum()
    gP = torch.autograd.grad(P, train)

    out = {
        "generator": GENERATOR,
        "torch_version": torch.__version__,
        "seed": seed,
        "spec": SPEC,
        "params": {n: T(allp[n]) for n in ALL_PARAMS},
        "x": T(x),
        "labels": T(labels),
        "logits": T(logits),
        "loss": T(loss),
        "grad_x": T(grad_x),
        "v": T(v),
        "hvp_x": T(hvp_x),
        "grad_params": {n: T(t) for n, t in zip(TRAINABLE, grad_params)},
        "jacobian_rows": T(jac),
        "igr_penalty": T(P),
        "grad_igr_penalty_params": {n: T(t) for n, t in zip(TRAINABLE, gP)},
    }
    with open(os.path.join(OUT_DIR, "small_convnet.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")

    if CHECK:
        h = 1e-6
        gen = torch.Generator().manual_seed(99)
        w = torch.randn(x.shape, generator=gen)

        def Lx(xx):
            with torch.no_grad():
                return F.cross_entropy(net(xx), labels).item()

        def GxV(xx):
            xx = xx.clone().requires_grad_(True)
            gg = torch.autograd.grad(F.cross_entropy(net(xx), labels), xx)[0]
            return (gg * v).sum().item()

        fd = (Lx(x + h * w) - Lx(x - h * w)) / (2 * h)
        print("convnet grad_x dir-deriv:", fd, (grad_x * w).sum().item())
        fd = (GxV(x + h * w) - GxV(x - h * w)) / (2 * h)
        print("convnet hvp_x dir-deriv:", fd, (hvp_x * w).sum().item())
        # dP/dparam along a random direction for all trainables
        dirs = [torch.randn(p.shape, generator=gen) for p in train]

        def Pval(s):
            with torch.no_grad():
                for p, d in zip(train, dirs):
                    p.add_(s * d)
            xx = x.clone().requires_grad_(True)
            gg = torch.autograd.grad(F.cross_entropy(net(xx), labels, reduction="sum"), xx)[0]
            r = (gg ** 2).sum().item()
            with torch.no_grad():
                for p, d in zip(train, dirs):
                    p.sub_(s * d)
            return r

        fd = (Pval(h) - Pval(-h)) / (2 * h)
        print("convnet dP/dparams dir-deriv:", fd, sum((a * b).sum() for a, b in zip(gP, dirs)).item())


def main():
    gen_ops()
    gen_convnet()
    print(f"torch {torch.__version__}: {len(CASES)} op cases")
    for fn in ("ops.json", "small_convnet.json"):
        p = os.path.join(OUT_DIR, fn)
        print(f"  {fn}: {os.path.getsize(p)} bytes")
    if CHECK:
        CHECK_STATS.sort(reverse=True)
        print("finite-difference check, worst relative errors (max, grad, gradgrad, case):")
        for s in CHECK_STATS[:10]:
            print("  %.2e %.2e %.2e %s" % s)


if __name__ == "__main__":
    main()
