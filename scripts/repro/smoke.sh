#!/usr/bin/env bash
# Smoke test of the reproduction runner (scripts/repro/lib.sh), make repro-smoke: a tiny "paper" (logistic regression
# on 300 MNIST 3-vs-7 images for one epoch, FGSM at eps 0.25 on 50 test points, an analysis this build lacks) run
# twice. The first run trains, attacks and fills its cells (the missing analysis noted, its cell n/a); the second
# skips every step (the resume path) and writes the same cells; a changed training command reruns the training and
# the attack that read its model; a run in full mode (QUICK unset) writes its own
# directory with the same seeded numbers as the first run; then every paper's script is planned (PLAN=1) in both modes. Exits 1 naming
# what differed. About a minute.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUTDIR="$ROOT/reports/repro/smoke/quick"
rm -rf "$ROOT/reports/repro/smoke"
PAPER_SH=$(mktemp /tmp/repro-smoke.XXXXXX.sh)
LOG=$(mktemp /tmp/repro-smoke.XXXXXX.log)
trap 'rm -f "$PAPER_SH" "$LOG" "$LOG.cells1"' EXIT
cat > "$PAPER_SH" <<EOF
source "$ROOT/scripts/repro/lib.sh"
repro_init smoke
train lr -- --model logreg --data mnist-3v7 --limit 300 --epochs "\${SMOKE_EPOCHS:-1}" --batch-size 100 --seed "\$SEED"
attack lr-fgsm "\$(model lr)" -- --data mnist-3v7 --limit 50 -a fgsm --eps 0.25
analysis lr-missing no-such-analysis-kind "\$(model lr)" -- --data mnist-3v7 --limit 50
cell "Smoke" "lr" "clean error %" 1.6 "\$OUT/raw/lr-fgsm.json" results.clean_accuracy err "smoke"
cell "Smoke" "lr" "FGSM error %" 99 "\$OUT/raw/lr-fgsm.json" results.attacks.0.robust_accuracy err "smoke"
cell "Smoke" "lr" "missing analysis" "-" "\$OUT/analysis/lr-missing/summary.json" summary.x none "smoke"
repro_finish
EOF
fail() { echo "repro-smoke: FAILED: $*" >&2; cat "$LOG" >&2; exit 1; }

QUICK=1 bash "$PAPER_SH" > "$LOG" 2>&1 || fail "first run exited with an error"
grep -q '2 steps run, 0 skipped' "$LOG" || fail "first run: expected 2 steps run (train, attack)"
grep -q 'lr-missing: brink analyze no-such-analysis-kind: not available in this build' "$LOG" || fail "first run: the missing analysis was not noted"
[ -f "$OUTDIR/index.html" ] || fail "no index.html"
cells1=$(cat "$OUTDIR/cells.csv")
python3 - "$OUTDIR/cells.csv" <<'PY' || fail "first run: cells"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 3, rows
for r in rows[:2]:
    v = float(r['brink'])  # a number, not n/a
    assert 0 <= v <= 100, r
assert rows[2]['brink'] == 'n/a', rows[2]
assert rows[0]['mode'] == 'quick'
PY
QUICK=1 bash "$PAPER_SH" > "$LOG" 2>&1 || fail "second run exited with an error"
grep -q '0 steps run, 2 skipped' "$LOG" || fail "second run: expected every step skipped (resume)"
[ "$(cat "$OUTDIR/cells.csv")" = "$cells1" ] || fail "second run: cells differ from the first run's"
# A changed training command retrains the model, and the attack of the old model is no longer counted as done.
SMOKE_EPOCHS=2 QUICK=1 bash "$PAPER_SH" > "$LOG" 2>&1 || fail "run with a changed training command exited with an error"
grep -q '2 steps run, 0 skipped' "$LOG" || fail "changed training command: expected the training and the attack of its model to rerun"
# The full mode (QUICK unset) of the same script: its own directory, mode "full", the same seeded numbers.
FULLDIR="$ROOT/reports/repro/smoke"
bash "$PAPER_SH" > "$LOG" 2>&1 || fail "full-mode run exited with an error"
grep -q '2 steps run, 0 skipped' "$LOG" || fail "full-mode run: expected 2 steps run in its own directory"
printf '%s\n' "$cells1" > "$LOG.cells1"
python3 - "$FULLDIR/cells.csv" "$LOG.cells1" <<'PY' || fail "full-mode run: cells"
import csv, sys
full, quick = (list(csv.DictReader(open(f))) for f in sys.argv[1:])
assert [r['mode'] for r in full] == ['full'] * 3, full
assert [r['brink'] for r in full] == [r['brink'] for r in quick], (full, quick)
PY
# A result that is not a finite number (the mean margin of a constant predictor, no correct point) is a missing cell
echo '{"summary": {"m": "NaN", "k": 1.5}}' > "$LOG.json"
[ "$(python3 "$ROOT/scripts/repro/cells.py" get "$LOG.json" summary.m)" = n/a ] || fail "cells.py: NaN not read as n/a"
[ "$(python3 "$ROOT/scripts/repro/cells.py" get "$LOG.json" summary.k pct)" = 150.00 ] || fail "cells.py: 1.5 pct not 150.00"
# cells.py fill writes a full run's cells into its own section's table only
printf '## A\n| T | r | c | 1 | 2 |  |  |\n## B\n| T | r | c | 1 | 2 |  | gap |\n' > "$LOG.md"
printf 'table,row,column,paper,brink,mode,settings,source\nT,r,c,1,3.5,full,s,x\n' > "$LOG.csv"
python3 "$ROOT/scripts/repro/cells.py" fill "$LOG.csv" "$LOG.md" B > /dev/null
[ "$(cat "$LOG.md")" = "$(printf '## A\n| T | r | c | 1 | 2 |  |  |\n## B\n| T | r | c | 1 | 2 | 3.5 | gap |')" ] \
  || fail "cells.py fill: $(cat "$LOG.md")"
# cells.py merge joins shards' cells: a later file's cell replaces an earlier one's, new cells are appended
printf 'table,row,column,paper,brink,mode,settings,source\nT,r,c,1,3.5,full,s,x\nT,r,d,1,4,full,s,x\n' > "$LOG.a.csv"
printf 'table,row,column,paper,brink,mode,settings,source\nT,r,d,1,5,full,s,y\nT,q,c,1,6,full,s,y\n' > "$LOG.b.csv"
python3 "$ROOT/scripts/repro/cells.py" merge "$LOG.csv" "$LOG.a.csv" "$LOG.b.csv" > /dev/null
[ "$(cut -d, -f2,3,5 "$LOG.csv" | tr '\n' ' ')" = "row,column,brink r,c,3.5 r,d,5 q,c,6 " ] || fail "cells.py merge: $(cat "$LOG.csv")"
rm -rf "$ROOT/reports/repro/smoke" "$LOG.json" "$LOG.md" "$LOG.csv" "$LOG.a.csv" "$LOG.b.csv"
# JOBS=2 (planned): rows a, b (needs a) and c as two groups, a before b in one worker, all cells merged into cells.csv
cat > "$PAPER_SH" <<EOF
source "$ROOT/scripts/repro/lib.sh"
repro_init smoke
for r in a c; do selected "\$r" || continue; step "\$r" "\$OUT/raw/\$r.json" -- true; cell T "\$r" x 1 "\$OUT/raw/\$r.json" k none s; done
selected b a && { step b "\$OUT/raw/b.json" -- true; cell T b x 1 "\$OUT/raw/b.json" k none s; }
repro_finish
EOF
JOBS=2 PLAN=1 bash "$PAPER_SH" > "$LOG" 2>&1 || fail "JOBS=2 plan exited with an error"
grep -q 'run as 2 row groups, 2 at a time' "$LOG" || fail "JOBS=2: expected 2 row groups (a with b, c)"
grep -A3 'a (plan, not run)' "$LOG" | grep -q 'b (plan, not run)' || fail "JOBS=2: b did not run after a in a's worker"
[ "$(cut -d, -f2 "$ROOT/reports/repro/smoke/plan/cells.csv" | sort | tr '\n' ' ')" = "a b c row " ] || fail "JOBS=2: merged cells"
rm -rf "$ROOT/reports/repro/smoke"
# Every paper's script, both modes, as a plan (PLAN=1: each step's command printed, none run): the scripts' own logic
# must reach the end in each mode (a full-mode-only shell error once stopped every full run at its first line).
for p in galloway shaham li yu liu-chan; do
  for quick in 0 1; do
    QUICK=$quick PLAN=1 bash "$ROOT/scripts/repro/$p.sh" > "$LOG" 2>&1 || fail "$p (QUICK=$quick) plan exited with an error"
    grep -q "plan finished" "$LOG" || fail "$p (QUICK=$quick) plan did not finish"
  done
  rm -rf "$ROOT/reports/repro/$p/plan" "$ROOT/reports/repro/$p/quick/plan"
done
echo "repro-smoke: ok (train, attack, missing analysis, cells; rerun skipped every step with the same cells; a retrained model reran its attack; full mode in its own directory; a NaN result is n/a; fill writes one section; merge joins shards; JOBS=2 runs row groups side by side; every paper planned in both modes)"
