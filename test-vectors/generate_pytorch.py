#!/usr/bin/python3
"""The PyTorch-import fixture: a small nn.Sequential CNN with batch norm, trained briefly on MNIST in PyTorch and
exported with scripts/export_pytorch.py, plus test images and PyTorch's logits for them.

Writes test-vectors/pytorch/mnist-cnn-bn/:

  cnn.safetensors            the state dict under PyTorch's own names (0.weight, 1.num_batches_tracked, ...)
  cnn.spec.json              the spec export_pytorch.py wrote (AdaptiveAvgPool2d(1) + Flatten -> one global_avgpool,
                             so the file's layer indices after it are one higher than the spec's)
  t10k-images-idx3-ubyte     the first N MNIST test images (IDX, uint8), and their labels in
  t10k-labels-idx1-ubyte
  expected.safetensors       logits float32 [N, 10] of the model in eval mode on images / 255, computed in float64
                             from the stored float32 weights; metadata: accuracy, correct, n

Run: /usr/bin/python3 test-vectors/generate_pytorch.py [--data data/mnist] [--n 64]  (make pytorch-fixture).
Needs MNIST in data/mnist (make data). Deterministic for a given torch version.
"""

import argparse
import os
import shutil
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
from export_pytorch import export, read_safetensors, write_safetensors  # noqa: E402

OUT = os.path.join(HERE, "pytorch", "mnist-cnn-bn")


def read_idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    magic, = struct.unpack(">I", raw[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def write_idx(path, a):
    a = np.ascontiguousarray(a, dtype=np.uint8)
    with open(path, "wb") as f:
        f.write(struct.pack(">I", 0x0800 | a.ndim))
        f.write(struct.pack(">" + "I" * a.ndim, *a.shape))
        f.write(a.tobytes())


def model():
    """The fixture's CNN: conv-BN-ReLU-pool twice, AdaptiveAvgPool2d(1) + Flatten, Linear-BN1d-ReLU-Dropout-Linear."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(32, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 10))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default=os.path.join(HERE, "..", "data", "mnist"))
    p.add_argument("--n", type=int, default=64, help="test images kept in the fixture")
    p.add_argument("--steps", type=int, default=400)
    a = p.parse_args()
    for f in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        if not os.path.exists(os.path.join(a.data, f)):
            sys.exit(f"generate_pytorch.py: {os.path.join(a.data, f)} missing; run make data")
    torch.manual_seed(0)
    torch.set_num_threads(2)
    xs = torch.from_numpy(read_idx(os.path.join(a.data, "train-images-idx3-ubyte")).copy()).float().div(255).unsqueeze(1)
    ys = torch.from_numpy(read_idx(os.path.join(a.data, "train-labels-idx1-ubyte")).astype(np.int64))
    net = model()
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    net.train()
    g = torch.Generator().manual_seed(0)
    for step in range(a.steps):
        idx = torch.randint(0, len(xs), (64,), generator=g)
        loss = nn.functional.cross_entropy(net(xs[idx]), ys[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.eval()

    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    export(net, os.path.join(OUT, "cnn"), (1, 28, 28), name="mnist-cnn-bn")

    timg = read_idx(os.path.join(a.data, "t10k-images-idx3-ubyte"))[:a.n]
    tlab = read_idx(os.path.join(a.data, "t10k-labels-idx1-ubyte"))[:a.n]
    write_idx(os.path.join(OUT, "t10k-images-idx3-ubyte"), timg)
    write_idx(os.path.join(OUT, "t10k-labels-idx1-ubyte"), tlab)

    # logits in float64 from exactly the stored float32 weights (re-read from the file)
    state, _ = read_safetensors(os.path.join(OUT, "cnn.safetensors"))
    ref = model().double()
    ref.load_state_dict({k: v.double() if v.is_floating_point() else v for k, v in state.items()})
    ref.eval()
    x = torch.from_numpy(timg.astype(np.float32) / np.float32(255)).unsqueeze(1).double()
    with torch.no_grad():
        logits = ref(x)
    correct = int((logits.argmax(1) == torch.from_numpy(tlab.astype(np.int64))).sum())
    write_safetensors(os.path.join(OUT, "expected.safetensors"), {"logits": logits.float()},
                      {"accuracy": f"{correct / a.n:.6f}", "correct": str(correct), "n": str(a.n),
                       "generator": "test-vectors/generate_pytorch.py", "torch": torch.__version__})
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {OUT}: {a.n} images, PyTorch accuracy {correct}/{a.n}, {total} bytes")


if __name__ == "__main__":
    main()
