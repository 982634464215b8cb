#!/usr/bin/env bash
# Liu and Chan's standard-training claim on MNIST, reduced: an MLP 4x1024 trained with plain cross-entropy and with
# EMR (exact; approximate with APPROX=1) from the same seed and settings (SGD + momentum 0.9, batch 100, lr 0.01,
# weight decay 1e-3), then PGD-20 (L-inf 0.1, step 0.01, no random start, as Liu and Chan evaluate) on the first
# ATTACK_LIMIT test images, and the mean effective margin (brink eval --effective-margins) on the first ATTACK_LIMIT
# training and test images. Results under $OUT (reports/emr-mnist): models, logs, attack JSON and summary.md.
# EPOCHS (default 5) and LIMIT (training samples, default 20000; 60000 = all) set the reduction.
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${EPOCHS:-5}
LIMIT=${LIMIT:-20000}
ATTACK_LIMIT=${ATTACK_LIMIT:-1000}
APPROX=${APPROX:-1}
SEED=${SEED:-0}
OUT=${OUT:-reports/emr-mnist}
BRINK=${BRINK:-./brink}
mkdir -p "$OUT"

COMMON=(--model mlp-4x1024 --data mnist --limit "$LIMIT" --epochs "$EPOCHS" --optimizer sgd --lr 0.01 --momentum 0.9
        --batch-size 100 --weight-decay 1e-3 --seed "$SEED")
RUNS=("st|cross-entropy" "st-emr|emr:lambda=0.1")
[ "$APPROX" = 1 ] && RUNS+=("st-emr-approx|emr:method=approx,lambda=1")

summary="$OUT/summary.md"
{
  echo "| training | objective | epochs | train samples | seconds | clean acc (test, first $ATTACK_LIMIT) | PGD-20 acc (L-inf 0.1) | effective margin train | effective margin test |"
  echo "|---|---|---|---|---|---|---|---|---|"
} > "$summary.tmp"
for run in "${RUNS[@]}"; do
  name=${run%%|*}; objective=${run#*|}
  model="$OUT/$name.safetensors"
  echo "== $name: --objective $objective"
  start=$(date +%s)
  if [ -f "$model.ckpt" ] && [ ! -f "$model" ]; then resume=(--resume); else resume=(); fi
  "$BRINK" train "${COMMON[@]}" --objective "$objective" -o "$model" "${resume[@]}" 2> "$OUT/$name.train.err" | tee "$OUT/$name.train.out"
  secs=$(( $(date +%s) - start ))
  "$BRINK" attack "$model" --data mnist --limit "$ATTACK_LIMIT" -a pgd:steps=20,step=0.01,random-start=false --eps 0.1 \
      --out "$OUT/$name-attack" --json="$OUT/$name.attack.json" 2> "$OUT/$name.attack.err" | tee "$OUT/$name.attack.out"
  read -r clean robust < <(python3 - "$OUT/$name.attack.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
def find(d, keys):
    if isinstance(d, dict):
        for k, v in d.items():
            if k in keys and isinstance(v, (int, float)): return v
            f = find(v, keys)
            if f is not None: return f
    if isinstance(d, list):
        for v in d:
            f = find(v, keys)
            if f is not None: return f
    return None
print(find(r, {"clean_accuracy", "cleanAccuracy"}), find(r, {"robust_accuracy", "robustAccuracy"}))
PY
)
  margins=()
  for split in train test; do
    "$BRINK" eval "$model" --data mnist --limit "$ATTACK_LIMIT" --split "$split" --effective-margins 2> /dev/null | tee "$OUT/$name.margins-$split.out"
    margins+=("$(sed -n 's/.*effective margin (Liu and Chan): mean \([-0-9.]*\), std \([0-9.]*\).*/\1 ± \2/p' "$OUT/$name.margins-$split.out")")
  done
  echo "| $name | \`$objective\` | $EPOCHS | $LIMIT | $secs | $clean | $robust | ${margins[0]} | ${margins[1]} |" >> "$summary.tmp"
done
mv "$summary.tmp" "$summary"
cat "$summary"
