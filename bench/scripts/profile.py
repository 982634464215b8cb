#!/usr/bin/env python3
"""Where a Brink workload spends its time: a Java Flight Recorder profile of `./brink bench`, summarized.

    bench/scripts/profile.py WORKLOAD [--threads N] [--reps N] [--top N] [--jfr FILE] [--by-thread]

Runs `./brink bench WORKLOAD --threads N --reps N` with JFR's method sampling on (BRINK_JAVA_OPTS), then prints
the methods with the most samples at the top of the stack (self time), the same charged to the innermost Brink
method (so the Vector API's inlined bounds checks count for the kernel that called them), and the dev.brink methods
with the most samples anywhere on the stack (inclusive time), as percentages of all samples of all threads. Warm-up and setup
are included, so use enough --reps for the steady state to dominate. Needs only the JDK's `jfr` tool and any
python3 (no torch).

With --by-thread it also splits the innermost Brink methods' samples between the calling thread and the backend's
workers (threads named brink-cpu-*): a method whose samples are all on the calling thread ran single-threaded, which
is where a workload's 1 -> N thread speed-up is lost.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def frame_name(frame):
    m = frame["method"]
    cls = m["type"]["name"].replace("/", ".").replace("\\", "")
    return "%s.%s" % (cls, m["name"])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("workload")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--top", type=int, default=20)
    p.add_argument("--jfr", help="keep the recording here (default: a temporary file)")
    p.add_argument("--by-thread", action="store_true",
                   help="also split each method's samples between the calling thread and the workers")
    a = p.parse_args()

    jfr = a.jfr or os.path.join(tempfile.mkdtemp(prefix="brink-profile-"), "bench.jfr")
    env = dict(os.environ)
    env["BRINK_JAVA_OPTS"] = (env.get("BRINK_JAVA_OPTS", "") + " -XX:StartFlightRecording=filename=%s,settings=profile" % jfr).strip()
    launcher = os.path.join(ROOT, "brink")
    if not os.path.exists(launcher):
        launcher = os.path.join(ROOT, "scripts", "brink")
    cmd = [launcher, "bench", a.workload, "--threads", str(a.threads), "--reps", str(a.reps)]
    print("# " + " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, env=env, check=True)

    dump = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample", "--stack-depth", "64", jfr],
                          check=True, capture_output=True, text=True).stdout
    events = json.loads(dump)["recording"]["events"]
    self_counts = collections.Counter()
    brink_self = collections.Counter()
    incl_counts = collections.Counter()
    by_thread = collections.defaultdict(lambda: [0, 0])  # innermost Brink method -> [caller, workers]
    for e in events:
        frames = e["values"]["stackTrace"]["frames"]
        if not frames:
            continue
        thread = ((e["values"].get("sampledThread") or {}).get("javaName") or "")
        on_worker = thread.startswith("brink-cpu-")
        self_counts[frame_name(frames[0])] += 1
        for f in frames:  # the innermost Brink method: JDK frames (Vector API bounds checks, ...) go to their caller
            n = frame_name(f)
            if n.startswith("dev.brink.") and "$$Lambda" not in n:
                brink_self[n] += 1
                by_thread[n][1 if on_worker else 0] += 1
                break
        seen = set()
        for f in frames:
            n = frame_name(f)
            if (n.startswith("dev.brink.") and not n.startswith(("dev.brink.bench.", "dev.brink.app.cli."))
                    and "$$Lambda" not in n and n not in seen):
                seen.add(n)
                incl_counts[n] += 1
    total = max(1, len(events))
    print("%d samples (all threads), %s" % (len(events), jfr))
    print("\nself time (top of stack):")
    for n, c in self_counts.most_common(a.top):
        print("  %5.1f%%  %s" % (100.0 * c / total, n))
    print("\nself time of the innermost dev.brink method (JDK frames charged to their Brink caller):")
    for n, c in brink_self.most_common(a.top):
        print("  %5.1f%%  %s" % (100.0 * c / total, n))
    if a.by_thread:
        caller = sum(c for c, _ in by_thread.values())
        workers = sum(w for _, w in by_thread.values())
        print("\nby thread (innermost dev.brink method; %% of all samples): calling thread %.1f%%, workers %.1f%%"
              % (100.0 * caller / total, 100.0 * workers / total))
        print("  caller  workers  method")
        ranked = sorted(by_thread.items(), key=lambda kv: -(kv[1][0] - kv[1][1]))
        for n, (c, w) in ranked[:a.top]:
            print("  %5.1f%%  %5.1f%%   %s" % (100.0 * c / total, 100.0 * w / total, n))
    print("\ninclusive time (dev.brink methods anywhere on the stack):")
    for n, c in incl_counts.most_common(a.top):
        print("  %5.1f%%  %s" % (100.0 * c / total, n))


if __name__ == "__main__":
    main()
