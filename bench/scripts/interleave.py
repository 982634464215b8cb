#!/usr/bin/env python3
"""Runs the benchmark engines interleaved, one process per workload, for several rounds (make bench-compare).

    bench/scripts/interleave.py --out DIR --rounds R --threads N [--one-thread] [--workloads "A B ..."]
        --engine 'Brink=COMMAND ...' --engine 'DL4J=COMMAND ...' --engine 'PyTorch=COMMAND ...'

Each engine COMMAND is a runner that takes `--threads N WORKLOAD` and prints `name<TAB>value<TAB>peak_rss_mib=N<TAB>
reps=...` (./brink bench, Dl4jBench, bench/pytorch/workloads.py). For round 1..R, for each workload, each engine runs
that one workload in a fresh process, in the order given (Brink, DL4J, PyTorch, Brink, ...): a busy spell on the
shared machine then hits every engine alike instead of deciding a ratio, and each process's peak resident memory
(VmHWM) is that workload's alone. With --one-thread every engine also runs each workload at 1 thread in every round
(for the 1 -> N thread speed-ups). The workload list comes from the first engine's `--list` when --workloads is empty.

Every runner gets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS set to its thread count, and runs with
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its environment (some machines set them for old OpenBLAS builds;
they would hold a peer's OpenBLAS to older kernels than it picks itself).

Output in DIR (engine labels in lower case): ENGINE.tsv (one line per workload and round), ENGINE-1thread.tsv with
--one-thread, ENGINE.log (the
runners' standard error: their setup line with BLAS and oneDNN, every repetition), othercpu.tsv
(`ENGINE<TAB>other<TAB>steal<TAB>seconds`, as bench/scripts/othercpu.py writes it, summed over the engine's runs).
Exits non-zero when a runner fails: at once, with the runner's status; or, with --keep-going (make gpu-check), with
status 1 after the remaining runs, the failed run's line in ENGINE.tsv reading
`name<TAB>n/a<TAB>failed=exit N: LAST LINE OF ITS STANDARD ERROR` (a table shows it as n/a). --run-timeout S stops a
run after S seconds: a failure with exit status 124 and the reason `timeout after S s`.
"""

import argparse
import os
import resource
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from othercpu import cpu_jiffies  # noqa: E402


def parse_engine(spec):
    label, sep, cmd = spec.partition("=")
    if not sep or not label or not cmd.strip():
        raise argparse.ArgumentTypeError("--engine wants LABEL=COMMAND, got %r" % spec)
    return label, shlex.split(cmd)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--one-thread", action="store_true", help="also run every workload at 1 thread in every round")
    p.add_argument("--workloads", default="", help="space-separated names (default: the first engine's --list)")
    p.add_argument("--engine", action="append", type=parse_engine, required=True)
    p.add_argument("--run-timeout", type=float, default=None, metavar="S",
                   help="stop a run after S seconds and count it as failed (exit status 124)")
    p.add_argument("--keep-going", action="store_true",
                   help="after a runner fails, record the workload as n/a and go on; exit 1 at the end")
    p.add_argument("args", nargs=argparse.REMAINDER, help="after --: extra runner options for every engine (e.g. --reps 3)")
    a = p.parse_args()
    if a.rounds < 1:
        p.error("--rounds must be >= 1")
    extra = a.args[1:] if a.args and a.args[0] == "--" else a.args
    os.makedirs(a.out, exist_ok=True)
    names = a.workloads.split()
    if not names:
        first = a.engine[0][1]
        names = subprocess.run(first + ["--list"], check=True, capture_output=True, text=True).stdout.split()
    thread_counts = [a.threads] + ([1] if a.one_thread and a.threads != 1 else [])
    for label, _ in a.engine:
        for t in thread_counts:
            open(tsv(a.out, label, t, a.threads), "w").close()
        open(os.path.join(a.out, label.lower() + ".log"), "w").close()
    busy = {label: [0.0, 0.0, 0.0] for label, _ in a.engine}  # other jiffies-seconds, steal seconds, wall seconds
    hz = os.sysconf("SC_CLK_TCK")
    total = a.rounds * len(names) * len(a.engine) * len(thread_counts)
    done = 0
    started = time.monotonic()
    failed = 0
    for r in range(1, a.rounds + 1):
        for name in names:
            for t in thread_counts:
                for label, cmd in a.engine:
                    done += 1
                    full = cmd + ["--threads", str(t)] + extra + [name]
                    t0 = time.monotonic()
                    b0, s0 = cpu_jiffies()
                    u0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                    with open(os.path.join(a.out, label.lower() + ".log"), "a") as log:
                        log.write("## round %d, %s, %d threads: %s\n" % (r, name, t, " ".join(shlex.quote(c) for c in full)))
                        log.flush()
                        log_start = log.tell()
                        proc = run(full, log, runner_env(t), a.run_timeout)
                    u1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                    b1, s1 = cpu_jiffies()
                    wall = time.monotonic() - t0
                    own = (u1.ru_utime + u1.ru_stime) - (u0.ru_utime + u0.ru_stime)
                    acc = busy[label]
                    acc[0] += max(0.0, (b1 - b0) / hz - own)
                    acc[1] += (s1 - s0) / hz
                    acc[2] += wall
                    if proc.returncode != 0:
                        sys.stderr.write("%s failed on %s (exit %d); its standard error is in %s\n" % (
                            label, name, proc.returncode, os.path.join(a.out, label.lower() + ".log")))
                        if not a.keep_going:
                            return proc.returncode
                        failed = 1
                        why = (": timeout after %g s" % a.run_timeout if proc.timed_out
                               else last_line(os.path.join(a.out, label.lower() + ".log"), log_start))
                        with open(tsv(a.out, label, t, a.threads), "a") as f:
                            f.write("%s\tn/a\tfailed=exit %d%s\n" % (name, proc.returncode, why))
                        write_load(a.out, a.engine, busy)
                        continue
                    lines = [l for l in proc.stdout.splitlines() if l.strip() and not l.startswith("#")]
                    with open(tsv(a.out, label, t, a.threads), "a") as f:
                        for l in lines:
                            f.write(l + "\n")
                    write_load(a.out, a.engine, busy)
                    shown = lines[0].split("\t") if lines else [name, "?"]
                    reps = next((x[5:] for x in shown if x.startswith("reps=")), "")
                    rss = next((x[13:] for x in shown if x.startswith("peak_rss_mib=")), "?")
                    print("[%d/%d, %.0f s] round %d %-8s %d thr %-44s %-10s %s MiB  reps %s" % (
                        done, total, time.monotonic() - started, r, label, t, name, shown[1] if len(shown) > 1 else "?", rss,
                        " ".join("%.4g" % float(x) for x in reps.split(",") if x)), flush=True)
    return failed


class Finished:
    """A run's exit status, standard output, and whether --run-timeout stopped it."""

    def __init__(self, returncode, stdout, timed_out):
        self.returncode, self.stdout, self.timed_out = returncode, stdout, timed_out


def run(cmd, log, env, timeout):
    """Runs cmd with standard error to log; after timeout seconds (None: no limit) kills it, exit status 124."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=log, text=True, env=env, timeout=timeout)
        return Finished(p.returncode, p.stdout, False)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        return Finished(124, out, True)


def last_line(log, start):
    """': ' and the last non-blank line the run wrote to its log from offset start (tabs as spaces), or ''."""
    with open(log, errors="replace") as f:
        f.seek(start)
        lines = [l.strip().replace("\t", " ") for l in f.read().splitlines() if l.strip()]
    return ": " + lines[-1][:300] if lines else ""


def write_load(out, engines, busy):
    """othercpu.tsv with the totals so far (rewritten after every run, so that a run cut short still has it)."""
    with open(os.path.join(out, "othercpu.tsv"), "w") as f:
        for label, _ in engines:
            other, steal, wall = busy[label]
            if wall <= 0:
                continue
            f.write("%s\t%.2f\t%.2f\t%.0f\n" % (label, other / wall, steal / wall, wall))


def runner_env(threads):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    return env


def tsv(out, label, threads, main_threads):
    suffix = "" if threads == main_threads else "-%dthread" % threads
    return os.path.join(out, label.lower() + suffix + ".tsv")


if __name__ == "__main__":
    sys.exit(main())
