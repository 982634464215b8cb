#!/usr/bin/env python3
"""Runs a command and measures how much CPU the rest of the machine used meanwhile.

    bench/scripts/othercpu.py --label NAME --out FILE -- COMMAND [ARG...]

The command's standard streams pass through untouched and its exit status is returned. Appended to FILE:
`NAME<TAB>other<TAB>steal<TAB>seconds`, where `other` is the mean number of cores kept busy by other processes
during the run (all CPU time from /proc/stat, minus the command's own user + system time) and `steal` the mean
number of cores the hypervisor gave to other guests. A benchmark run is clean when both are near 0; `make
bench-compare` prints them under the table.
"""

import argparse
import os
import resource
import subprocess
import sys
import time


def cpu_jiffies():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (v + [0] * 8)[:8]
    return user + nice + system + irq + softirq, steal


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--label", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.command[1:] if a.command and a.command[0] == "--" else a.command
    if not cmd:
        p.error("no command")
    hz = os.sysconf("SC_CLK_TCK")
    t0 = time.monotonic()
    busy0, steal0 = cpu_jiffies()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    rc = subprocess.call(cmd)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy1, steal1 = cpu_jiffies()
    wall = max(1e-9, time.monotonic() - t0)
    own = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    other = max(0.0, ((busy1 - busy0) / hz - own) / wall)
    steal = (steal1 - steal0) / hz / wall
    with open(a.out, "a") as f:
        f.write("%s\t%.2f\t%.2f\t%.0f\n" % (a.label, other, steal, wall))
    print("# %s: %.0f s; other processes kept %.2f cores busy on average, steal %.2f cores" % (a.label, wall, other, steal),
          file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
