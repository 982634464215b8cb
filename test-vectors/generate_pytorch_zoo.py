#!/usr/bin/python3
"""PyTorch ResNets and WideResNets, with their own names, for checking `brink import --model` against PyTorch's
forward pass (not only the names: the architectures must compute the same function).

Each case is a folder holding

  weights.safetensors  the model's state_dict() as PyTorch names it (num_batches_tracked included)
  case.json            {"args": [...]}: what `brink import weights.safetensors ARGS -o OUT` needs (--model or --spec)
  spec.json            (only where no zoo model fits) the Brink spec
  data.safetensors     x float32 [N, 3, H, W] in [0, 1], logits float32 [N, 10] (eval mode, float64 from the stored
                       float32 weights)

Cases:
  robustbench-wrn-16-2-tiny  RobustBench's / TRADES' WideResNet (transcribed below: the zoo's architectures code is not
                             packaged), channels scaled to 2-4-8-16 = zoo wrn-16-2 at --width 0.125; sub_block1 present.
                             Small (< 100 KB): committed under test-vectors/pytorch/ and checked by the default tests.
  torchvision-resnet18-cifar torchvision's resnet18 with the usual CIFAR stem swap (conv1 3x3 stride 1, maxpool
                             Identity) = zoo resnet18. 45 MB: written to --out only (needs python3-torchvision).
  torchvision-resnet18       torchvision's ImageNet resnet18 (7x7 stem, max-pool), imported with a spec having that
                             stem; 64x64 inputs. 45 MB, --out only.

Run: /usr/bin/python3 test-vectors/generate_pytorch_zoo.py [--out DIR] [--large]
(default: the tiny case into test-vectors/pytorch/; --large adds the torchvision cases, e.g. make pytorch-zoo-check).
"""

import argparse
import copy
import json
import os
import shutil
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))
from export_pytorch import read_safetensors, write_safetensors  # noqa: E402


# ------------------------------------------------------------------ RobustBench's WideResNet (wide_resnet.py), verbatim
# in structure and names; nChannels is a parameter here so a tiny version can be committed.

class BasicBlock(nn.Module):
    def __init__(self, in_planes, out_planes, stride, dropRate=0.0):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.relu1 = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_planes)
        self.relu2 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(out_planes, out_planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.droprate = dropRate
        self.equalInOut = (in_planes == out_planes)
        self.convShortcut = (not self.equalInOut) and nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride,
                                                                padding=0, bias=False) or None

    def forward(self, x):
        if not self.equalInOut:
            x = self.relu1(self.bn1(x))
        else:
            out = self.relu1(self.bn1(x))
        out = self.relu2(self.bn2(self.conv1(out if self.equalInOut else x)))
        if self.droprate > 0:
            out = F.dropout(out, p=self.droprate, training=self.training)
        out = self.conv2(out)
        return torch.add(x if self.equalInOut else self.convShortcut(x), out)


class NetworkBlock(nn.Module):
    def __init__(self, nb_layers, in_planes, out_planes, block, stride, dropRate=0.0):
        super().__init__()
        self.layer = nn.Sequential(*[block(i == 0 and in_planes or out_planes, out_planes, i == 0 and stride or 1, dropRate)
                                     for i in range(int(nb_layers))])

    def forward(self, x):
        return self.layer(x)


class WideResNet(nn.Module):
    def __init__(self, depth=28, num_classes=10, widen_factor=10, sub_block1=False, dropRate=0.0, nChannels=None):
        super().__init__()
        nChannels = nChannels or [16, 16 * widen_factor, 32 * widen_factor, 64 * widen_factor]
        n = (depth - 4) / 6
        self.conv1 = nn.Conv2d(3, nChannels[0], kernel_size=3, stride=1, padding=1, bias=False)
        self.block1 = NetworkBlock(n, nChannels[0], nChannels[1], BasicBlock, 1, dropRate)
        if sub_block1:
            self.sub_block1 = NetworkBlock(n, nChannels[0], nChannels[1], BasicBlock, 1, dropRate)
        self.block2 = NetworkBlock(n, nChannels[1], nChannels[2], BasicBlock, 2, dropRate)
        self.block3 = NetworkBlock(n, nChannels[2], nChannels[3], BasicBlock, 2, dropRate)
        self.bn1 = nn.BatchNorm2d(nChannels[3])
        self.relu = nn.ReLU(inplace=True)
        self.fc = nn.Linear(nChannels[3], num_classes)
        self.nChannels = nChannels[3]

    def forward(self, x):
        out = self.conv1(x)
        out = self.block1(out)
        out = self.block2(out)
        out = self.block3(out)
        out = self.relu(self.bn1(out))
        out = F.avg_pool2d(out, 8)
        out = out.view(-1, self.nChannels)
        return self.fc(out)


# ------------------------------------------------------------------ cases

def randomize_bn(model, gen):
    """Non-trivial batch-norm statistics and affine parameters, so that a wrong mapping shows in the logits."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=gen) * 0.1)
            m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
            m.weight.data.copy_(torch.rand(c, generator=gen) + 0.5)
            m.bias.data.copy_(torch.randn(c, generator=gen) * 0.1)
            m.num_batches_tracked.fill_(1000)


def imagenet_resnet18_spec(input_hw):
    """Brink spec of torchvision's ImageNet resnet18: 7x7/2 stem, 3x3/2 max-pool, then the zoo's residual stages."""
    def conv(o, k, s, p):
        return {"type": "conv2d", "out": o, "kernel": k, "stride": s, "padding": p, "bias": False}
    bn, relu = {"type": "batchnorm2d"}, {"type": "relu"}
    layers = [conv(64, 7, 2, 3), bn, relu, {"type": "maxpool2d", "kernel": 3, "stride": 2, "padding": 1}]
    cin = 64
    for s, planes in enumerate((64, 128, 256, 512)):
        for b in range(2):
            stride = 2 if b == 0 and s > 0 else 1
            body = [conv(planes, 3, stride, 1), bn, relu, conv(planes, 3, 1, 1), bn]
            shortcut = [conv(planes, 1, stride, 0), bn] if stride != 1 or cin != planes else []
            layers += [{"type": "residual", "body": body, "shortcut": shortcut}, relu]
            cin = planes
    layers += [{"type": "global_avgpool"}, {"type": "linear", "out": 10}]
    return {"input": [3] + list(input_hw), "layers": layers, "name": "torchvision-resnet18",
            "source": "torchvision resnet18 (He et al.), ImageNet stem, 10 classes"}


def write_case(folder, model, args, x, spec=None):
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    model.eval()
    write_safetensors(os.path.join(folder, "weights.safetensors"), model.state_dict(),
                      {"generator": "test-vectors/generate_pytorch_zoo.py", "torch": torch.__version__})
    state, _ = read_safetensors(os.path.join(folder, "weights.safetensors"))
    ref = copy.deepcopy(model).double()
    ref.load_state_dict({k: v.double() if v.is_floating_point() else v for k, v in state.items()})
    ref.eval()
    with torch.no_grad():
        logits = ref(x.double())
    write_safetensors(os.path.join(folder, "data.safetensors"), {"x": x, "logits": logits.float()})
    with open(os.path.join(folder, "case.json"), "w") as f:
        json.dump({"args": args}, f)
        f.write("\n")
    if spec is not None:
        with open(os.path.join(folder, "spec.json"), "w") as f:
            json.dump(spec, f)
            f.write("\n")
    size = sum(os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder))
    print(f"wrote {folder} ({size} bytes): logits |max| {float(logits.abs().max()):.3f}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=os.path.join(HERE, "pytorch"))
    p.add_argument("--large", action="store_true", help="also the torchvision resnet18 cases (45 MB each)")
    a = p.parse_args()
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)

    wrn = WideResNet(depth=16, widen_factor=2, sub_block1=True, nChannels=[2, 4, 8, 16])
    randomize_bn(wrn, gen)
    write_case(os.path.join(a.out, "robustbench-wrn-16-2-tiny"), wrn,
               ["--model", "wrn-16-2", "--width", "0.125"], torch.rand(2, 3, 32, 32, generator=gen))

    if a.large:
        import torchvision
        cifar = torchvision.models.resnet18(num_classes=10)
        cifar.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
        cifar.maxpool = nn.Identity()
        randomize_bn(cifar, gen)
        write_case(os.path.join(a.out, "torchvision-resnet18-cifar"), cifar, ["--model", "resnet18"],
                   torch.rand(2, 3, 32, 32, generator=gen))
        imagenet = torchvision.models.resnet18(num_classes=10)
        randomize_bn(imagenet, gen)
        write_case(os.path.join(a.out, "torchvision-resnet18"), imagenet, ["--spec", "spec.json"],
                   torch.rand(2, 3, 64, 64, generator=gen), spec=imagenet_resnet18_spec((64, 64)))


if __name__ == "__main__":
    main()
