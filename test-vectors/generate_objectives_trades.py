#!/usr/bin/python3
"""PyTorch reference values for Brink's TRADES-family training objectives.

Writes objectives_trades.json (next to this script): a tiny tanh conv net's
weights (conv 1->3 3x3, tanh, flatten, linear 48->3: Brink's ObjectiveTestKit
net), a batch of 6 images [6, 1, 6, 6] in [0, 1] with labels i % 3, a fixed
start offset of the inner maximization (0.001 * N(0, 1), the reference codes'
start, drawn here once so that Brink and PyTorch start at the same point), and
for each case the objective's loss and its gradient with respect to every
weight.

Cases: trades (L-inf and L2 inner PGD), mart, mail (base at and trades),
l-softmax (m = 1, 2, 3 with lambda 1, 4) and hypersphere. The formulas follow
the papers' reference codes (Zhang et al. TRADES; Wang et al. MART; Wang, Liu
et al. MAIL, with the paper's mean-1 weight normalization; Liu et al.
L-Softmax; Pang et al. hypersphere embedding); see docs/objectives.md.

Run with Debian's interpreter (the one that has python3-torch):
    /usr/bin/python3 test-vectors/generate_objectives_trades.py

Everything is float64, single-threaded and deterministic; numbers round-trip
exactly (float.__repr__).

Layout (T = {"dtype":"float64","shape":[..],"data":[flat row-major]}):
  {"generator", "torch_version", "params": {name: T}, "x": T, "y": [ints],
   "start_noise": T,
   "cases": [{"name", "objective": Brink objective spec,
              "attack": Brink --train-attack spec or null,
              "loss": float, "grads": {name: T}}, ...]}
"""

import json
import math
import os
import warnings

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)
warnings.filterwarnings("ignore")

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "objectives_trades.json")
NAMES = ["layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.3.bias"]


def T(t):
    t = t.detach().contiguous()
    return {"dtype": "float64", "shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def features(p, x):
    return torch.tanh(F.conv2d(x, p["layers.0.weight"], p["layers.0.bias"])).flatten(1)


def forward(p, x):
    return features(p, x) @ p["layers.3.weight"].t() + p["layers.3.bias"]


def inner_pgd(p, x, start, loss, eps, step, steps, norm):
    """The reference codes' last-iterate PGD: signed (L-inf) or unit-L2 steps, projection on ball and [0, 1]."""
    adv = start.detach().clone()
    for _ in range(steps):
        adv.requires_grad_(True)
        g, = torch.autograd.grad(loss(adv), adv)
        adv = adv.detach()
        if norm == "linf":
            adv = adv + step * torch.sign(g)
            adv = torch.min(torch.max(adv, x - eps), x + eps).clamp(0.0, 1.0)
        else:
            gn = g.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, 1, 1, 1)
            adv = adv + step * g / gn
            d = adv - x
            dn = d.flatten(1).norm(dim=1).view(-1, 1, 1, 1)
            d = torch.where(dn > eps, d * (eps / dn), d)
            adv = (x + d).clamp(0.0, 1.0)
    return adv.clamp(0.0, 1.0).detach()


def kl_rows(adv_logits, logits):
    return F.kl_div(F.log_softmax(adv_logits, dim=1), F.softmax(logits, dim=1), reduction="none").sum(1)


def trades_adv(p, x, start, eps, step, steps, norm):
    clean = F.softmax(forward(p, x), dim=1).detach()
    loss = lambda a: F.kl_div(F.log_softmax(forward(p, a), dim=1), clean, reduction="sum")
    return inner_pgd(p, x, start, loss, eps, step, steps, norm)


def trades(p, x, y, start, beta, eps, step, steps, norm):
    adv = trades_adv(p, x, start, eps, step, steps, norm)
    logits, adv_logits = forward(p, x), forward(p, adv)
    return F.cross_entropy(logits, y) + beta * kl_rows(adv_logits, logits).sum() / x.shape[0]


def mart(p, x, y, start, beta, eps, step, steps):
    adv = inner_pgd(p, x, start, lambda a: F.cross_entropy(forward(p, a), y), eps, step, steps, "linf")
    logits, logits_adv = forward(p, x), forward(p, adv)
    adv_probs = F.softmax(logits_adv, dim=1)
    tmp1 = torch.argsort(adv_probs, dim=1)[:, -2:]
    new_y = torch.where(tmp1[:, -1] == y, tmp1[:, -2], tmp1[:, -1])
    loss_adv = F.cross_entropy(logits_adv, y) + F.nll_loss(torch.log(1.0001 - adv_probs + 1e-12), new_y)
    nat_probs = F.softmax(logits, dim=1)
    true_probs = torch.gather(nat_probs, 1, y.unsqueeze(1)).squeeze()
    kl = F.kl_div(torch.log(adv_probs + 1e-12), nat_probs, reduction="none").sum(1)
    return loss_adv + beta * (kl * (1.0000001 - true_probs)).sum() / x.shape[0]


def mail_weights(logits_adv, y, slope, bias):
    probs = F.softmax(logits_adv, dim=1).detach()
    onehot = F.one_hot(y, probs.shape[1]).to(probs.dtype)
    pm = (probs * onehot).sum(1) - (probs - 2 * onehot).max(1)[0]
    w = torch.sigmoid(-slope * (pm - bias))
    return w * len(w) / w.sum()


def mail(p, x, y, start, base, slope, bias, beta, eps, step, steps):
    if base == "at":
        adv = inner_pgd(p, x, start, lambda a: F.cross_entropy(forward(p, a), y), eps, step, steps, "linf")
        logits_adv = forward(p, adv)
        return (F.cross_entropy(logits_adv, y, reduction="none") * mail_weights(logits_adv, y, slope, bias)).mean()
    adv = trades_adv(p, x, start, eps, step, steps, "linf")
    logits, logits_adv = forward(p, x), forward(p, adv)
    w = mail_weights(logits_adv, y, slope, bias)
    return F.cross_entropy(logits, y) + beta * (kl_rows(logits_adv, logits) * w).sum() / x.shape[0]


def lsoftmax(p, x, y, m, lam):
    h = features(p, x)
    W, b = p["layers.3.weight"], p["layers.3.bias"]
    plain = h @ W.t()
    wy = W[y]
    dot = (h * wy).sum(1)
    norms = wy.norm(dim=1) * h.norm(dim=1)
    cos = (dot / norms).clamp(-1, 1)
    k = torch.floor(torch.acos(cos.detach()) * m / math.pi).clamp(max=m - 1)
    cos_m = sum(((-1) ** n) * math.comb(m, 2 * n) * cos ** (m - 2 * n) * (1 - cos ** 2) ** n for n in range(m // 2 + 1))
    psi = ((-1.0) ** k) * cos_m - 2 * k
    target = norms * psi
    if lam > 0:
        target = (lam * dot + target) / (1 + lam)
    onehot = F.one_hot(y, W.shape[0]).to(h.dtype)
    logits = plain + onehot * (target - dot).unsqueeze(1) + b
    return F.cross_entropy(logits, y)


def hypersphere(p, x, y, s, m):
    h = features(p, x)
    W = p["layers.3.weight"]
    cos = (h / h.norm(dim=1, keepdim=True)) @ (W / W.norm(dim=1, keepdim=True)).t()
    onehot = F.one_hot(y, W.shape[0]).to(h.dtype)
    return F.cross_entropy(s * (cos - m * onehot), y)


def main():
    g = torch.Generator().manual_seed(20261206)
    params = {
        "layers.0.weight": torch.randn(3, 1, 3, 3, generator=g) * 0.6,
        "layers.0.bias": torch.randn(3, generator=g) * 0.2,
        "layers.3.weight": torch.randn(3, 48, generator=g) * 0.4,
        "layers.3.bias": torch.randn(3, generator=g) * 0.2,
    }
    n = 6
    y = torch.arange(n) % 3
    x = torch.rand(n, 1, 6, 6, generator=g) * 0.5
    for i in range(n):  # class k: a bright k-th band of rows, some pixels at the box's edges
        x[i, 0, 2 * int(y[i]):2 * int(y[i]) + 2, :] += 0.5
    x[0, 0, 0, 0], x[1, 0, 5, 5] = 0.0, 1.0
    start_noise = torch.randn(n, 1, 6, 6, generator=g) * 0.001
    start = x + start_noise

    cases = [
        ("trades-linf", "trades:beta=6", "pgd:steps=3,eps=0.1,step=0.03,norm=linf",
         lambda p: trades(p, x, y, start, 6.0, 0.1, 0.03, 3, "linf")),
        ("trades-l2", "trades:beta=2", "pgd:steps=3,eps=0.5,step=0.2,norm=l2",
         lambda p: trades(p, x, y, start, 2.0, 0.5, 0.2, 3, "l2")),
        ("mart", "mart:beta=6", "pgd:steps=3,eps=0.1,step=0.03,norm=linf",
         lambda p: mart(p, x, y, start, 6.0, 0.1, 0.03, 3)),
        ("mail-at", "mail:base=at", "pgd:steps=3,eps=0.1,step=0.03,norm=linf",
         lambda p: mail(p, x, y, start, "at", 30.0, 0.07, 0.0, 0.1, 0.03, 3)),
        ("mail-trades", "mail:base=trades", "pgd:steps=3,eps=0.1,step=0.03,norm=linf",
         lambda p: mail(p, x, y, start, "trades", 5.0, 0.05, 5.0, 0.1, 0.03, 3)),
        ("l-softmax-m1", "l-softmax:m=1,lambda-start=0", None, lambda p: lsoftmax(p, x, y, 1, 0.0)),
        ("l-softmax-m2", "l-softmax:m=2,lambda-start=0", None, lambda p: lsoftmax(p, x, y, 2, 0.0)),
        ("l-softmax-m3-lambda1", "l-softmax:m=3,lambda=1,lambda-start=0", None, lambda p: lsoftmax(p, x, y, 3, 1.0)),
        ("l-softmax-m4", "l-softmax:lambda-start=0", None, lambda p: lsoftmax(p, x, y, 4, 0.0)),
        ("hypersphere", "hypersphere", None, lambda p: hypersphere(p, x, y, 15.0, 0.2)),
    ]
    out_cases = []
    for name, objective, attack, fn in cases:
        p = {k: v.clone().requires_grad_(True) for k, v in params.items()}
        loss = fn(p)
        grads = torch.autograd.grad(loss, [p[k] for k in NAMES], allow_unused=True)
        grads = [torch.zeros_like(params[k]) if gk is None else gk for k, gk in zip(NAMES, grads)]  # unused: 0
        out_cases.append({"name": name, "objective": objective, "attack": attack, "loss": float(loss),
                          "grads": {k: T(gk) for k, gk in zip(NAMES, grads)}})
    doc = {"generator": "test-vectors/generate_objectives_trades.py", "torch_version": torch.__version__,
           "params": {k: T(params[k]) for k in NAMES}, "x": T(x), "y": [int(v) for v in y.tolist()],
           "start_noise": T(start_noise), "cases": out_cases}
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    for c in out_cases:
        print(f"{c['name']:24s} loss {c['loss']:.12g}")


if __name__ == "__main__":
    main()
