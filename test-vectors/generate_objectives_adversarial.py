#!/usr/bin/python3
"""PyTorch reference losses for Brink's adversarial-training objectives (dev.brink.robust.train).

Writes objectives_adversarial.json (next to this script): fixed tiny model weights, a fixed batch, and for each
case the objective (Brink's registry spec), the inner attack (--train-attack spec), the optimizer step the
objective sees (TrainingContext.step: mixed-at alternates norms and ensemble-at rotates sources by it) and the
loss PyTorch computes for it. The inner attacks are deterministic (FGSM, the L2 / L1 fast gradient steps, PGD
without random start), so Brink and PyTorch compute the same thing.

Run with Debian's interpreter (the one that has python3-torch):
    /usr/bin/python3 test-vectors/generate_objectives_adversarial.py

Everything is float64, single-threaded, deterministic (torch.manual_seed from crc32 of a name); running it twice
gives identical files. Numbers are written with float.__repr__ and round-trip exactly.

Layout (T = {"dtype":"float64","shape":[..],"data":[flat row-major]}):
  {"generator", "torch_version",
   "models": {"net": [T conv.weight [3,1,3,3], T conv.bias [3], T linear.weight [3,48], T linear.bias [3]],
              "static": [same shapes: the fixed pre-trained model of ensemble-at],
              "logreg": [T weight [1,36], T bias [1]]},
   "batches": {"net": {"x": T [6,1,6,6] in [0,1], "y": [int labels]}, "logreg": {"x": T [8,1,6,6], "y": [0/1]}},
   "cases": [{"name", "model": "net"|"logreg", "objective", "train_attack", "step", "loss"}, ...]}
The net is conv 1->3 (3x3, no padding) - tanh - flatten - linear 48->3 (Brink's ObjectiveTestKit.tinyConvNet);
the logistic regression is flatten - linear 36->1. In "objective", {static} stands for the path of a model file
holding the "static" weights, which the Java test writes.

Brink's conventions replicated here (dev.brink.robust.attack): the attack loss is the per-sample cross-entropy
(a one-logit model's logits are seen as [0, z]); FGSM is x + eps sign(g) then the projection onto the L-inf ball
and the box [0, 1]; the L2 step is x + eps g / max(||g||_2, 1e-12); the L1 step spends eps on the features by
decreasing |g|, each up to its room in the box in g's sign; PGD keeps per sample its best iterate (a misclassified
one first, then the highest loss) over steps 0..steps, without early stop.
"""

import json
import os
import warnings
import zlib

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)
warnings.filterwarnings("ignore")

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
GENERATOR = "test-vectors/generate_objectives_adversarial.py"


def T(t):
    t = t.detach().clone().contiguous().to(torch.float64)
    return {"dtype": "float64", "shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def gen(name):
    return torch.Generator().manual_seed(zlib.crc32(name.encode()))


# ---------------------------------------------------------------------------- models

def net_params(name):
    g = gen(name)
    return [torch.randn(3, 1, 3, 3, generator=g) * 0.5, torch.randn(3, generator=g) * 0.1,
            torch.randn(3, 48, generator=g) * 0.3, torch.randn(3, generator=g) * 0.1]


def logreg_params(name):
    g = gen(name)
    return [torch.randn(1, 36, generator=g) * 0.5, torch.randn(1, generator=g) * 0.1]


def net_forward(p, x):
    h = torch.tanh(F.conv2d(x, p[0], p[1]))
    return h.reshape(x.shape[0], -1) @ p[2].t() + p[3]


def logreg_forward(p, x):
    return x.reshape(x.shape[0], -1) @ p[0].t() + p[1]


def classification_loss(z, y):
    """Brink's Objective.classificationLoss: mean CE, or mean BCE on a one-logit model."""
    if z.shape[1] == 1:
        return F.binary_cross_entropy_with_logits(z.reshape(-1), y.to(z.dtype))
    return F.cross_entropy(z, y)


def attack_logits(z):
    """Brink's Classifier: a one-logit model is seen as [0, z]."""
    return torch.cat([torch.zeros_like(z), z], 1) if z.shape[1] == 1 else z


def predictions(z):
    return (z.reshape(-1) > 0).long() if z.shape[1] == 1 else z.argmax(1)


def input_grad(f, x, y):
    xv = x.detach().clone().requires_grad_(True)
    l = F.cross_entropy(attack_logits(f(xv)), y, reduction="none")
    return torch.autograd.grad(l.sum(), xv)[0], l.detach(), attack_logits(f(xv)).detach()


def per_sample(v, like):
    return v.reshape([-1] + [1] * (like.dim() - 1))


def project(x, x0, norm, eps):
    if norm == "linf":
        return torch.minimum(torch.maximum(x, torch.clamp(x0 - eps, min=0)), torch.clamp(x0 + eps, max=1))
    d = x - x0
    if norm == "l2":
        n = d.reshape(d.shape[0], -1).norm(dim=1)
        scale = torch.where(n > eps, eps / torch.clamp(n, min=1e-300), torch.ones_like(n))
        return torch.clamp(x0 + d * per_sample(scale, d), 0, 1)
    raise ValueError(norm)


def fgsm(f, x, y, eps):
    g, _, _ = input_grad(f, x, y)
    return project(x + eps * torch.sign(g), x, "linf", eps)


def fgm_l2(f, x, y, eps):
    g, _, _ = input_grad(f, x, y)
    n = g.reshape(g.shape[0], -1).norm(dim=1).clamp(min=1e-12)
    return project(x + eps * g / per_sample(n, g), x, "l2", eps)


def fgm_l1(f, x, y, eps):
    """All of eps on the features by decreasing |g|, each up to its room in the box (Brink's box-fill)."""
    g, _, _ = input_grad(f, x, y)
    n = g.shape[0]
    gf, xf = g.reshape(n, -1), x.reshape(n, -1)
    out = xf.clone()
    for i in range(n):
        left = eps
        for j in torch.argsort(gf[i].abs(), descending=True).tolist():
            if gf[i, j] == 0 or left <= 0:
                continue
            room = (1 - xf[i, j]) if gf[i, j] > 0 else xf[i, j]
            a = min(left, float(room))
            out[i, j] = xf[i, j] + a * torch.sign(gf[i, j])
            left -= a
    return out.reshape(x.shape)


def pgd(f, x, y, norm, eps, steps, step):
    """No random start, no early stop; the best iterate per sample (misclassified first, then highest loss)."""
    n = x.shape[0]
    best = x.clone()
    best_loss = [float("-inf")] * n
    best_ok = [False] * n
    cur = x.clone()
    for s in range(steps + 1):
        g, l, z = input_grad(f, cur, y)
        ok = (z.argmax(1) != y).tolist()
        for i in range(n):
            if (ok[i] and not best_ok[i]) or (ok[i] == best_ok[i] and float(l[i]) > best_loss[i]):
                best_ok[i], best_loss[i] = ok[i], float(l[i])
                best[i] = cur[i]
        if s == steps:
            break
        if norm == "linf":
            nxt = cur + step * torch.sign(g)
        else:
            nrm = g.reshape(n, -1).norm(dim=1).clamp(min=1e-12)
            nxt = cur + step * g / per_sample(nrm, g)
        cur = project(nxt, x, norm, eps)
    return best


# ---------------------------------------------------------------------------- objectives

def mix(f, x, y, adv, alpha):
    return alpha * classification_loss(f(x), y) + (1 - alpha) * classification_loss(f(adv), y)


def coral(a, b):
    k = a.shape[1]
    return (torch.cov(a.t()) - torch.cov(b.t())).abs().sum() / (k * k)


def mmd(a, b):
    return (a.mean(0) - b.mean(0)).abs().sum() / a.shape[1]


def sda(z, y):
    m, k = z.shape
    zd = z.detach()
    present = torch.zeros(k, dtype=torch.bool)
    centers = torch.zeros(k, k)
    for c in range(k):
        sel = y == c
        if sel.any():
            present[c] = True
            centers[c] = zd[sel].mean(0)
    dist = (z.unsqueeze(1) - centers.unsqueeze(0)).abs().sum(2)
    own = dist.gather(1, y.reshape(m, 1))
    mask = (torch.arange(k).unsqueeze(0) != y.unsqueeze(1)) & present.unsqueeze(0)
    return (torch.nn.functional.softplus(own - dist) * mask).sum() / (m * (k - 1))


def atda(f, x, y, adv, lam):
    zc, za = f(x), f(adv)
    ce = 0.5 * (classification_loss(zc, y) + classification_loss(za, y))
    return ce + lam * (coral(zc, za) + mmd(zc, za) + sda(torch.cat([zc, za]), torch.cat([y, y])))


def main():
    net = net_params("objectives-adversarial/net")
    static = net_params("objectives-adversarial/static")
    lr = logreg_params("objectives-adversarial/logreg")
    g = gen("objectives-adversarial/batch")
    x = torch.rand(6, 1, 6, 6, generator=g)
    y = torch.arange(6) % 3
    xl = torch.rand(8, 1, 6, 6, generator=g)
    yl = torch.tensor([0, 1, 1, 0, 1, 0, 0, 1])

    f = lambda v: net_forward(net, v)
    fs = lambda v: net_forward(static, v)
    fl = lambda v: logreg_forward(lr, v)
    pred = predictions(f(x))
    pgd_spec = "pgd:norm=linf,eps=0.1,steps=5,step=0.03,random-start=false,early-stop=false"
    mixed_spec = "pgd:steps=5,random-start=false,early-stop=false"
    cases = [
        ("fgsm-at true labels", "net", "fgsm-at", "fgsm:eps=0.1", 0, mix(f, x, y, fgsm(f, x, y, 0.1), 0.5)),
        ("fgsm-at predicted labels, alpha 0.3", "net", "fgsm-at:labels=predicted,alpha=0.3", "fgsm:eps=0.1", 0,
         mix(f, x, y, fgsm(f, x, pred, 0.1), 0.3)),
        ("fgsm-at logistic regression", "logreg", "fgsm-at", "fgsm:eps=0.1", 0, mix(fl, xl, yl, fgsm(fl, xl, yl, 0.1), 0.5)),
        ("fgsm-at logistic regression, predicted labels", "logreg", "fgsm-at:labels=predicted", "fgsm:eps=0.1", 0,
         mix(fl, xl, yl, fgsm(fl, xl, predictions(fl(xl)), 0.1), 0.5)),
        ("robust-optimization linf", "net", "robust-optimization:norm=linf,eps=0.1", "", 0, classification_loss(f(fgsm(f, x, y, 0.1)), y)),
        ("robust-optimization l2", "net", "robust-optimization:norm=l2,eps=0.5", "", 0, classification_loss(f(fgm_l2(f, x, y, 0.5)), y)),
        ("robust-optimization l1", "net", "robust-optimization:norm=l1,eps=1.0", "", 0, classification_loss(f(fgm_l1(f, x, y, 1.0)), y)),
        ("pgd-at", "net", "pgd-at", pgd_spec, 0, classification_loss(f(pgd(f, x, y, "linf", 0.1, 5, 0.03)), y)),
        ("pgd-at delayed start, clean epoch", "net", "pgd-at:clean-epochs=1", pgd_spec, 0, classification_loss(f(x), y)),
        ("mixed-at step 0 (linf)", "net", "mixed-at:linf-eps=0.1,l2-eps=0.5", mixed_spec, 0,
         classification_loss(f(pgd(f, x, y, "linf", 0.1, 5, 0.05)), y)),
        ("mixed-at step 1 (l2)", "net", "mixed-at:linf-eps=0.1,l2-eps=0.5", mixed_spec, 1,
         classification_loss(f(pgd(f, x, y, "l2", 0.5, 5, 0.25)), y)),
        ("mixed-at half batches", "net", "mixed-at:linf-eps=0.1,l2-eps=0.5,mode=half", mixed_spec, 0,
         classification_loss(f(torch.cat([pgd(f, x[:3], y[:3], "linf", 0.1, 5, 0.05), pgd(f, x[3:], y[3:], "l2", 0.5, 5, 0.25)])), y)),
        ("ensemble-at step 0 (trained model)", "net", "ensemble-at:models={static}", "fgsm:eps=0.1", 0, mix(f, x, y, fgsm(f, x, y, 0.1), 0.5)),
        ("ensemble-at step 1 (static model)", "net", "ensemble-at:models={static}", "fgsm:eps=0.1", 1, mix(f, x, y, fgsm(fs, x, y, 0.1), 0.5)),
        ("atda", "net", "atda", "fgsm:eps=0.1", 0, atda(f, x, y, fgsm(f, x, y, 0.1), 1 / 3)),
        ("atda pgd, lambda 1", "net", "atda:lambda=1", pgd_spec, 0, atda(f, x, y, pgd(f, x, y, "linf", 0.1, 5, 0.03), 1.0)),
    ]
    out = {
        "generator": GENERATOR,
        "torch_version": torch.__version__,
        "models": {"net": [T(t) for t in net], "static": [T(t) for t in static], "logreg": [T(t) for t in lr]},
        "batches": {"net": {"x": T(x), "y": y.tolist()}, "logreg": {"x": T(xl), "y": yl.tolist()}},
        "cases": [{"name": n, "model": m, "objective": o, "train_attack": a, "step": s, "loss": float(l)} for n, m, o, a, s, l in cases],
    }
    path = os.path.join(OUT_DIR, "objectives_adversarial.json")
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    print(f"wrote {path}: {len(cases)} cases")
    for c in out["cases"]:
        print(f"  {c['name']}: {c['loss']!r}")


if __name__ == "__main__":
    main()
