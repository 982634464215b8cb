#!/usr/bin/python3
"""PyTorch as "another engine" reading cases made by `brink vectors make`.

For each case folder given, this script does what another engine's test suite would do with Brink's reference
vectors: it reads model.json (through generate_models.py's spec interpreter), the weights, x, y and v, computes
every quantity listed in the `quantities` metadata entry with PyTorch, once in float64 and once in float32, and
compares each tensor by the relative error ||a - b|| / ||b|| (||a|| where b is 0) with the tolerances the case
states: `tolerance.float64` for the float64 run, `tolerance.float32.<quantity>` for the float32 run.

    ./brink vectors make madry-mnist --width 0.0625 --data mnist --limit 4 --out /tmp/ref
    /usr/bin/python3 test-vectors/check_made_cases.py /tmp/ref [more case folders...]

Exit status 0 when every quantity is within tolerance in both precisions, 1 otherwise. `make vectors-torch-check`
makes two cases (the exported PyTorch CNN of test-vectors/pytorch/ and a zoo model, in float64 and float32) and
runs this on them. The safetensors reader is written out by hand (12 lines) so that nothing beyond numpy and torch
is needed; it is the reader docs/gradient-testing.md shows.
"""

import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_models import SpecNet  # noqa: E402  (the spec language in PyTorch)

torch.use_deterministic_algorithms(True)
torch.backends.cudnn.allow_tf32 = False


def read_safetensors(path):
    """{name: numpy array}, {metadata}: the safetensors format (8-byte header length, JSON header, raw data)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    kinds = {"F64": "<f8", "F32": "<f4", "I32": "<i4", "I64": "<i8"}
    tensors = {}
    for name, h in header.items():
        begin, end = h["data_offsets"]
        tensors[name] = np.frombuffer(data[begin:end], kinds[h["dtype"]]).reshape(h["shape"])
    return tensors, meta


def relative_error(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    nb = np.linalg.norm(b)
    return np.linalg.norm(a - b) / nb if nb > 0 else np.linalg.norm(a)


def compute(model, x, y, v, quantities):
    """The quantities of a case (ModelQuantities.java), by name."""
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    ps = [p for n, p in model.named_parameters() if p.requires_grad]

    def loss_of(logits, reduction="mean"):
        if logits.shape[1] == 1:  # one logit: binary cross-entropy against labels 0/1
            return F.binary_cross_entropy_with_logits(logits[:, 0], y.to(logits.dtype), reduction=reduction)
        return F.cross_entropy(logits, y, reduction=reduction)

    def param_grads(prefix, scalar):
        gs = torch.autograd.grad(scalar, ps, retain_graph=True, allow_unused=True)
        for name, p, g in zip(names, ps, gs):
            out[prefix + name] = torch.zeros_like(p) if g is None else g

    out = {}
    xv = x.clone().requires_grad_(True)
    logits = model(xv)
    n, k = logits.shape
    loss = loss_of(logits)
    out["logits"], out["loss"] = logits, loss
    gx = torch.autograd.grad(loss, xv, create_graph=True)[0]
    out["grad_x"] = gx
    param_grads("grad.", loss)
    out["hvp_x"] = torch.autograd.grad((gx * v).sum(), xv, retain_graph=True)[0]
    if "hessian_x" in quantities:
        d = x[0].numel()
        blocks = []
        for i in range(n):  # d^2 L / dx[i]^2, L the mean over the batch
            def f(xi, i=i):
                xs = torch.cat([x[:i], xi.reshape(1, *x.shape[1:]), x[i + 1:]])
                return loss_of(model(xs))
            blocks.append(torch.autograd.functional.hessian(f, x[i].reshape(d)))
        out["hessian_x"] = torch.stack(blocks)
    gradnorm = (gx * gx).sum()
    out["gradnorm"] = gradnorm
    param_grads("gradnorm.grad.", gradnorm)
    rows = [torch.autograd.grad(logits[:, c].sum(), xv, create_graph=True)[0] for c in range(k)]
    jac = torch.stack(rows, dim=1)  # [N, K, ...]
    out["jac_rows"] = jac
    emr = (jac * jac).sum() / n
    out["emr"] = emr
    param_grads("emr.grad.", emr)
    return {name: t.detach() for name, t in out.items()}


def check_case(d):
    with open(os.path.join(d, "model.json")) as f:
        spec = json.load(f)
    weights, _ = read_safetensors(os.path.join(d, "weights.safetensors"))
    data, _ = read_safetensors(os.path.join(d, "data.safetensors"))
    expected, meta = read_safetensors(os.path.join(d, "expected.safetensors"))
    quantities = meta["quantities"].split(",")
    ok = True
    for dtype, label in ((torch.float64, "float64"), (torch.float32, "float32")):
        model = SpecNet(spec).to(dtype).eval()
        state = {k: torch.from_numpy(np.array(v, np.float64)).to(dtype) for k, v in weights.items()}
        missing, unexpected = model.load_state_dict(state, strict=False)
        assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (d, missing, unexpected)
        x = torch.from_numpy(np.array(data["x"], np.float64)).to(dtype)
        v = torch.from_numpy(np.array(data["v"], np.float64)).to(dtype)
        y = torch.from_numpy(np.array(data["y"], np.int64))
        got = compute(model, x, y, v, quantities)
        for q in quantities:
            names = [q] if not q.endswith(".*") else [n for n in expected if n.startswith(q[:-1])]
            err = max(relative_error(got[n].numpy(), expected[n]) for n in names) if names else 0.0
            tol = float(meta["tolerance.float64"] if label == "float64" else meta["tolerance.float32." + q])
            verdict = "PASS" if err <= tol else "FAIL"
            ok &= err <= tol
            print(f"{os.path.basename(os.path.normpath(d)):<16} {label}  {q:<18} rel {err:.1e}  tolerance {tol:.0e}  {verdict}")
    return ok


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    ok = all([check_case(d) for d in argv])
    print("all within tolerance" if ok else "SOME QUANTITIES OUT OF TOLERANCE")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
