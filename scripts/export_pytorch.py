#!/usr/bin/python3
"""Export a PyTorch model to Brink: its weights as a safetensors file and its architecture as a Brink spec.

Needs only PyTorch (Debian's python3-torch will do); the safetensors format is written by hand (8-byte
little-endian header length, a JSON header, the raw little-endian tensor data), so the `safetensors` package is
not needed.

The model must be an nn.Sequential (nested nn.Sequentials are flattened) of these modules:

  nn.Conv2d             -> conv2d     (padding_mode "zeros"; padding an int, a pair, "valid", or "same" at stride 1)
  nn.Linear             -> linear
  nn.BatchNorm1d / 2d   -> batchnorm1d / batchnorm2d   (affine, with running statistics)
  nn.ReLU, nn.Tanh, nn.Sigmoid, nn.Softplus (beta 1), nn.LeakyReLU -> relu, tanh, sigmoid, softplus, leaky_relu
  nn.MaxPool2d          -> maxpool2d  (no dilation, no ceil_mode)
  nn.AvgPool2d          -> avgpool2d  (count_include_pad, no ceil_mode, no divisor_override)
  nn.AdaptiveAvgPool2d(1), optionally followed by nn.Flatten -> global_avgpool (one layer for both)
  nn.Flatten            -> flatten    (start_dim 1, end_dim -1)
  nn.Dropout            -> dropout
  nn.Identity           -> nothing

Anything else is refused with its position and name, e.g.
  "position 4 (module 'features.4'): nn.GELU is not supported; supported: ...".

Writes OUT.safetensors (the state dict under PyTorch's own names, as safetensors.torch.save_file would; Brink maps
them, see `brink import --help`) and OUT.spec.json. For nested nn.Sequentials, or children with names
(nn.Sequential(OrderedDict(...))), the tensors are written under Brink's names instead (layers.<i>.weight), since their
PyTorch names do not give the positions.

Library:
    from export_pytorch import export
    export(model, "models/cnn", input_shape=(1, 28, 28))

Command line (a module:callable that builds the model, and optionally a saved state dict for it):
    /usr/bin/python3 scripts/export_pytorch.py --arch mynet:make_model --weights mynet.pt --input 1,28,28 --out models/cnn
    /usr/bin/python3 scripts/export_pytorch.py --model whole_model.pt --input 1,28,28 --out models/cnn

Then:  ./brink import models/cnn.safetensors --spec models/cnn.spec.json -o models/cnn.brink.safetensors
or use the pair directly:  ./brink attack models/cnn.safetensors --spec models/cnn.spec.json ...
"""

import argparse
import importlib
import json
import os
import struct
import sys
import tempfile

import torch
import torch.nn as nn

SUPPORTED = ("Conv2d, Linear, BatchNorm1d, BatchNorm2d, ReLU, Tanh, Sigmoid, Softplus, LeakyReLU, MaxPool2d, AvgPool2d, "
             "AdaptiveAvgPool2d(1), Flatten, Dropout, Identity (inside nn.Sequential)")

_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
           torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8"}


class ExportError(ValueError):
    """A model Brink cannot represent; the message names the module and its position."""


# ------------------------------------------------------------------------------------------------ safetensors

def write_safetensors(path, tensors, metadata=None):
    """Writes {name: torch.Tensor} to `path` in the safetensors format, atomically (temp file + rename).

    Tensors in ascending name order, packed from offset 0; the JSON header is padded with spaces to a multiple of 8.
    """
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(metadata[k]) for k in sorted(metadata)}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        if t.dtype not in _DTYPES:
            raise ExportError(f"tensor {name}: dtype {t.dtype} has no safetensors code here")
        if t.dtype == torch.bfloat16:
            data = t.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            a = t.numpy()
            data = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": _DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    _atomic_write(path, [struct.pack("<Q", len(text)), text] + blobs)


def read_safetensors(path):
    """The inverse of write_safetensors: ({name: torch.Tensor}, metadata). F32/F64/I64/I32 only."""
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    codes = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32}
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        buf = bytearray(raw[8 + n + b:8 + n + end])
        out[name] = torch.frombuffer(buf, dtype=codes[e["dtype"]]).reshape(e["shape"]).clone() if buf else \
            torch.zeros(e["shape"], dtype=codes[e["dtype"]])
    return out, meta


def _atomic_write(path, chunks):
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".tmp-", dir=d)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's owner-only mode is not what a written model file should have
        with os.fdopen(fd, "wb") as f:
            for c in chunks:
                f.write(c if isinstance(c, bytes) else c.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ------------------------------------------------------------------------------------------------ spec

def _pair(v, what, where):
    if isinstance(v, int):
        return v
    v = tuple(v)
    if len(v) != 2:
        raise ExportError(f"{where}: {what} {v} must be an int or a pair")
    return v[0] if v[0] == v[1] else [v[0], v[1]]


def _flatten(model, prefix=""):
    """(dotted name, module) of the leaves of nested nn.Sequentials, in order."""
    out = []
    for name, m in model.named_children():
        full = prefix + name
        if isinstance(m, nn.Sequential):
            out += _flatten(m, full + ".")
        else:
            out.append((full, m))
    return out


def _conv(m, where):
    if m.padding_mode != "zeros":
        raise ExportError(f"{where}: nn.Conv2d with padding_mode='{m.padding_mode}' is not supported (only 'zeros')")
    k = _pair(m.kernel_size, "kernel_size", where)
    pad = m.padding
    if isinstance(pad, str):
        if pad == "valid":
            pad = 0
        else:  # "same"
            if any(s != 1 for s in m.stride):
                raise ExportError(f"{where}: nn.Conv2d padding='same' is only exported at stride 1")
            total = [d * (kk - 1) for d, kk in zip(m.dilation, m.kernel_size)]
            if any(t % 2 for t in total):
                raise ExportError(f"{where}: nn.Conv2d padding='same' with an even kernel pads asymmetrically; Brink pads symmetrically")
            pad = (total[0] // 2, total[1] // 2)
    return {"type": "conv2d", "out": m.out_channels, "kernel": k, "stride": _pair(m.stride, "stride", where),
            "padding": _pair(pad, "padding", where), "dilation": _pair(m.dilation, "dilation", where),
            "groups": m.groups, "bias": m.bias is not None}


def _pool(m, kind, where):
    if m.ceil_mode:
        raise ExportError(f"{where}: nn.{type(m).__name__} with ceil_mode=True is not supported")
    if kind == "maxpool2d":
        if _pair(m.dilation, "dilation", where) != 1 or getattr(m, "return_indices", False):
            raise ExportError(f"{where}: nn.MaxPool2d with dilation or return_indices is not supported")
    else:
        if m.divisor_override is not None:
            raise ExportError(f"{where}: nn.AvgPool2d with divisor_override is not supported")
        if not m.count_include_pad and _pair(m.padding, "padding", where) != 0:
            raise ExportError(f"{where}: nn.AvgPool2d with padding and count_include_pad=False is not supported "
                              "(Brink averages over the padded window, PyTorch's default)")
    k = _pair(m.kernel_size, "kernel_size", where)
    s = _pair(m.stride if m.stride is not None else m.kernel_size, "stride", where)
    return {"type": kind, "kernel": k, "stride": s, "padding": _pair(m.padding, "padding", where)}


def spec_layers(model):
    """Brink spec layers for `model`, and the names map {pytorch module name: brink layer index}.

    Raises ExportError naming the first module Brink cannot represent and its position.
    """
    if isinstance(model, nn.Sequential):
        leaves = _flatten(model)
    else:
        raise ExportError(f"the model is a {type(model).__name__}, not an nn.Sequential; rebuild it as one "
                          f"(only the order of nn.Sequential is known without tracing its forward)")
    layers, index = [], {}
    i = 0
    while i < len(leaves):
        name, m = leaves[i]
        where = f"position {i} (module '{name}')"
        t = type(m)
        if t is nn.Conv2d:
            layer = _conv(m, where)
        elif t is nn.Linear:
            layer = {"type": "linear", "out": m.out_features, "bias": m.bias is not None}
        elif t in (nn.BatchNorm1d, nn.BatchNorm2d):
            if not m.affine or not m.track_running_stats:
                raise ExportError(f"{where}: batch norm without affine parameters or running statistics is not supported")
            layer = {"type": "batchnorm2d" if t is nn.BatchNorm2d else "batchnorm1d", "eps": m.eps,
                     "momentum": 0.1 if m.momentum is None else m.momentum}
        elif t is nn.ReLU:
            layer = {"type": "relu"}
        elif t is nn.Tanh:
            layer = {"type": "tanh"}
        elif t is nn.Sigmoid:
            layer = {"type": "sigmoid"}
        elif t is nn.Softplus:
            if m.beta != 1:
                raise ExportError(f"{where}: nn.Softplus with beta={m.beta} is not supported (only beta 1)")
            layer = {"type": "softplus"}
        elif t is nn.LeakyReLU:
            layer = {"type": "leaky_relu", "slope": m.negative_slope}
        elif t is nn.MaxPool2d:
            layer = _pool(m, "maxpool2d", where)
        elif t is nn.AvgPool2d:
            layer = _pool(m, "avgpool2d", where)
        elif t is nn.AdaptiveAvgPool2d:
            size = m.output_size
            if size not in (1, (1, 1), [1, 1]):
                raise ExportError(f"{where}: nn.AdaptiveAvgPool2d({size}) is not supported (only output size 1, "
                                  "exported as global_avgpool)")
            layer = {"type": "global_avgpool"}
            if i + 1 < len(leaves) and type(leaves[i + 1][1]) is nn.Flatten:
                index[leaves[i + 1][0]] = len(layers)  # global_avgpool already gives [N, C]
                i += 1
        elif t is nn.Flatten:
            if m.start_dim != 1 or m.end_dim != -1:
                raise ExportError(f"{where}: nn.Flatten(start_dim={m.start_dim}, end_dim={m.end_dim}) is not supported "
                                  "(only start_dim=1, end_dim=-1)")
            layer = {"type": "flatten"}
        elif t is nn.Dropout:
            layer = {"type": "dropout", "p": m.p}
        elif t is nn.Identity:
            index[name] = None
            i += 1
            continue
        else:
            raise ExportError(f"{where}: nn.{type(m).__name__} is not supported; supported: {SUPPORTED}")
        index[name] = len(layers)
        layers.append(layer)
        i += 1
    return layers, index


def export(model, out, input_shape, *, names=None, name=None, metadata=None):
    """Writes `out`.safetensors and `out`.spec.json for `model` (an nn.Sequential) taking inputs of `input_shape`.

    names: "pytorch" (the state dict's own names; default for a flat nn.Sequential with numbered children) or
    "brink" (layers.<i>.*; default, and required, for nested nn.Sequentials and named children). The model is run once in eval mode on zeros to check the input
    shape. Returns (weights_path, spec_path, spec dict).
    """
    input_shape = [int(d) for d in input_shape]
    if len(input_shape) not in (1, 3):
        raise ExportError(f"input_shape must be [C, H, W] or [D], got {input_shape}")
    layers, index = spec_layers(model)
    positional = all(k.isdigit() for k in index)  # a flat nn.Sequential with numbered children
    if names is None:
        names = "pytorch" if positional else "brink"
    if names not in ("pytorch", "brink"):
        raise ExportError(f"names must be 'pytorch' or 'brink', got {names!r}")
    if names == "pytorch" and not positional:
        raise ExportError("the PyTorch names of a nested or OrderedDict nn.Sequential do not follow the layer order; "
                          "export with names='brink'")

    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            y = model(torch.zeros([1] + input_shape))
    except Exception as e:
        raise ExportError(f"the model does not run on an input of shape [1, {', '.join(map(str, input_shape))}]: {e}") from e
    finally:
        model.train(was_training)

    state = {}
    for key, t in model.state_dict().items():
        if names == "pytorch":
            state[key] = t
            continue
        if key.endswith("num_batches_tracked"):
            continue
        module, leaf = key.rsplit(".", 1)
        state[f"layers.{index[module]}.{leaf}"] = t

    spec = {"input": input_shape, "layers": layers}
    spec["name"] = name or os.path.basename(out)
    spec["source"] = f"exported from PyTorch {torch.__version__} by scripts/export_pytorch.py ({type(model).__name__}, output {list(y.shape[1:])})"
    meta = {"brink.exported_by": "scripts/export_pytorch.py", "brink.exported_torch": torch.__version__}
    meta.update(metadata or {})
    weights, spec_path = out + ".safetensors", out + ".spec.json"
    write_safetensors(weights, state, meta)
    _atomic_write(spec_path, [spec_text(spec)])
    return weights, spec_path, spec


def spec_text(spec):
    """The spec as JSON text, one layer per line."""
    lines = ["{", f' "input": {json.dumps(spec["input"])},', ' "layers": [']
    lines += [f"  {json.dumps(l)}" + ("," if i + 1 < len(spec["layers"]) else "") for i, l in enumerate(spec["layers"])]
    lines.append(" ]" + ("," if len(spec) > 2 else ""))
    rest = [k for k in spec if k not in ("input", "layers")]
    lines += [f" {json.dumps(k)}: {json.dumps(spec[k])}" + ("," if i + 1 < len(rest) else "") for i, k in enumerate(rest)]
    return "\n".join(lines) + "\n}\n"


# ------------------------------------------------------------------------------------------------ command line

def _load_model(args):
    if args.model:
        model = torch.load(args.model, map_location="cpu")
        if not isinstance(model, nn.Module):
            raise ExportError(f"{args.model}: holds a {type(model).__name__}, not a whole nn.Module "
                              "(for a state dict give --arch MODULE:CALLABLE and --weights FILE)")
        return model
    mod, _, attr = args.arch.partition(":")
    if not attr:
        raise ExportError(f"--arch must be MODULE:CALLABLE, got {args.arch!r}")
    sys.path.insert(0, os.getcwd())
    model = getattr(importlib.import_module(mod), attr)()
    if args.weights:
        sd = torch.load(args.weights, map_location="cpu")
        for key in ("state_dict", "model_state_dict", "model"):  # training checkpoints wrap the state dict
            if isinstance(sd, dict) and isinstance(sd.get(key), dict):
                sd = sd[key]
                break
        prefix = args.prefix
        if prefix is None and sd and all(k.startswith("module.") for k in sd):
            prefix = "module."
        if prefix:
            sd = {k[len(prefix):] if k.startswith(prefix) else k: v for k, v in sd.items()}
        model.load_state_dict(sd)
    return model


def main(argv=None):
    p = argparse.ArgumentParser(description="Export a PyTorch nn.Sequential to Brink (safetensors + spec JSON).",
                                epilog="Supported modules: " + SUPPORTED)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--arch", metavar="MODULE:CALLABLE", help="builds the model (MODULE importable from the current directory)")
    src.add_argument("--model", metavar="FILE", help="a whole model saved with torch.save(model, FILE)")
    p.add_argument("--weights", metavar="FILE", help="a state dict (torch.save(model.state_dict(), FILE)) for --arch")
    p.add_argument("--prefix", help="strip this prefix from the state dict's names (default: module. when all have it)")
    p.add_argument("--input", required=True, metavar="C,H,W", help="input shape of one sample, e.g. 1,28,28")
    p.add_argument("--out", required=True, metavar="STEM", help="writes STEM.safetensors and STEM.spec.json")
    p.add_argument("--names", choices=("pytorch", "brink"), help="tensor names to write (default: pytorch for a flat nn.Sequential)")
    args = p.parse_args(argv)
    try:
        model = _load_model(args)
        weights, spec_path, spec = export(model, args.out, [int(d) for d in args.input.split(",")], names=args.names)
    except ExportError as e:
        print(f"export_pytorch: {e}", file=sys.stderr)
        return 1
    print(f"wrote {weights} ({sum(1 for _ in read_safetensors(weights)[0])} tensors) and {spec_path} ({len(spec['layers'])} layers)")
    print(f"next: ./brink import {weights} --spec {spec_path} -o {args.out}.brink.safetensors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
