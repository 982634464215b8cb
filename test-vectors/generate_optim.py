#!/usr/bin/python3
"""PyTorch reference-value generator for Brink's optimizers and schedules.

Writes optim.json (next to this script):
  optimizer_cases  torch.optim.SGD / Adam / AdamW run for a few steps on a fixed
                   small problem: the gradient fed to each step, the learning rate
                   of each step, and the parameters and optimizer state after it
  schedule_cases   torch.optim.lr_scheduler learning-rate sequences (epochs 0..11)

Run with Debian's interpreter (the one that has python3-torch):
    /usr/bin/python3 test-vectors/generate_optim.py

Everything is float64, single-threaded and deterministic (torch.manual_seed per
case, seeded from crc32 of the case name); running it twice gives identical
files. Numbers are written with float.__repr__ and round-trip exactly.

Conventions shared with the Java side (dev.brink.nn.optim):
  * "config" is the JSON that Optimizer.fromConfig reads, "schedule" the JSON that
    Schedule.fromJson reads;
  * state keys are "<slot>.<parameter name>", with PyTorch's slot names except
    SGD's momentum_buffer, which Brink calls "momentum"; Adam's per-parameter
    step count is a 0-d float64 tensor under "step.<name>".

Layout (T = {"dtype":"float64","shape":[..],"data":[flat row-major]}):
  {"generator", "torch_version", "steps": 5, "epochs": 12,
   "optimizer_cases": [{"name", "config", "param_names", "x": T, "y": T,
                        "initial": {name: T},
                        "steps": [{"lr", "grads": {name: T} (a parameter without a
                                   grad that step is absent), "params": {name: T},
                                   "state": {"<slot>.<name>": T}}, ...]}, ...],
   "schedule_cases": [{"name", "schedule", "lr": [torch's lr at epochs 0..11]
                       (absent for "proportional/*", which torch lacks),
                       "closed_form": [..]}, ...]}
The loss that produced the gradients is mean((x @ W + b - y)^2) + 0.05 * sum(W^4).
"""

import json
import math
import os
import warnings
import zlib

import torch

torch.set_default_dtype(torch.float64)
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)
warnings.filterwarnings("ignore")

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
GENERATOR = "test-vectors/generate_optim.py"
STEPS = 5
EPOCHS = 12
NAMES = ["layers.0.weight", "layers.0.bias"]
SHAPES = {"layers.0.weight": [3, 4], "layers.0.bias": [4]}


def T(t):
    """Tensor -> {"dtype","shape","data"} (float64, flat row-major, full precision)."""
    t = t.detach().clone().contiguous().to(torch.float64)
    return {"dtype": "float64", "shape": list(t.shape),
            "data": [float(v) for v in t.reshape(-1).tolist()]}


# ----------------------------------------------------------------------------
# the fixed problem
# ----------------------------------------------------------------------------
#
# loss(W, b) = mean((x @ W + b - y)^2) + 0.05 * sum(W^4)
# with x [5,3], y [5,4] fixed per case. The gradient depends on the trajectory,
# so every step sees a different gradient; the file records each one.

def problem(name):
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    params = {
        "layers.0.weight": torch.randn(3, 4, generator=g),
        "layers.0.bias": torch.randn(4, generator=g),
    }
    x = torch.randn(5, 3, generator=g)
    y = torch.randn(5, 4, generator=g)
    return params, x, y


def loss_fn(p, x, y):
    w, b = p["layers.0.weight"], p["layers.0.bias"]
    return ((x @ w + b - y) ** 2).mean() + 0.05 * (w ** 4).sum()


def sgd_config(lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0):
    return {"type": "sgd", "lr": lr, "momentum": momentum, "dampening": dampening,
            "nesterov": nesterov, "weight_decay": weight_decay}


def adam_config(lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, adamw=False):
    return {"type": "adam", "lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps,
            "weight_decay": weight_decay, "adamw": adamw}


def make_torch_optimizer(config, params):
    c = config
    if c["type"] == "sgd":
        return torch.optim.SGD(params, lr=c["lr"], momentum=c["momentum"], dampening=c["dampening"],
                               nesterov=c["nesterov"], weight_decay=c["weight_decay"], foreach=False)
    cls = torch.optim.AdamW if c["adamw"] else torch.optim.Adam
    return cls(params, lr=c["lr"], betas=(c["beta1"], c["beta2"]), eps=c["eps"],
               weight_decay=c["weight_decay"], amsgrad=False, foreach=False)


SLOT_NAMES = {"momentum_buffer": "momentum", "step": "step", "exp_avg": "exp_avg", "exp_avg_sq": "exp_avg_sq"}
SLOT_ORDER = {"sgd": ["momentum_buffer"], "adam": ["step", "exp_avg", "exp_avg_sq"]}


def state_of(opt, config, params):
    """The optimizer state in Brink's naming, parameter-major, slots in Brink's order."""
    out = {}
    for n in NAMES:
        st = opt.state.get(params[n], {})
        for slot in SLOT_ORDER[config["type"]]:
            if slot in st and st[slot] is not None:
                v = st[slot]
                if slot == "step":
                    v = torch.tensor(float(v), dtype=torch.float64)
                out[SLOT_NAMES[slot] + "." + n] = T(v)
    return out


def optimizer_case(name, config, lrs=None, skip=None, note=""):
    """lrs: the learning rate set before each step (None = constant);
    skip: {step index: [param names whose grad is None at that step]}."""
    init, x, y = problem(name)
    params = {n: init[n].clone().requires_grad_(True) for n in NAMES}
    opt = make_torch_optimizer(config, [params[n] for n in NAMES])
    steps = []
    for k in range(STEPS):
        lr = config["lr"] if lrs is None else lrs[k]
        for group in opt.param_groups:
            group["lr"] = lr
        opt.zero_grad(set_to_none=True)
        loss_fn(params, x, y).backward()
        for n in (skip or {}).get(k, []):
            params[n].grad = None
        grads = {n: T(params[n].grad) for n in NAMES if params[n].grad is not None}
        opt.step()
        steps.append({"lr": lr, "grads": grads,
                      "params": {n: T(params[n]) for n in NAMES},
                      "state": state_of(opt, config, params)})
    case = {"name": name, "config": config, "param_names": NAMES,
            "x": T(x), "y": T(y),
            "initial": {n: T(init[n]) for n in NAMES}, "steps": steps}
    if note:
        case["note"] = note
    return case


def optimizer_cases():
    return [
        optimizer_case("sgd/plain", sgd_config(0.1)),
        optimizer_case("sgd/momentum", sgd_config(0.1, momentum=0.9)),
        optimizer_case("sgd/nesterov", sgd_config(0.1, momentum=0.9, nesterov=True)),
        optimizer_case("sgd/weight_decay", sgd_config(0.1, weight_decay=5e-4)),
        optimizer_case("sgd/momentum_weight_decay", sgd_config(0.1, momentum=0.9, weight_decay=5e-4)),
        optimizer_case("sgd/dampening", sgd_config(0.1, momentum=0.9, dampening=0.5)),
        optimizer_case("sgd/nesterov_weight_decay_lr_changes",
                       sgd_config(0.05, momentum=0.8, nesterov=True, weight_decay=1e-2),
                       lrs=[0.05, 0.05, 0.02, 0.01, 0.004]),
        optimizer_case("sgd/momentum_skip", sgd_config(0.1, momentum=0.9, dampening=0.1),
                       skip={0: ["layers.0.bias"], 3: ["layers.0.weight"]},
                       note="a missing grad leaves the parameter and its buffer untouched"),
        optimizer_case("adam/default", adam_config(1e-3)),
        optimizer_case("adam/lr0.05", adam_config(0.05)),
        optimizer_case("adam/weight_decay", adam_config(0.05, weight_decay=0.1)),
        optimizer_case("adam/betas_eps", adam_config(0.02, beta1=0.8, beta2=0.95, eps=1e-3)),
        optimizer_case("adam/skip", adam_config(0.05),
                       skip={0: ["layers.0.bias"], 2: ["layers.0.bias"], 4: ["layers.0.weight"]},
                       note="per-parameter step counts: a skipped parameter's bias correction lags"),
        optimizer_case("adamw/default", adam_config(1e-3, weight_decay=1e-2, adamw=True)),
        optimizer_case("adamw/weight_decay", adam_config(0.05, weight_decay=0.5, adamw=True)),
        optimizer_case("adamw/lr_changes", adam_config(0.05, weight_decay=0.1, adamw=True),
                       lrs=[0.05, 0.04, 0.03, 0.02, 0.01]),
    ]


# ----------------------------------------------------------------------------
# schedules
# ----------------------------------------------------------------------------

def schedule_case(name, schedule, make, closed_form):
    """make(optimizer) -> torch scheduler; closed_form(epoch) -> float (PyTorch's closed form)."""
    p = torch.zeros(1, requires_grad=True)
    base = schedule_base(schedule)
    opt = torch.optim.SGD([p], lr=base)
    sched = make(opt)
    lrs = []
    for epoch in range(EPOCHS):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    closed = [closed_form(e) for e in range(EPOCHS)]
    worst = max(abs(a - b) / max(abs(b), 1e-300) if b != 0 else abs(a) for a, b in zip(lrs, closed))
    assert worst < 1e-13, (name, worst)
    return {"name": name, "schedule": schedule, "lr": lrs, "closed_form": closed}


def schedule_base(s):
    if s["type"] == "warmup":
        return schedule_base(s["after"])
    return s["base"]


def schedule_cases():
    from torch.optim import lr_scheduler as L
    cases = []

    s = {"type": "constant", "base": 0.1}
    cases.append(schedule_case("constant", s, lambda o: L.LambdaLR(o, lambda e: 1.0), lambda e: 0.1))

    for base, step, gamma in [(0.1, 3, 0.1), (0.5, 4, 0.5), (0.01, 1, 0.9)]:
        s = {"type": "step", "base": base, "step_size": step, "gamma": gamma}
        cases.append(schedule_case(f"step/{base}_{step}_{gamma}", s,
                                   lambda o, step=step, gamma=gamma: L.StepLR(o, step_size=step, gamma=gamma),
                                   lambda e, base=base, step=step, gamma=gamma: base * gamma ** (e // step)))

    for base, ms, gamma in [(0.1, [2, 5, 9], 0.1), (0.3, [3, 3, 7], 0.5), (1.0, [20], 0.1)]:
        s = {"type": "multi_step", "base": base, "milestones": ms, "gamma": gamma}

        def closed(e, base=base, ms=ms, gamma=gamma):
            import bisect
            return base * gamma ** bisect.bisect_right(sorted(ms), e)
        cases.append(schedule_case(f"multi_step/{base}_{'-'.join(map(str, ms))}_{gamma}", s,
                                   lambda o, ms=ms, gamma=gamma: L.MultiStepLR(o, milestones=ms, gamma=gamma), closed))

    for base, tmax, mn in [(0.1, 10, 0.0), (0.1, 8, 0.001), (1.0, 12, 0.1), (0.05, 5, 0.0)]:
        s = {"type": "cosine", "base": base, "total_epochs": tmax, "min": mn}
        cases.append(schedule_case(f"cosine/{base}_{tmax}_{mn}", s,
                                   lambda o, tmax=tmax, mn=mn: L.CosineAnnealingLR(o, T_max=tmax, eta_min=mn),
                                   lambda e, base=base, tmax=tmax, mn=mn:
                                   mn + (base - mn) * (1 + math.cos(math.pi * e / tmax)) / 2))

    for base, sf, ef, n in [(0.1, 0.25, 1.0, 4), (0.2, 1.0, 0.1, 10)]:
        s = {"type": "linear", "base": base, "start_factor": sf, "end_factor": ef, "total_iters": n}
        cases.append(schedule_case(f"linear/{base}_{sf}_{ef}_{n}", s,
                                   lambda o, sf=sf, ef=ef, n=n: L.LinearLR(o, start_factor=sf, end_factor=ef, total_iters=n),
                                   lambda e, base=base, sf=sf, ef=ef, n=n: base * (sf + (ef - sf) * min(n, e) / n)))

    # warmup = LinearLR(start_factor, 1.0, warmup) chained with the schedule after it (both count from epoch 0)
    s = {"type": "warmup", "warmup_epochs": 3, "start_factor": 0.1,
         "after": {"type": "cosine", "base": 0.1, "total_epochs": 12, "min": 0.0}}
    cases.append(schedule_case("warmup/cosine", s,
                               lambda o: L.ChainedScheduler([L.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=3),
                                                            L.CosineAnnealingLR(o, T_max=12, eta_min=0.0)]),
                               lambda e: 0.1 * (1 + math.cos(math.pi * e / 12)) / 2 * (0.1 + 0.9 * min(3, e) / 3)))
    s = {"type": "warmup", "warmup_epochs": 2, "start_factor": 0.5,
         "after": {"type": "step", "base": 0.2, "step_size": 4, "gamma": 0.5}}
    cases.append(schedule_case("warmup/step", s,
                               lambda o: L.ChainedScheduler([L.LinearLR(o, start_factor=0.5, end_factor=1.0, total_iters=2),
                                                            L.StepLR(o, step_size=4, gamma=0.5)]),
                               lambda e: 0.2 * 0.5 ** (e // 4) * (0.5 + 0.5 * min(2, e) / 2)))
    return cases


def proportional_cases(schedule_cases):
    """Schedule.proportionalTo(lr, base) = base * lr(t) / lr(0): no torch counterpart, computed here."""
    out = []
    for case in schedule_cases:
        if case["name"] in ("step/0.1_3_0.1", "cosine/0.1_8_0.001", "multi_step/0.1_2-5-9_0.1"):
            lr = case["closed_form"]
            base = 5e-4
            out.append({"name": "proportional/" + case["name"],
                        "schedule": {"type": "proportional", "base": base, "reference": case["schedule"]},
                        "closed_form": [base * v / lr[0] for v in lr]})
    return out


def dump(path, root, list_keys):
    """JSON with one list element per line (diff-friendly)."""
    with open(path, "w") as f:
        f.write("{")
        first = True
        for k, v in root.items():
            f.write("" if first else ",")
            first = False
            if k in list_keys:
                f.write("\n" + json.dumps(k) + ": [\n")
                f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in v))
                f.write("\n]")
            else:
                f.write("\n" + json.dumps(k) + ": " + json.dumps(v))
        f.write("\n}\n")


if __name__ == "__main__":
    schedules = schedule_cases()
    root = {
        "generator": GENERATOR,
        "torch_version": torch.__version__,
        "steps": STEPS,
        "epochs": EPOCHS,
        "optimizer_cases": optimizer_cases(),
        "schedule_cases": schedules + proportional_cases(schedules),
    }
    path = os.path.join(OUT_DIR, "optim.json")
    dump(path, root, {"optimizer_cases", "schedule_cases"})
    print(f"wrote {path}: {len(root['optimizer_cases'])} optimizer cases, "
          f"{len(root['schedule_cases'])} schedule cases ({os.path.getsize(path)} bytes)")
