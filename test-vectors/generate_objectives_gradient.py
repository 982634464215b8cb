#!/usr/bin/python3
"""PyTorch reference values for Brink's gradient-regularizer objectives (robust/train):
input-gradient (Ross and Doshi-Velez), jacobian-reg (Yu et al.; L1, L2, L-inf), emr exact and approximate
(Liu and Chan) and the effective margins, on one fixed batch of the objective test kit's tiny net
(conv 1->3 3x3, tanh, flatten, linear 48->3) with the weights written here.

Writes test-vectors/objectives_gradient.json (format of README.md: tensors as {"dtype","shape","data"}).
Run with Debian's interpreter:  /usr/bin/python3 test-vectors/generate_objectives_gradient.py
Everything float64, single-threaded, deterministic (torch.manual_seed(2024)).
"""

import json
import os

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "objectives_gradient.json")


def T(t):
    t = t.detach().contiguous()
    if t.dtype == torch.int64:
        return {"dtype": "int64", "shape": list(t.shape), "data": [int(v) for v in t.reshape(-1).tolist()]}
    return {"dtype": "float64", "shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def main():
    torch.manual_seed(2024)
    n = 6
    params = {
        "conv.weight": torch.randn(3, 1, 3, 3) * 0.5,
        "conv.bias": torch.randn(3) * 0.1,
        "fc.weight": torch.randn(3, 48) * 0.3,
        "fc.bias": torch.randn(3) * 0.1,
    }
    y = torch.arange(n) % 3
    rows = torch.arange(6).reshape(1, 6, 1).expand(n, 6, 6)
    base = torch.where(rows // 2 == y.reshape(n, 1, 1), 0.7, 0.15)
    x = (base + 0.25 * (torch.rand(n, 6, 6) - 0.5)).clamp(0, 1).reshape(n, 1, 6, 6)

    def f(inp):
        h = torch.tanh(F.conv2d(inp, params["conv.weight"], params["conv.bias"]))
        return F.linear(h.flatten(1), params["fc.weight"], params["fc.bias"])

    xv = x.clone().requires_grad_(True)
    z = f(xv)
    ce = F.cross_entropy(z, y)
    ce_each = F.cross_entropy(z, y, reduction="none")
    g_ce = torch.autograd.grad(ce_each.sum(), xv, retain_graph=True)[0]
    igr = g_ce.flatten(1).pow(2).sum(1).mean()

    mask = F.one_hot(y, 3).to(z.dtype)
    d = (z * mask).sum(1) - (z - 1e300 * mask).amax(1)
    g_d = torch.autograd.grad(d.sum(), xv, retain_graph=True)[0].flatten(1)
    jac = {"l1": g_d.abs().sum(1).mean(), "l2": g_d.norm(dim=1).mean(), "linf": g_d.abs().amax(1).mean()}

    rows_k = []
    for k in range(3):
        seed = torch.zeros_like(z)
        seed[:, k] = 1
        rows_k.append(torch.autograd.grad(z, xv, grad_outputs=seed, retain_graph=True)[0].flatten(1))
    J = torch.stack(rows_k)  # [K, B, D]
    emr_exact = J.pow(2).sum() / n

    def approx(t):
        p = torch.softmax(z.detach() / t, dim=1)
        g = torch.autograd.grad((z * p).sum(), xv, retain_graph=True)[0]
        return g.flatten(1).pow(2).sum(1).mean()

    # cross-entropy objective with label smoothing 0.1, l1 0.01, l2 0.005 on the weights (rank >= 2), and its
    # parameter gradients (Galloway et al.'s regularized cross-entropy)
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    h = torch.tanh(F.conv2d(x, leaves["conv.weight"], leaves["conv.bias"]))
    zr = F.linear(h.flatten(1), leaves["fc.weight"], leaves["fc.bias"])
    weights = [leaves["conv.weight"], leaves["fc.weight"]]
    ce_reg = (F.cross_entropy(zr, y, label_smoothing=0.1)
              + 0.01 * sum(w.abs().sum() for w in weights) + 0.005 * sum(w.pow(2).sum() for w in weights))
    ce_reg_grads = dict(zip(leaves.keys(), torch.autograd.grad(ce_reg, list(leaves.values()))))

    margins = []
    zd = z.detach()
    for i in range(n):
        best = float("inf")
        for j in range(3):
            if j == int(y[i]):
                continue
            den = (J[int(y[i]), i] - J[j, i]).norm()
            best = min(best, float((zd[i, y[i]] - zd[i, j]) / den))
        margins.append(best)

    out = {
        "generator": "test-vectors/generate_objectives_gradient.py",
        "torch": torch.__version__,
        "params": {k: T(v) for k, v in params.items()},
        "x": T(x),
        "y": T(y),
        "logits": T(zd),
        "ce": float(ce),
        "ce_regularized": {"spec": "cross-entropy:label-smoothing=0.1,l1=0.01,l2=0.005", "loss": float(ce_reg),
                           "grads": {k: T(v) for k, v in ce_reg_grads.items()}},
        "input_gradient": float(igr),
        "jacobian_reg": {k: float(v) for k, v in jac.items()},
        "emr_exact": float(emr_exact),
        "emr_approx": {"1": float(approx(1.0)), "0.5": float(approx(0.5)), "40": float(approx(40.0))},
        "effective_margins": margins,
    }
    with open(OUT, "w") as fh:
        json.dump(out, fh, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
