#!/usr/bin/python3
"""Tests of scripts/export_pytorch.py (needs PyTorch; not part of the Maven suite): make pytorch-check, or
/usr/bin/python3 -m unittest discover -s scripts -p 'test_export_pytorch.py'."""

import json
import os
import struct
import sys
import tempfile
import unittest

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_pytorch import ExportError, export, read_safetensors, write_safetensors  # noqa: E402


def cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                         nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Dropout(0.5), nn.Linear(4, 3))


class ExportTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.dir.name, "m")

    def tearDown(self):
        self.dir.cleanup()

    def test_safetensors_layout_and_round_trip(self):
        t = {"b": torch.arange(6, dtype=torch.float32).reshape(2, 3), "a": torch.tensor([7], dtype=torch.int64),
             "c": torch.tensor(2.5, dtype=torch.float64)}
        path = os.path.join(self.dir.name, "t.safetensors")
        write_safetensors(path, t, {"k": "v"})
        with open(path, "rb") as f:
            raw = f.read()
        n = struct.unpack("<Q", raw[:8])[0]
        self.assertEqual(n % 8, 0)
        header = json.loads(raw[8:8 + n])
        self.assertEqual(list(header), ["__metadata__", "a", "b", "c"])
        self.assertEqual(header["a"], {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]})
        self.assertEqual(header["b"]["data_offsets"], [8, 32])
        self.assertEqual(len(raw), 8 + n + 40)
        back, meta = read_safetensors(path)
        self.assertEqual(meta, {"k": "v"})
        for k in t:
            self.assertTrue(torch.equal(back[k], t[k]), k)

    def test_sequential_keeps_pytorch_names_and_folds_adaptive_pool_and_flatten(self):
        m = cnn()
        weights, spec_path, spec = export(m, self.out, (1, 8, 8))
        self.assertEqual([l["type"] for l in spec["layers"]],
                         ["conv2d", "batchnorm2d", "relu", "maxpool2d", "global_avgpool", "dropout", "linear"])
        with open(spec_path) as f:
            self.assertEqual(json.load(f)["layers"], spec["layers"])
        tensors, meta = read_safetensors(weights)
        self.assertEqual(set(tensors), set(m.state_dict()))
        self.assertIn("7.weight", tensors)
        self.assertEqual(meta["brink.exported_by"], "scripts/export_pytorch.py")
        self.assertTrue(torch.equal(tensors["1.running_var"], m.state_dict()["1.running_var"]))
        self.assertTrue(m.training, "export restores the training flag")

    def test_nested_sequentials_are_written_under_brink_names(self):
        m = nn.Sequential(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU()), nn.Flatten(), nn.Sequential(nn.Identity(), nn.Linear(2 * 4 * 4, 2)))
        weights, _, spec = export(m, self.out, [1, 6, 6])
        self.assertEqual([l["type"] for l in spec["layers"]], ["conv2d", "relu", "flatten", "linear"])
        self.assertEqual(set(read_safetensors(weights)[0]), {"layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.3.bias"})
        with self.assertRaisesRegex(ExportError, "names='brink'"):
            export(m, self.out, [1, 6, 6], names="pytorch")

    def test_named_children_are_written_under_brink_names(self):
        from collections import OrderedDict
        m = nn.Sequential(OrderedDict([("conv", nn.Conv2d(1, 2, 3)), ("bn", nn.BatchNorm2d(2)), ("flat", nn.Flatten()),
                                       ("fc", nn.Linear(2 * 4 * 4, 2))]))
        weights, _, _ = export(m, self.out, [1, 6, 6])
        self.assertEqual(set(read_safetensors(weights)[0]), {"layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                                                              "layers.1.running_mean", "layers.1.running_var", "layers.3.weight", "layers.3.bias"})

    def test_conv_options(self):
        m = nn.Sequential(nn.Conv2d(2, 4, (3, 5), stride=(1, 2), padding=(1, 2), dilation=1, groups=2, bias=False),
                          nn.Conv2d(4, 4, 3, padding="same"), nn.LeakyReLU(0.2))
        _, _, spec = export(m, self.out, (2, 8, 8))
        self.assertEqual(spec["layers"][0], {"type": "conv2d", "out": 4, "kernel": [3, 5], "stride": [1, 2], "padding": [1, 2],
                                             "dilation": 1, "groups": 2, "bias": False})
        self.assertEqual(spec["layers"][1]["padding"], 1)
        self.assertEqual(spec["layers"][2], {"type": "leaky_relu", "slope": 0.2})

    def test_unsupported_modules_are_named_with_their_position(self):
        with self.assertRaisesRegex(ExportError, r"position 1 \(module '1'\): nn.GELU is not supported; supported: Conv2d"):
            export(nn.Sequential(nn.Conv2d(1, 2, 3), nn.GELU()), self.out, (1, 6, 6))
        with self.assertRaisesRegex(ExportError, r"position 2 \(module '2.0'\): nn.AdaptiveAvgPool2d\(2\)"):
            export(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Sequential(nn.AdaptiveAvgPool2d(2))), self.out, (1, 6, 6))
        with self.assertRaisesRegex(ExportError, "ceil_mode"):
            export(nn.Sequential(nn.MaxPool2d(2, ceil_mode=True)), self.out, (1, 5, 5))
        with self.assertRaisesRegex(ExportError, "not an nn.Sequential"):
            export(nn.Linear(2, 2), self.out, (2,))
        with self.assertRaisesRegex(ExportError, r"does not run on an input of shape \[1, 3, 8, 8\]"):
            export(cnn(), self.out, (3, 8, 8))
        self.assertFalse(os.path.exists(self.out + ".safetensors"), "nothing written on failure")


if __name__ == "__main__":
    unittest.main()
