#!/usr/bin/python3
"""The benchmark's workloads in PyTorch, for `make bench-compare`.

Run with Debian's interpreter and packages (python3-torch, BLAS through libopenblas0-pthread), or with PyTorch 2.x
from pip in the venv `make torch-venv` makes (bench/target/torch-venv/bin/python; make bench-compare's default peer):

    /usr/bin/python3 bench/pytorch/workloads.py [WORKLOAD...] [--threads N] [--reps N] [--warmup N] [--smoke]

Prints `name<TAB>median_seconds<TAB>peak_rss_mib=N<TAB>reps=S,S,...` per workload (GFLOP/s for sgemm_1024_gflops),
exactly like `./brink bench` (peak_rss_mib: this process's VmHWM so far, per workload when each runs in its own
process, as make bench-compare does); setup details and every rep's time also go to standard error. The definitions match
bench/src/main/java/dev/brink/bench/Workloads.java (the issue's list): random data, float32, warm-up (at least
--warmup reps and --warmup-seconds), then the median of --reps timed reps.
"""

import argparse
import ctypes
import os
import statistics
import sys
import time

NAMES = [
    "madry_mnist_train_step_b128",
    "madry_mnist_pgd40_b128",
    "madry_mnist_pgd7_at_step_b128",
    "madry_mnist_igr_double_backprop_step_b128",
    "madry_mnist_jacreg_step_b128",
    "madry_mnist_input_hvp_b128",
    "madry_mnist_trades_step_b128",
    "mlp4x1024_train_step_b100",
    "mlp4x1024_emr_exact_step_b100",
    "mlp4x1024_emr_approx_step_b100",
    "galloway_cifar_cnn_train_step_b128",
    "resnet18_cifar_train_step_b32",
    "vgg16_cifar_train_step_b32",
    "wrn_16_4_cifar_pgd10_b32",
    "madry_mnist_apgd_ce100_b100",
    "autoattack_standard_madry_mnist_b100",
    "sgemm_1024_gflops",
]

# Workloads PyTorch does not run here, with the reason (printed as n/a, like DL4J's).
UNSUPPORTED = {
    "autoattack_standard_madry_mnist_b100":
        "the reference AutoAttack (fra31/auto-attack) is not installable on these machines; "
        "madry_mnist_apgd_ce100_b100 times its first attack as a plain loop",
}

CLASSES = 10
ADAM_LR, SGD_LR, SGD_MOMENTUM = 1e-3, 0.01, 0.9
PGD_STEPS, SMOKE_PGD_STEPS, PGD_EPS, PGD_STEP = 40, 2, 0.3, 0.01
PGD_AT_STEPS = 7
APGD_BATCH, APGD_STEPS, SMOKE_APGD_STEPS = 100, 100, 3
IGR_WEIGHT, EMR_WEIGHT = 10.0, 0.1
JACREG_WEIGHT, EMR_TEMPERATURE = 1.0, 1.0
TRADES_STEPS, TRADES_BETA, TRADES_START_SIGMA = 40, 1.0, 0.001  # Zhang et al.'s MNIST setting (train_trades_mnist.py)
CIFAR_DEEP_BATCH, CIFAR_PGD_STEPS, CIFAR_PGD_EPS, CIFAR_PGD_STEP = 32, 10, 8 / 255, 2 / 255
MAX_WARMUP = 1000


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("workloads", nargs="*", metavar="WORKLOAD")
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (default: all cores)")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--warmup-seconds", type=float, default=5.0)
    p.add_argument("--smoke", action="store_true", help="tiny sizes, one rep: checks that every workload runs")
    p.add_argument("--list", action="store_true")
    p.add_argument("--device", default="cpu", help="torch device: cpu (default) or cuda; on cuda TF32 is off, so both sides compute in float32")
    a = p.parse_args(argv)
    for n in a.workloads:
        if n not in NAMES:
            p.error("unknown workload '%s'; known: %s" % (n, ", ".join(NAMES)))
    if a.reps < 1 or a.warmup < 0:
        p.error("--reps must be >= 1 and --warmup >= 0")
    return a


ARGS = parse_args(sys.argv[1:])
if ARGS.list:  # answered without importing torch
    print("\n".join(NAMES))
    sys.exit(0)
if ARGS.threads > 0:
    # before torch (and the BLAS it loads) starts its thread pools
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

if ARGS.threads > 0:
    torch.set_num_threads(ARGS.threads)
torch.manual_seed(1234)
DEVICE = torch.device(ARGS.device)
if DEVICE.type == "cuda":
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


def onednn_description():
    """The oneDNN (MKL-DNN) torch was built with, from its build configuration, and the CPU capability it dispatches to."""
    lines = [l.strip().lstrip("- ") for l in torch.__config__.show().splitlines() if "MKL-DNN" in l or "CPU capability" in l]
    return "; ".join(lines) or "not reported"


def blas_description():
    """The BLAS torch uses: from its build configuration for a pip wheel (MKL), else which BLAS Debian's libblas.so.3
    resolves to, with OpenBLAS's own config line."""
    config = torch.__config__.show()
    if "BLAS_INFO=mkl" in config:
        mkl = [l.strip() for l in config.splitlines() if "Math Kernel Library" in l or "MKL-DNN" in l]
        return "MKL (pip wheel): " + "; ".join(mkl)
    try:
        real = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    except OSError:
        real = "?"
    desc = real
    try:
        lib = ctypes.CDLL("libblas.so.3")
        get_config = lib.openblas_get_config
        get_config.restype = ctypes.c_char_p
        desc += " (%s" % get_config().decode().strip()
        try:
            lib.openblas_get_corename.restype = ctypes.c_char_p
            desc += ", core %s" % lib.openblas_get_corename().decode()
        except AttributeError:
            pass
        try:
            lib.openblas_get_num_threads.restype = ctypes.c_int
            desc += ", %d threads" % lib.openblas_get_num_threads()
        except AttributeError:
            pass
        desc += ")"
    except (OSError, AttributeError):
        desc += " (not OpenBLAS)"
    return desc


# ---------------------------------------------------------------------------------------------- models


def w(channels, width):
    return max(1, int(round(channels * width)))


def madry(width=1.0):
    # conv 1->32 5x5 pad 2, relu, maxpool 2; conv 32->64 5x5 pad 2, relu, maxpool 2; linear 3136->1024, relu; linear 1024->10
    c1, c2, h = w(32, width), w(64, width), w(1024, width)
    return on_device(
        nn.Conv2d(1, c1, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(c2 * 7 * 7, h), nn.ReLU(), nn.Linear(h, CLASSES))


def mlp(width=1.0):
    # linear 784->1024 + relu, three more 1024->1024 + relu, linear 1024->10
    h = w(1024, width)
    layers = [nn.Flatten()]
    d = 784
    for _ in range(4):
        layers += [nn.Linear(d, h), nn.ReLU()]
        d = h
    layers.append(nn.Linear(d, CLASSES))
    return on_device(*layers)


def galloway(width=1.0):
    # conv 3->32 8x8 stride 2 pad 3, relu; conv 32->64 6x6 stride 2, relu; conv 64->64 5x5, relu; linear 256->10; no biases
    c1, c2, c3 = w(32, width), w(64, width), w(64, width)
    return on_device(
        nn.Conv2d(3, c1, 8, stride=2, padding=3, bias=False), nn.ReLU(),
        nn.Conv2d(c1, c2, 6, stride=2, bias=False), nn.ReLU(),
        nn.Conv2d(c2, c3, 5, bias=False), nn.ReLU(),
        nn.Flatten(), nn.Linear(c3 * 2 * 2, CLASSES, bias=False))


def resnet18(width=1.0):
    # the zoo's resnet18: CIFAR ResNet-18 (3x3 stem, no max-pool), convs without bias, BN, linear 512->10 with bias
    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.body = nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                                      nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
            self.shortcut = (nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))
                             if stride != 1 or cin != cout else nn.Identity())

        def forward(self, x):
            return F.relu(self.body(x) + self.shortcut(x))

    c = w(64, width)
    layers = [nn.Conv2d(3, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU()]
    cin = c
    for s, planes in enumerate((64, 128, 256, 512)):
        for blk in range(2):
            cout = w(planes, width)
            layers.append(Block(cin, cout, 2 if blk == 0 and s > 0 else 1))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, CLASSES)]
    return on_device(*layers)


def vgg16(width=1.0):
    # the zoo's vgg16-cifar: 13 x (conv 3x3 pad 1 without bias, BN, ReLU), maxpool 2 after each stage, linear 512->10
    layers, cin = [], 3
    for stage in ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512)):
        for ch in stage:
            cout = w(ch, width)
            layers += [nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
            cin = cout
        layers.append(nn.MaxPool2d(2, 2))
    layers += [nn.Flatten(), nn.Linear(cin, CLASSES)]
    return on_device(*layers)


def wrn(depth, widen, width=1.0):
    # the zoo's wrn-D-W: pre-activation WideResNet; where a block changes width or stride, BN-ReLU before the split
    # and a 1x1 conv shortcut; otherwise BN, ReLU, conv, BN, ReLU, conv plus the input
    class Residual(nn.Module):
        def __init__(self, body, shortcut):
            super().__init__()
            self.body, self.shortcut = body, shortcut

        def forward(self, x):
            return self.body(x) + self.shortcut(x)

    n = (depth - 4) // 6
    cin = w(16, width)
    layers = [nn.Conv2d(3, cin, 3, 1, 1, bias=False)]
    for g, base in enumerate((16, 32, 64)):
        cout = w(base * widen, width)
        for blk in range(n):
            stride = 2 if blk == 0 and g > 0 else 1
            if cin == cout and stride == 1:
                layers.append(Residual(nn.Sequential(
                    nn.BatchNorm2d(cin), nn.ReLU(), nn.Conv2d(cin, cout, 3, 1, 1, bias=False),
                    nn.BatchNorm2d(cout), nn.ReLU(), nn.Conv2d(cout, cout, 3, 1, 1, bias=False)), nn.Identity()))
            else:
                layers += [nn.BatchNorm2d(cin), nn.ReLU(), Residual(nn.Sequential(
                    nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
                    nn.Conv2d(cout, cout, 3, 1, 1, bias=False)), nn.Conv2d(cin, cout, 1, stride, 0, bias=False))]
            cin = cout
    layers += [nn.BatchNorm2d(cin), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, CLASSES)]
    return on_device(*layers)


def on_device(*layers):
    return nn.Sequential(*layers).to(DEVICE)


def data(b, *sample):
    return torch.rand(b, *sample, device=DEVICE), torch.randint(0, CLASSES, (b,), device=DEVICE)


# ---------------------------------------------------------------------------------------------- workloads
# Each setup returns the step to time; a step returns a float (which also forces the result).


def train_step(model, opt, x, y):
    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()
    return step


def madry_train(smoke):
    b = 4 if smoke else 128
    model = madry(1 / 16 if smoke else 1.0)
    x, y = data(b, 1, 28, 28)
    return train_step(model, torch.optim.Adam(model.parameters(), lr=ADAM_LR), x, y)


def madry_pgd40(smoke):
    b = 4 if smoke else 128
    steps = SMOKE_PGD_STEPS if smoke else PGD_STEPS
    model = madry(1 / 16 if smoke else 1.0).eval().requires_grad_(False)
    x, y = data(b, 1, 28, 28)
    return pgd_loop(model, x, y, steps, PGD_EPS, PGD_STEP)


def madry_pgd7_at(smoke):
    """Madry et al.'s adversarial training step: PGD-7 on the model in eval mode, then Adam on CE(adv) in train mode."""
    b = 4 if smoke else 128
    steps = SMOKE_PGD_STEPS if smoke else PGD_AT_STEPS
    model = madry(1 / 16 if smoke else 1.0)
    opt = torch.optim.Adam(model.parameters(), lr=ADAM_LR)
    x, y = data(b, 1, 28, 28)
    lo = (x - PGD_EPS).clamp(min=0.0)
    hi = (x + PGD_EPS).clamp(max=1.0)

    def step():
        model.eval()
        with torch.no_grad():
            adv = torch.min(torch.max(x + torch.empty_like(x).uniform_(-PGD_EPS, PGD_EPS), lo), hi)
        for _ in range(steps):
            adv.requires_grad_(True)
            loss = F.cross_entropy(model(adv), y)
            g, = torch.autograd.grad(loss, adv)
            with torch.no_grad():
                adv = torch.min(torch.max(adv + PGD_STEP * g.sign(), lo), hi)
        model.train()
        opt.zero_grad()
        loss = F.cross_entropy(model(adv.detach()), y)
        loss.backward()
        opt.step()
        return loss.item()
    return step


def madry_igr(smoke):
    b = 4 if smoke else 128
    model = madry(1 / 16 if smoke else 1.0)
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=ADAM_LR)
    x, y = data(b, 1, 28, 28)
    x.requires_grad_(True)

    def step():
        ce = F.cross_entropy(model(x), y)
        gx, = torch.autograd.grad(ce, x, create_graph=True)
        penalty = gx.pow(2).sum(dim=(1, 2, 3)).mean()
        total = ce + IGR_WEIGHT * penalty
        grads = torch.autograd.grad(total, params)
        for p, g in zip(params, grads):
            p.grad = g
        opt.step()
        return total.item()
    return step


def madry_jacreg(smoke):
    """CE + 1 * mean L2 norm of d(z_y - max_{j!=y} z_j)/dx (Yu et al.), one shared train-mode forward."""
    b = 4 if smoke else 128
    model = madry(1 / 16 if smoke else 1.0)
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=ADAM_LR)
    x, y = data(b, 1, 28, 28)

    def step():
        xv = x.detach().requires_grad_(True)
        z = model(xv)
        ce = F.cross_entropy(z, y)
        mask = F.one_hot(y, CLASSES).to(z.dtype)
        d = (z * mask).sum(1) - (z - 1e30 * mask).amax(1)
        gx, = torch.autograd.grad(d.sum(), xv, create_graph=True)
        penalty = gx.flatten(1).norm(dim=1).mean()
        total = ce + JACREG_WEIGHT * penalty
        grads = torch.autograd.grad(total, params)
        for p, g in zip(params, grads):
            p.grad = g
        opt.step()
        return total.item()
    return step


def madry_hvp(smoke):
    b = 4 if smoke else 128
    model = madry(1 / 16 if smoke else 1.0).eval().requires_grad_(False)
    x, y = data(b, 1, 28, 28)
    v = torch.randn_like(x)

    def step():
        xv = x.detach().requires_grad_(True)
        g, = torch.autograd.grad(F.cross_entropy(model(xv), y), xv, create_graph=True)
        hv, = torch.autograd.grad((g * v).sum(), xv)
        return hv.sum().item()
    return step


def madry_trades(smoke):
    # Zhang et al.'s trades_loss: KL ascent in eval mode from x + 0.001 N(0, 1), then CE + beta * KL / B in train mode
    b = 4 if smoke else 128
    steps = SMOKE_PGD_STEPS if smoke else TRADES_STEPS
    model = madry(1 / 16 if smoke else 1.0)
    params = list(model.parameters())
    opt = torch.optim.SGD(params, lr=SGD_LR, momentum=SGD_MOMENTUM)
    x, y = data(b, 1, 28, 28)

    def step():
        model.eval()
        with torch.no_grad():
            clean = F.softmax(model(x), dim=1)
        adv = x + TRADES_START_SIGMA * torch.randn_like(x)
        for _ in range(steps):
            adv.requires_grad_(True)
            kl = F.kl_div(F.log_softmax(model(adv), dim=1), clean, reduction="sum")
            g, = torch.autograd.grad(kl, adv)
            with torch.no_grad():
                adv = torch.min(torch.max(adv + PGD_STEP * g.sign(), x - PGD_EPS), x + PGD_EPS).clamp(0.0, 1.0)
        model.train()
        adv = adv.detach()
        logits = model(x)
        loss = F.cross_entropy(logits, y) + TRADES_BETA * F.kl_div(
            F.log_softmax(model(adv), dim=1), F.softmax(logits, dim=1), reduction="sum") / b
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()
    return step


def madry_apgd_ce(smoke):
    """The least any PyTorch APGD-CE spends: 100 x (forward, CE, input gradient, signed step, clip), labels = predictions."""
    b = 4 if smoke else APGD_BATCH
    steps = SMOKE_APGD_STEPS if smoke else APGD_STEPS
    model = madry(1 / 16 if smoke else 1.0).eval().requires_grad_(False)
    x, _ = data(b, 1, 28, 28)
    with torch.no_grad():
        y = model(x).argmax(1)
    lo = (x - PGD_EPS).clamp(min=0.0)
    hi = (x + PGD_EPS).clamp(max=1.0)

    def step():
        adv = x.clone()
        for _ in range(steps):
            adv.requires_grad_(True)
            loss = F.cross_entropy(model(adv), y, reduction="sum")
            g, = torch.autograd.grad(loss, adv)
            with torch.no_grad():
                adv = torch.min(torch.max(adv + 2 * PGD_EPS * g.sign(), lo), hi)
        return adv.sum().item()
    return step


def mlp_train(smoke):
    b = 4 if smoke else 100
    model = mlp(1 / 16 if smoke else 1.0)
    x, y = data(b, 1, 28, 28)
    return train_step(model, torch.optim.SGD(model.parameters(), lr=SGD_LR, momentum=SGD_MOMENTUM), x, y)


def mlp_emr(smoke):
    b = 4 if smoke else 100
    model = mlp(1 / 16 if smoke else 1.0)
    params = list(model.parameters())
    opt = torch.optim.SGD(params, lr=SGD_LR, momentum=SGD_MOMENTUM)
    x, y = data(b, 1, 28, 28)
    x.requires_grad_(True)
    seeds = [F.one_hot(torch.full((b,), k, device=DEVICE), CLASSES).float() for k in range(CLASSES)]

    def step():
        z = model(x)
        ce = F.cross_entropy(z, y)
        emr = 0.0
        for k in range(CLASSES):
            row, = torch.autograd.grad(z, x, grad_outputs=seeds[k], retain_graph=True, create_graph=True)
            emr = emr + row.pow(2).sum()
        total = ce + (EMR_WEIGHT / b) * emr
        grads = torch.autograd.grad(total, params)
        for p, g in zip(params, grads):
            p.grad = g
        opt.step()
        return total.item()
    return step


def mlp_emr_approx(smoke):
    """CE + 0.1 * approximate EMR (Liu and Chan) at t = 1: eval-mode forward for EMR, train-mode forward for CE."""
    b = 4 if smoke else 100
    model = mlp(1 / 16 if smoke else 1.0)
    params = list(model.parameters())
    opt = torch.optim.SGD(params, lr=SGD_LR, momentum=SGD_MOMENTUM)
    x, y = data(b, 1, 28, 28)

    def step():
        xv = x.detach().requires_grad_(True)
        model.eval()
        z = model(xv)
        p = torch.softmax(z.detach() / EMR_TEMPERATURE, dim=1)
        g, = torch.autograd.grad((z * p).sum(), xv, create_graph=True)
        emr = g.flatten(1).pow(2).sum(1).mean()
        model.train()
        ce = F.cross_entropy(model(x), y)
        total = ce + EMR_WEIGHT * emr
        grads = torch.autograd.grad(total, params)
        for p_, g_ in zip(params, grads):
            p_.grad = g_
        opt.step()
        return total.item()
    return step


def galloway_train(smoke):
    b = 4 if smoke else 128
    model = galloway(1 / 8 if smoke else 1.0)
    x, y = data(b, 3, 32, 32)
    return train_step(model, torch.optim.Adam(model.parameters(), lr=ADAM_LR), x, y)


def deep_cifar_train(make):
    def setup(smoke):
        b = 4 if smoke else CIFAR_DEEP_BATCH
        model = make(1 / 16 if smoke else 1.0).train()
        x, y = data(b, 3, 32, 32)
        return train_step(model, torch.optim.SGD(model.parameters(), lr=SGD_LR, momentum=SGD_MOMENTUM), x, y)
    return setup


def wrn_pgd10(smoke):
    b = 4 if smoke else CIFAR_DEEP_BATCH
    steps = SMOKE_PGD_STEPS if smoke else CIFAR_PGD_STEPS
    model = wrn(16, 4, 1 / 16 if smoke else 1.0).eval().requires_grad_(False)
    x, y = data(b, 3, 32, 32)
    return pgd_loop(model, x, y, steps, CIFAR_PGD_EPS, CIFAR_PGD_STEP)


def pgd_loop(model, x, y, steps, eps, step_size):
    lo = (x - eps).clamp(min=0.0)
    hi = (x + eps).clamp(max=1.0)

    def step():
        with torch.no_grad():
            adv = torch.min(torch.max(x + torch.empty_like(x).uniform_(-eps, eps), lo), hi)
        for _ in range(steps):
            adv.requires_grad_(True)
            loss = F.cross_entropy(model(adv), y)
            g, = torch.autograd.grad(loss, adv)
            with torch.no_grad():
                adv = torch.min(torch.max(adv + step_size * g.sign(), lo), hi)
        return adv.sum().item()
    return step


def sgemm(smoke):
    n = 64 if smoke else 1024
    a, bm = torch.rand(n, n, device=DEVICE), torch.rand(n, n, device=DEVICE)

    def step():
        c = torch.matmul(a, bm)
        return c[0, 0].item()
    return step


SETUPS = {
    "madry_mnist_train_step_b128": madry_train,
    "madry_mnist_pgd40_b128": madry_pgd40,
    "madry_mnist_pgd7_at_step_b128": madry_pgd7_at,
    "madry_mnist_igr_double_backprop_step_b128": madry_igr,
    "madry_mnist_jacreg_step_b128": madry_jacreg,
    "madry_mnist_input_hvp_b128": madry_hvp,
    "madry_mnist_trades_step_b128": madry_trades,
    "mlp4x1024_train_step_b100": mlp_train,
    "mlp4x1024_emr_exact_step_b100": mlp_emr,
    "mlp4x1024_emr_approx_step_b100": mlp_emr_approx,
    "galloway_cifar_cnn_train_step_b128": galloway_train,
    "resnet18_cifar_train_step_b32": deep_cifar_train(resnet18),
    "vgg16_cifar_train_step_b32": deep_cifar_train(vgg16),
    "wrn_16_4_cifar_pgd10_b32": wrn_pgd10,
    "madry_mnist_apgd_ce100_b100": madry_apgd_ce,
    "sgemm_1024_gflops": sgemm,
}


def flops(name, smoke):
    if name == "sgemm_1024_gflops":
        n = 64 if smoke else 1024
        return 2.0 * n ** 3
    return 0.0


def measure(name, args):
    step = SETUPS[name](args.smoke)
    warmup, warmup_s, reps = (0, 0.0, 1) if args.smoke else (args.warmup, args.warmup_seconds, args.reps)
    t_start = time.perf_counter()
    for i in range(MAX_WARMUP):
        if i >= warmup and time.perf_counter() - t_start >= warmup_s:
            break
        step()
    secs, value = [], float("nan")
    for _ in range(reps):
        t0 = time.perf_counter()
        value = step()
        secs.append(time.perf_counter() - t0)
    if value != value or value in (float("inf"), float("-inf")):
        raise SystemExit("%s: the step produced a non-finite value (%r)" % (name, value))
    med = statistics.median(secs)
    f = flops(name, args.smoke)
    shown = "%.2f" % (f / med / 1e9) if f > 0 else "%.6f" % med
    return shown, secs, value


def peak_rss_mib():
    """This process's peak resident set size in MiB: VmHWM of /proc/self/status, as the Java engines read it (else
    getrusage's ru_maxrss, KiB on Linux)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main():
    names = ARGS.workloads or NAMES
    sys.stderr.write("# pytorch bench: torch %s, %d threads, python %s, BLAS %s, oneDNN %s (in use: %s), "
                     "OPENBLAS_CORETYPE %s, OPENBLAS_L2_SIZE %s, device %s\n" % (
        torch.__version__, torch.get_num_threads(), sys.version.split()[0], blas_description(), onednn_description(),
        torch.backends.mkldnn.is_available(), os.environ.get("OPENBLAS_CORETYPE", "unset"), os.environ.get("OPENBLAS_L2_SIZE", "unset"),
        torch.cuda.get_device_name(DEVICE) if DEVICE.type == "cuda" else "cpu"))
    sys.stderr.flush()
    for name in names:
        if name in UNSUPPORTED:
            sys.stdout.write("%s\tn/a\n" % name)
            sys.stdout.flush()
            sys.stderr.write("# %s: n/a (%s)\n" % (name, UNSUPPORTED[name]))
            sys.stderr.flush()
            continue
        shown, secs, value = measure(name, ARGS)
        # one write per line, so that stdout and stderr interleave by whole lines
        rss = peak_rss_mib()
        sys.stdout.write("%s\t%s\tpeak_rss_mib=%d\treps=%s\n" % (name, shown, rss, ",".join("%.6f" % s for s in secs)))
        sys.stdout.flush()
        sys.stderr.write("# %s: reps [s] %s; value %.6g; peak RSS %d MiB\n" % (name, " ".join("%.4f" % s for s in secs), value, rss))
        sys.stderr.flush()


if __name__ == "__main__":
    main()
