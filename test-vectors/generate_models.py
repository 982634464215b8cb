#!/usr/bin/python3
"""Model-level PyTorch reference vectors for `brink vectors check`.

Writes one folder per case under test-vectors/models/ (layers/<case>, zoo/<case>), each holding

  model.json           the architecture in Brink's spec language (nn/.../spec/ModelSpec.java)
  weights.safetensors  parameters and buffers, PyTorch state_dict names and layouts, float32
  data.safetensors     x float32 [N, ...], y int64 [N], v float32 (shape of x)
  expected.safetensors logits, loss, grad_x, grad.<param>, hvp_x, gradnorm, gradnorm.grad.<param>,
                       jac_rows [N, K, ...], emr, emr.grad.<param>   (float32)

Everything is computed in eval mode, in float64, from the float32 values that are stored (weights, x, v are
rounded to float32 first), so an engine that reads the files and computes in float64 sees exactly the same
function. L = mean cross-entropy of the logits against y.

Run with Debian's python (torch 1.13): /usr/bin/python3 test-vectors/generate_models.py [CASE...]
(no argument: delete test-vectors/models and write every case; CASE names rewrite only those cases).
`--check` re-reads every case and checks it (file round trip, central differences) without writing anything.
The safetensors format is written by hand (the safetensors package is not needed).
"""

import json
import math
import os
import shutil
import struct
import sys
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "models")
GENERATOR = "test-vectors/generate_models.py"

# A ReLU/leaky-ReLU pre-activation closer than this to 0, or a max-pool window whose two largest entries are
# closer than this, makes the seed be redrawn. Both sides compute in float64 from the same float32 values, so
# their pre-activations agree to ~1e-14; 1e-4 leaves ten orders of magnitude.
KINK_MARGIN = 1e-4
MAX_ATTEMPTS = 200

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


# ---------------------------------------------------------------------------------------------- safetensors

def write_safetensors(path, tensors, metadata):
    """tensors: {name: numpy array (float32 or int64)}; written in ascending name order, packed from 0."""
    header = {}
    if metadata:
        header["__metadata__"] = {k: str(metadata[k]) for k in sorted(metadata)}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        a = tensors[name]
        if a.dtype == np.float32:
            code, le = "F32", a.astype("<f4")
        elif a.dtype == np.int64:
            code, le = "I64", a.astype("<i8")
        else:
            raise ValueError(f"{name}: unsupported dtype {a.dtype}")
        data = np.ascontiguousarray(le).tobytes()
        header[name] = {"dtype": code, "shape": list(a.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """The inverse of write_safetensors (used by --check)."""
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    out = {}
    for name, e in header.items():
        dt = {"F32": "<f4", "I64": "<i8"}[e["dtype"]]
        b, end = e["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + b:8 + n + end], dtype=dt).reshape(e["shape"])
    return out, meta


# ---------------------------------------------------------------------------------------------- spec interpreter

def pair(v, default=None):
    if v is None:
        return default
    return (v, v) if isinstance(v, int) else (v[0], v[1])


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3))


class Normalize(nn.Module):
    """(x - mean) / std per channel; constants of the spec, no state."""

    def __init__(self, mean, std):
        super().__init__()
        self.mean, self.std = list(mean), list(std)

    def forward(self, x):
        shape = [1] * x.dim()
        shape[1] = len(self.mean)
        m = torch.tensor(self.mean, dtype=x.dtype).reshape(shape)
        s = torch.tensor(self.std, dtype=x.dtype).reshape(shape)
        return (x - m) / s


class Residual(nn.Module):
    def __init__(self, body, shortcut):
        super().__init__()
        self.body = body
        self.shortcut = shortcut

    def forward(self, x):
        a = x
        for m in self.body:
            a = m(a)
        b = x
        for m in self.shortcut:
            b = m(b)
        return a + b


class SpecNet(nn.Module):
    def __init__(self, spec):
        super().__init__()
        shape = list(spec["input"])
        self.layers, self.out_shape = build_list(spec["layers"], shape)

    def forward(self, x):
        for m in self.layers:
            x = m(x)
        return x


def build_list(layers, shape):
    mods = nn.ModuleList()
    for l in layers:
        m, shape = build_layer(l, shape)
        mods.append(m)
    return mods, shape


def conv_out(n, k, s, p, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def build_layer(l, shape):
    t = l["type"]
    if t == "linear":
        assert len(shape) == 1, l
        return nn.Linear(shape[0], l["out"], bias=l.get("bias", True)), [l["out"]]
    if t == "conv2d":
        k = pair(l["kernel"])
        s = pair(l.get("stride"), (1, 1))
        p = pair(l.get("padding"), (0, 0))
        d = pair(l.get("dilation"), (1, 1))
        g = l.get("groups", 1)
        m = nn.Conv2d(shape[0], l["out"], k, stride=s, padding=p, dilation=d, groups=g, bias=l.get("bias", True))
        return m, [l["out"], conv_out(shape[1], k[0], s[0], p[0], d[0]), conv_out(shape[2], k[1], s[1], p[1], d[1])]
    if t in ("maxpool2d", "avgpool2d"):
        k = pair(l["kernel"])
        s = pair(l.get("stride"), k)
        p = pair(l.get("padding"), (0, 0))
        if t == "maxpool2d":
            m = nn.MaxPool2d(k, stride=s, padding=p)
        else:
            m = nn.AvgPool2d(k, stride=s, padding=p, count_include_pad=True)
        return m, [shape[0], conv_out(shape[1], k[0], s[0], p[0], 1), conv_out(shape[2], k[1], s[1], p[1], 1)]
    if t == "global_avgpool":
        return GlobalAvgPool(), [shape[0]]
    if t == "flatten":
        return nn.Flatten(), [int(np.prod(shape))]
    if t == "relu":
        return nn.ReLU(), shape
    if t == "tanh":
        return nn.Tanh(), shape
    if t == "sigmoid":
        return nn.Sigmoid(), shape
    if t == "softplus":
        return nn.Softplus(), shape
    if t == "leaky_relu":
        return nn.LeakyReLU(l.get("slope", 0.01)), shape
    if t == "dropout":
        return nn.Dropout(l.get("p", 0.5)), shape
    if t == "batchnorm2d":
        return nn.BatchNorm2d(shape[0], eps=l.get("eps", 1e-5), momentum=l.get("momentum", 0.1)), shape
    if t == "batchnorm1d":
        return nn.BatchNorm1d(shape[0], eps=l.get("eps", 1e-5), momentum=l.get("momentum", 0.1)), shape
    if t == "normalize":
        return Normalize(l["mean"], l["std"]), shape
    if t == "residual":
        body, bs = build_list(l["body"], list(shape))
        sc, ss = build_list(l.get("shortcut", []), list(shape))
        assert bs == ss, (bs, ss)
        return Residual(body, sc), bs
    raise ValueError(f"unknown layer type {t}")


# ---------------------------------------------------------------------------------------------- spec builders

def conv(out, k, stride=1, padding=0, bias=True, **extra):
    d = {"type": "conv2d", "out": out, "kernel": k, "stride": stride, "padding": padding, "bias": bias}
    d.update(extra)
    return d


def linear(out, bias=True):
    return {"type": "linear", "out": out, "bias": bias}


def maxpool(k, s):
    return {"type": "maxpool2d", "kernel": k, "stride": s}


def avgpool(k, s):
    return {"type": "avgpool2d", "kernel": k, "stride": s}


def bn():
    return {"type": "batchnorm2d", "eps": 1e-5, "momentum": 0.1}


def act(t, **kw):
    d = {"type": t}
    d.update(kw)
    return d


RELU, FLATTEN, GAP = act("relu"), act("flatten"), act("global_avgpool")


def residual(body, shortcut):
    return {"type": "residual", "body": body, "shortcut": shortcut}


def normalize(mean, std):
    return {"type": "normalize", "mean": list(mean), "std": list(std)}


# The zoo models, transcribed from nn/src/main/java/dev/brink/nn/zoo/Zoo.java. They must emit exactly the JSON
# of Zoo.spec(name, options) ("input" and "layers"); ModelVectorsTest checks that for every zoo case.

CIFAR10_MEAN = [0.4914, 0.4822, 0.4465]
CIFAR10_STD = [0.2470, 0.2435, 0.2616]


def zw(c, width):
    return max(1, int(math.floor(c * width + 0.5)))  # Java Math.round


def zoo_spec(name, width, inp, classes, norm=None):
    w = lambda c: zw(c, width)  # noqa: E731
    L = []
    if norm is not None:
        L.append(normalize(*norm))
    if name == "mlp-4x1024":
        L.append(FLATTEN)
        for _ in range(4):
            L += [linear(w(1024)), RELU]
        L.append(linear(classes))
    elif name == "madry-mnist":
        L += [conv(w(32), 5, 1, 2), RELU, maxpool(2, 2), conv(w(64), 5, 1, 2), RELU, maxpool(2, 2),
              FLATTEN, linear(w(1024)), RELU, linear(classes)]
    elif name == "shaham-mnist":
        L += [conv(w(32), 5, 1, 2), RELU, maxpool(3, 3), conv(w(64), 5, 1, 2), RELU, maxpool(2, 2),
              FLATTEN, linear(w(200)), RELU, linear(classes)]
    elif name == "yu-mnist":
        L += [conv(w(32), 3, 1, 1), RELU, maxpool(2, 2), conv(w(64), 3, 1, 1), RELU, maxpool(2, 2),
              FLATTEN, linear(w(128)), RELU, linear(classes)]
    elif name == "galloway-cifar":
        L += [conv(w(32), 8, 2, 3, False), RELU, conv(w(64), 6, 2, 0, False), RELU, conv(w(64), 5, 1, 0, False), RELU,
              FLATTEN, linear(classes, False)]
    elif name == "emr-cnn":
        L += [conv(w(32), 5, 1, 0), RELU, conv(w(64), 5, 1, 0), RELU, avgpool(2, 2),
              conv(w(128), 3, 1, 0), RELU, conv(w(128), 3, 1, 0), RELU, GAP, linear(classes)]
    elif name == "yu-cifar":
        L += [conv(w(64), 3, 1, 1), RELU, conv(w(128), 3, 2, 1), RELU, conv(w(128), 3, 1, 1), RELU,
              conv(w(256), 3, 2, 1), RELU, conv(classes, 1, 1, 0), GAP]
    elif name.startswith("vgg") and name.endswith("-cifar"):
        cfg = {11: [[64], [128], [256, 256], [512, 512], [512, 512]],
               13: [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]],
               16: [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]}[int(name[3:-6])]
        for stage in cfg:
            for c in stage:
                L += [conv(w(c), 3, 1, 1, False), bn(), RELU]
            L.append(maxpool(2, 2))
        L += [FLATTEN, linear(classes)]
    elif name == "resnet18":
        L += [conv(w(64), 3, 1, 1, False), bn(), RELU]
        cin = w(64)
        for s, planes in enumerate([64, 128, 256, 512]):
            for blk in range(2):
                out = w(planes)
                stride = 2 if blk == 0 and s > 0 else 1
                body = [conv(out, 3, stride, 1, False), bn(), RELU, conv(out, 3, 1, 1, False), bn()]
                sc = [conv(out, 1, stride, 0, False), bn()] if (stride != 1 or cin != out) else []
                L += [residual(body, sc), RELU]
                cin = out
        L += [GAP, linear(classes)]
    elif name.startswith("wrn-"):
        depth, widen = (int(v) for v in name[4:].split("-"))
        n = (depth - 4) // 6
        L.append(conv(w(16), 3, 1, 1, False))
        cin = w(16)
        widths = [w(16 * widen), w(32 * widen), w(64 * widen)]
        for g in range(3):
            for blk in range(n):
                out = widths[g]
                stride = 2 if blk == 0 and g > 0 else 1
                if cin == out and stride == 1:
                    L.append(residual([bn(), RELU, conv(out, 3, 1, 1, False), bn(), RELU, conv(out, 3, 1, 1, False)], []))
                else:
                    L += [bn(), RELU, residual([conv(out, 3, stride, 1, False), bn(), RELU, conv(out, 3, 1, 1, False)],
                                               [conv(out, 1, stride, 0, False)])]
                cin = out
        L += [bn(), RELU, GAP, linear(classes)]
    else:
        raise ValueError(name)
    return {"input": list(inp), "layers": L, "name": name,
            "source": f"Brink zoo '{name}' (nn/.../zoo/Zoo.java), width {width}, input {list(inp)}, {classes} classes"
                      + (", CIFAR-10 normalization" if norm else "") + "; written by " + GENERATOR}


# ---------------------------------------------------------------------------------------------- cases

def net(inp, layers):
    return {"input": list(inp), "layers": layers}


# Small nets, one (or more) per layer type. Smooth activations where the layer under test allows it.
LAYER_CASES = {
    "linear": net([7], [linear(6), act("tanh"), linear(5, bias=False), act("softplus"), linear(4)]),
    "conv2d": net([2, 6, 6], [conv(4, 3), act("tanh"), FLATTEN, linear(3)]),
    "conv2d-stride-padding": net([3, 7, 7], [conv(4, 3, 2, 1), act("tanh"), conv(3, [3, 2], [1, 2], [0, 1]),
                                               act("sigmoid"), FLATTEN, linear(4)]),
    "conv2d-dilation-groups": net([4, 8, 8], [conv(6, 3, 1, 2, dilation=2, groups=2), act("softplus"),
                                                conv(4, [2, 3], 1, [1, 0], dilation=[2, 1], groups=2, bias=False),
                                                act("tanh"), GAP, linear(3)]),
    "maxpool2d": net([2, 6, 6], [conv(3, 3, 1, 1), act("tanh"), maxpool(2, 2), FLATTEN, linear(4)]),
    "maxpool2d-overlap-padding": net([2, 7, 7], [conv(3, 3), act("tanh"),
                                                  {"type": "maxpool2d", "kernel": 3, "stride": 2, "padding": 1},
                                                  {"type": "maxpool2d", "kernel": [2, 1]}, FLATTEN, linear(4)]),
    "avgpool2d": net([2, 6, 6], [conv(3, 3, 1, 1), act("tanh"), avgpool(2, 2), FLATTEN, linear(4)]),
    "avgpool2d-overlap-padding": net([2, 7, 7], [conv(3, 3), act("sigmoid"),
                                                  {"type": "avgpool2d", "kernel": 3, "stride": 2, "padding": 1},
                                                  {"type": "avgpool2d", "kernel": [1, 2], "stride": [1, 1]},
                                                  FLATTEN, linear(4)]),
    "global_avgpool": net([3, 5, 5], [conv(4, 3), act("softplus"), GAP, linear(3)]),
    "flatten": net([2, 3, 4], [FLATTEN, linear(5), act("tanh"), linear(3)]),
    "relu": net([2, 5, 5], [conv(4, 3), RELU, FLATTEN, linear(6), RELU, linear(3)]),
    "tanh": net([6], [linear(8), act("tanh"), linear(4), act("tanh"), linear(3)]),
    "sigmoid": net([6], [linear(8), act("sigmoid"), linear(4), act("sigmoid"), linear(3)]),
    "softplus": net([6], [linear(8), act("softplus"), linear(4), act("softplus"), linear(3)]),
    "leaky_relu": net([2, 5, 5], [conv(4, 3), act("leaky_relu", slope=0.1), FLATTEN, linear(6),
                                   act("leaky_relu"), linear(3)]),
    "dropout": net([2, 4, 4], [conv(3, 3), act("tanh"), {"type": "dropout", "p": 0.5}, FLATTEN, linear(5),
                                act("softplus"), {"type": "dropout"}, linear(3)]),
    "batchnorm2d": net([3, 5, 5], [conv(4, 3, bias=False), bn(), act("tanh"),
                                    {"type": "batchnorm2d", "eps": 1e-3, "momentum": 0.5}, GAP, linear(3)]),
    "batchnorm1d": net([6], [linear(8, bias=False), {"type": "batchnorm1d", "eps": 1e-5, "momentum": 0.1},
                              act("softplus"), linear(5), {"type": "batchnorm1d", "eps": 1e-3}, linear(3)]),
    "normalize": net([3, 4, 4], [normalize([0.4914, 0.4822, 0.4465], [0.2470, 0.2435, 0.2616]), conv(4, 3),
                                  act("tanh"), FLATTEN, linear(3)]),
    "residual-identity": net([3, 5, 5], [conv(4, 3, 1, 1), act("tanh"),
                                          residual([conv(4, 3, 1, 1), act("softplus"), conv(4, 3, 1, 1, False)], []),
                                          act("tanh"), GAP, linear(3)]),
    "residual-projection": net([3, 6, 6], [conv(4, 3, 1, 1), act("tanh"),
                                            residual([conv(6, 3, 2, 1, False), bn(), act("softplus"),
                                                      conv(6, 3, 1, 1, False), bn()],
                                                     [conv(6, 1, 2, 0, False), bn()]),
                                            RELU, GAP, linear(3)]),
    "batchnorm-eval": net([3, 6, 6], [conv(5, 3, 1, 1, False), bn(), RELU, maxpool(2, 2),
                                       residual([bn(), RELU, conv(5, 3, 1, 1, False), bn()], []),
                                       {"type": "batchnorm2d"}, act("leaky_relu", slope=0.2), FLATTEN, linear(8, False),
                                       {"type": "batchnorm1d"}, act("tanh"), linear(4)]),
}

# name: (zoo model, width, input, classes, N, normalization)
ZOO_CASES = {
    "madry-mnist-small": ("madry-mnist", 0.125, [1, 12, 12], 10, 3, None),
    "mlp-small": ("mlp-4x1024", 0.03125, [1, 8, 8], 10, 4, None),
    "galloway-cifar-small": ("galloway-cifar", 0.125, [3, 28, 28], 4, 2, None),
    "emr-cnn-small": ("emr-cnn", 0.125, [3, 20, 20], 5, 2, None),
    "yu-cifar-small": ("yu-cifar", 0.0625, [3, 8, 8], 5, 2, None),
    "vgg11-small": ("vgg11-cifar", 0.03125, [3, 32, 32], 4, 2, None),
    "resnet18-small": ("resnet18", 0.03125, [3, 16, 16], 5, 2, (CIFAR10_MEAN, CIFAR10_STD)),
    "wrn-16-2-small": ("wrn-16-2", 0.125, [3, 12, 12], 5, 2, None),
}


# ---------------------------------------------------------------------------------------------- generation

def f32(t):
    """Rounds to float32 and back, so the stored values are exactly the ones computed with."""
    return t.float().double()


def init_model(model, spec_in, gen):
    """He-normal weights, small biases, non-trivial batch norm: affine weights in [0.5, 1.5], running statistics
    taken from a separate calibration batch (so activations stay O(1) in eval mode, but differ from the test
    batch's own statistics), then perturbed."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen, dtype=torch.float64) * math.sqrt(2.0 / fan_in))
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=gen, dtype=torch.float64) * 0.1)
            elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.weight.copy_(0.5 + torch.rand(m.weight.shape, generator=gen, dtype=torch.float64))
                m.bias.copy_(torch.randn(m.bias.shape, generator=gen, dtype=torch.float64) * 0.2)
    bns = [m for m in model.modules() if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d))]
    if bns:
        saved = [m.momentum for m in bns]
        for m in bns:
            m.momentum = 1.0
        model.train()
        with torch.no_grad():
            model(torch.rand([8] + spec_in, generator=gen, dtype=torch.float64))
        for m, mo in zip(bns, saved):
            m.momentum = mo
            with torch.no_grad():
                c = m.running_mean.numel()
                m.running_mean.add_(0.1 * torch.randn(c, generator=gen, dtype=torch.float64) * m.running_var.sqrt())
                m.running_var.mul_(0.8 + 0.4 * torch.rand(c, generator=gen, dtype=torch.float64))
    model.eval()
    with torch.no_grad():
        for t in model.state_dict().values():
            if t.is_floating_point():
                t.copy_(f32(t))


def kink_margin(model, x):
    """The smallest |pre-activation| of a ReLU/leaky ReLU and the smallest gap between the two largest entries
    of a max-pool window whose maximum is not an exact 0 (a window of ReLU zeros has zero gradient either way)."""
    worst = [math.inf]

    def relu_hook(mod, inp, out):
        worst[0] = min(worst[0], inp[0].detach().abs().min().item())

    def pool_hook(mod, inp, out):
        x = inp[0].detach()
        k, s, p = (pair(v) for v in (mod.kernel_size, mod.stride, mod.padding))
        xp = F.pad(x, (p[1], p[1], p[0], p[0]), value=-math.inf)
        w = xp.unfold(2, k[0], s[0]).unfold(3, k[1], s[1])  # [N, C, Ho, Wo, kh, kw]
        w = w.reshape(*w.shape[:4], -1)
        if w.shape[-1] < 2:
            return
        top = w.topk(2, dim=-1).values
        gap = top[..., 0] - top[..., 1]
        gap = gap[top[..., 0] != 0]
        if gap.numel():
            worst[0] = min(worst[0], gap.min().item())

    hooks = []
    for m in model.modules():
        if isinstance(m, (nn.ReLU, nn.LeakyReLU)):
            hooks.append(m.register_forward_hook(relu_hook))
        elif isinstance(m, nn.MaxPool2d):
            hooks.append(m.register_forward_hook(pool_hook))
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return worst[0]


def expected_values(model, x, y, v):
    """Every quantity of expected.safetensors, in float64."""
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    ps = [p for n, p in model.named_parameters() if p.requires_grad]
    out = {}

    def grads(scalar, retain):
        gs = torch.autograd.grad(scalar, ps, retain_graph=retain, allow_unused=True)
        return [torch.zeros_like(p) if g is None else g for p, g in zip(ps, gs)]

    xv = x.clone().requires_grad_(True)
    logits = model(xv)
    n, k = logits.shape
    loss = F.cross_entropy(logits, y)
    out["logits"], out["loss"] = logits, loss
    gx = torch.autograd.grad(loss, xv, create_graph=True)[0]
    out["grad_x"] = gx
    for name, g in zip(names, grads(loss, True)):
        out["grad." + name] = g
    out["hvp_x"] = torch.autograd.grad((gx * v).sum(), xv, retain_graph=True)[0]
    gradnorm = (gx * gx).sum()
    out["gradnorm"] = gradnorm
    for name, g in zip(names, grads(gradnorm, True)):
        out["gradnorm.grad." + name] = g
    rows = [torch.autograd.grad(logits[:, c].sum(), xv, create_graph=True)[0] for c in range(k)]
    jac = torch.stack(rows, dim=1)  # [N, K, ...]
    out["jac_rows"] = jac
    emr = (jac * jac).sum() / n
    out["emr"] = emr
    for name, g in zip(names, grads(emr, False)):
        out["emr.grad." + name] = g
    return {key: t.detach() for key, t in out.items()}


def make_case(rel, spec, n, k, extra_meta):
    name = os.path.basename(rel)
    in_shape = list(spec["input"])
    for attempt in range(MAX_ATTEMPTS):
        seed = (zlib.crc32(rel.encode()) + 7919 * attempt) % (2 ** 31)
        gen = torch.Generator().manual_seed(seed)
        torch.manual_seed(seed)
        model = SpecNet(spec).double()
        assert len(model.out_shape) == 1 and k in (None, model.out_shape[0]), (rel, model.out_shape, k)
        k = model.out_shape[0]
        init_model(model, in_shape, gen)
        x = f32(torch.rand([n] + in_shape, generator=gen, dtype=torch.float64))
        v = f32(torch.randn([n] + in_shape, generator=gen, dtype=torch.float64))
        y = torch.randint(0, k, (n,), generator=gen, dtype=torch.int64)
        margin = kink_margin(model, x)
        if margin >= KINK_MARGIN:
            break
    else:
        raise RuntimeError(f"{rel}: no seed in {MAX_ATTEMPTS} attempts keeps ReLU/max-pool kinks {KINK_MARGIN} away")
    exp = expected_values(model, x, y, v)
    d = os.path.join(OUT, rel)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    meta = {"generator": GENERATOR, "torch_version": torch.__version__, "case": name, "seed": str(seed),
            "kink_margin": repr(margin)}
    meta.update(extra_meta)
    with open(os.path.join(d, "model.json"), "w") as f:
        f.write(json.dumps(spec, indent=1) + "\n")
    state = {key: t.detach().float().numpy() for key, t in model.state_dict().items()
             if not key.endswith("num_batches_tracked")}
    write_safetensors(os.path.join(d, "weights.safetensors"), state, meta)
    write_safetensors(os.path.join(d, "data.safetensors"),
                      {"x": x.float().numpy(), "y": y.numpy(), "v": v.float().numpy()}, meta)
    write_safetensors(os.path.join(d, "expected.safetensors"),
                      {key: t.float().numpy() for key, t in exp.items()}, meta)
    size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    print(f"{rel:36s} N={n} K={k} params={sum(p.numel() for p in model.parameters()):6d} "
          f"seed={seed} attempt={attempt} margin={margin:.2e} loss={exp['loss'].item():.4f} {size / 1024:7.1f} KiB")
    return size


def load_case(d):
    """Rebuilds a case from its files: the float64 model in eval mode, x, y, v and the expected tensors."""
    with open(os.path.join(d, "model.json")) as f:
        spec = json.load(f)
    model = SpecNet(spec).double().eval()
    weights, _ = read_safetensors(os.path.join(d, "weights.safetensors"))
    missing, unexpected = model.load_state_dict({k: torch.from_numpy(v.astype(np.float64)) for k, v in weights.items()},
                                                strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (d, missing, unexpected)
    data, _ = read_safetensors(os.path.join(d, "data.safetensors"))
    expected, _ = read_safetensors(os.path.join(d, "expected.safetensors"))
    x, v = (torch.from_numpy(data[k].astype(np.float64)) for k in ("x", "v"))
    y = torch.from_numpy(data["y"].astype(np.int64))
    return model, x, y, v, {k: torch.from_numpy(t.astype(np.float64)) for k, t in expected.items()}


def rel(a, b):
    nb = b.norm().item()
    return (a - b).norm().item() / nb if nb > 0 else (a - b).norm().item()


def check_case(d, h=1e-5):
    """Re-reads a case's files, recomputes everything (round trip of the file format) and checks the derivatives
    against central differences: <grad_x, v>, hvp_x and jac_rows along v; grad.*, gradnorm.grad.* and emr.grad.*
    along a random parameter direction. Returns the worst relative error of each check."""
    model, x, y, v, exp = load_case(d)
    again = expected_values(model, x, y, v)
    worst = {"stored": max(rel(exp[k], again[k].float().double()) for k in exp)}
    names = [n for n, _ in model.named_parameters()]
    base = {n: p.detach().clone() for n, p in model.named_parameters()}
    gen = torch.Generator().manual_seed(1)
    dirs = {n: torch.randn(base[n].shape, generator=gen, dtype=torch.float64) for n in names}

    def at_x(t):
        xv = t.clone().requires_grad_(True)
        z = model(xv)
        loss = F.cross_entropy(z, y)
        gx = torch.autograd.grad(loss, xv)[0]
        return z.detach(), loss.item(), gx

    zp, lp, gp = at_x(x + h * v)
    zm, lm, gm = at_x(x - h * v)
    e = again
    dl = torch.tensor((lp - lm) / (2 * h))
    worst["grad_x"] = rel(dl, (e["grad_x"] * v).sum())
    worst["hvp_x"] = rel((gp - gm) / (2 * h), e["hvp_x"])
    jv = (e["jac_rows"] * v.unsqueeze(1)).flatten(2).sum(2)  # [N, K]
    worst["jac_rows"] = rel((zp - zm) / (2 * h), jv)

    def scalars():
        q = expected_values(model, x, y, v)
        return torch.stack([q["loss"], q["gradnorm"], q["emr"]])

    with torch.no_grad():
        for n, p in model.named_parameters():
            p.copy_(base[n] + h * dirs[n])
    sp = scalars()
    with torch.no_grad():
        for n, p in model.named_parameters():
            p.copy_(base[n] - h * dirs[n])
    sm = scalars()
    with torch.no_grad():
        for n, p in model.named_parameters():
            p.copy_(base[n])
    fd = (sp - sm) / (2 * h)
    for i, prefix in enumerate(["grad.", "gradnorm.grad.", "emr.grad."]):
        worst[prefix + "*"] = rel(fd[i], sum((e[prefix + n] * dirs[n]).sum() for n in names))
    return worst


def check_all():
    worst_all = {}
    for root, dirs, files in sorted(os.walk(OUT)):
        dirs.sort()
        if "model.json" not in files:
            continue
        w = check_case(root)
        print(f"{os.path.relpath(root, OUT):36s} " + "  ".join(f"{k} {v:.1e}" for k, v in w.items()))
        for k, v in w.items():
            worst_all[k] = max(worst_all.get(k, 0.0), v)
    print("worst: " + "  ".join(f"{k} {v:.1e}" for k, v in worst_all.items()))
    bad = {k: v for k, v in worst_all.items() if v > (1e-6 if k == "stored" else 1e-5)}
    if bad:
        print(f"FAILED: {bad}")
        sys.exit(1)


def main():
    if sys.argv[1:] == ["--check"]:
        check_all()
        return
    only = sys.argv[1:]
    total = 0
    if not only and os.path.isdir(OUT):
        shutil.rmtree(OUT)
    for name, spec in LAYER_CASES.items():
        rel = "layers/" + name
        if only and name not in only:
            continue
        total += make_case(rel, spec, 3, None, {})
    for name, (zoo, width, inp, classes, n, norm) in ZOO_CASES.items():
        if only and name not in only:
            continue
        spec = zoo_spec(zoo, width, inp, classes, norm)
        meta = {"zoo": zoo, "zoo.width": repr(width), "zoo.input": ",".join(map(str, inp)),
                "zoo.classes": str(classes), "zoo.normalization": "cifar10" if norm else "none"}
        total += make_case("zoo/" + name, spec, n, classes, meta)
    print(f"total {total / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
