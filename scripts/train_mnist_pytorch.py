#!/usr/bin/python3
"""The PyTorch side of docs/pytorch.md: train a small nn.Sequential CNN with batch norm on MNIST, report its clean and
FGSM accuracy on the test set (as references for Brink), and export it with scripts/export_pytorch.py.

    /usr/bin/python3 scripts/train_mnist_pytorch.py [--data data/mnist] [--epochs 2] [--out models/mnist-bn-cnn]

Needs only Debian's python3-torch (numpy comes with it) and MNIST in data/mnist (make data).
"""

import argparse
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_pytorch import export  # noqa: E402


def read_idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    ndim = struct.unpack(">I", raw[:4])[0] & 0xFF
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(data, split):
    x = read_idx(os.path.join(data, f"{split}-images-idx3-ubyte"))
    y = read_idx(os.path.join(data, f"{split}-labels-idx1-ubyte"))
    return torch.from_numpy(x.copy()).float().div(255).unsqueeze(1), torch.from_numpy(y.astype(np.int64))


def make_model():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Dropout(0.1), nn.Linear(64, 10))


def accuracy(model, x, y, eps=0.0, batch=1000):
    """Clean accuracy (eps 0), or robust accuracy under FGSM (Goodfellow et al.) at L-inf eps, images clipped to
    [0, 1]. Robust as brink attack counts it: classified correctly both clean and after the attack (a misclassified
    image that FGSM happens to push to the right class does not count)."""
    correct = 0
    for i in range(0, len(x), batch):
        xb, yb = x[i:i + batch], y[i:i + batch]
        with torch.no_grad():
            ok = model(xb).argmax(1) == yb
        if eps > 0:
            xb = xb.clone().requires_grad_(True)
            loss = F.cross_entropy(model(xb), yb)
            g, = torch.autograd.grad(loss, xb)
            xb = (xb + eps * g.sign()).clamp(0, 1).detach()
            with torch.no_grad():
                ok &= model(xb).argmax(1) == yb
        correct += int(ok.sum())
    return correct / len(x)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default="data/mnist")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--out", default="models/mnist-bn-cnn")
    p.add_argument("--eps", type=float, default=0.1)
    a = p.parse_args()
    torch.manual_seed(0)
    xtr, ytr = load(a.data, "train")
    xte, yte = load(a.data, "t10k")
    model = make_model()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(a.epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), 128):
            idx = perm[i:i + 128]
            loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        print(f"epoch {epoch + 1}: loss {loss.item():.4f}, test accuracy {accuracy(model, xte, yte):.4f} ({time.time() - t0:.0f} s)")
    model.eval()
    print(f"PyTorch: clean accuracy {accuracy(model, xte, yte):.4f}, FGSM eps {a.eps}: {accuracy(model, xte, yte, a.eps):.4f}")
    weights, spec, _ = export(model, a.out, (1, 28, 28))
    print(f"exported {weights} and {spec}")


if __name__ == "__main__":
    main()
