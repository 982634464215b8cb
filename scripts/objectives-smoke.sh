#!/usr/bin/env bash
# Smoke run of every registered training objective (brink train --list-objectives, so a newly registered one is
# included) on a small MNIST subset. For each objective it checks that `brink train` exits 0, prints validation
# numbers (val clean, val robust) for every epoch, and writes the model, the best model, the training log and the
# checkpoint; then that a 1-epoch run continued with --resume to EPOCHS ends with the same model file, byte for byte.
# Prints a summary table (objective, seconds, final loss, validation clean and robust accuracy); exits 1 if any
# objective failed. Not part of `make test` (minutes of CPU). Settings: EPOCHS, LIMIT, VALIDATION, MODEL, OUT, BRINK.
set -uo pipefail
cd "$(dirname "$0")/.."
BRINK=${BRINK:-./brink}
OUT=${OUT:-reports/objectives-smoke}
EPOCHS=${EPOCHS:-2}
LIMIT=${LIMIT:-1000}
VALIDATION=${VALIDATION:-200}
MODEL=${MODEL:-mlp-4x1024 --width 0.25}
ATTACK=${ATTACK:-pgd:eps=0.3,steps=3,step=0.1}
rm -rf "$OUT"
mkdir -p "$OUT"

# shellcheck disable=SC2206
COMMON=(--model $MODEL --data mnist --limit "$LIMIT" --batch-size 50 --seed 1 --val-attack "$ATTACK" --validation "$VALIDATION")

objectives=$("$BRINK" train --list-objectives 2>/dev/null) || { echo "brink train --list-objectives failed" >&2; exit 1; }
[ -n "$objectives" ] || { echo "no objectives registered" >&2; exit 1; }

# ensemble-at needs static pre-trained models: one tiny cross-entropy model
static="$OUT/static/static.safetensors"
"$BRINK" train --model $MODEL --data mnist --limit "$LIMIT" --epochs 1 --seed 2 -o "$static" > "$OUT/static.out" 2>&1 \
    || { echo "training the static model for ensemble-at failed (see $OUT/static.out)" >&2; exit 1; }

spec_of() {  # the --objective spec for a registered name (objective-specific required options)
  case "$1" in
    ensemble-at) echo "ensemble-at:models=$static" ;;
    *) echo "$1" ;;
  esac
}

attack_of() {  # the --train-attack: the objective's own kind of inner step where it has one
  case "$1" in
    fgsm-at|robust-optimization) echo "fgsm:eps=0.3" ;;
    *) echo "$ATTACK" ;;
  esac
}

failures=0
rows=()
for name in $objectives; do
  dir="$OUT/$name"
  mkdir -p "$dir"
  spec=$(spec_of "$name")
  attack=$(attack_of "$name")
  problems=()
  start=$(date +%s.%N)
  "$BRINK" train "${COMMON[@]}" --objective "$spec" --train-attack "$attack" --epochs "$EPOCHS" -o "$dir/full.safetensors" > "$dir/full.out" 2> "$dir/full.err"
  code=$?
  secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")
  [ $code = 0 ] || problems+=("exit $code")
  for e in $(seq 1 "$EPOCHS"); do
    grep -Eq "^epoch $e/$EPOCHS .*val clean [0-9.]+  val robust [0-9.]+" "$dir/full.out" || problems+=("no validation line for epoch $e")
  done
  for f in full.safetensors full.best.safetensors full.log.csv full.safetensors.ckpt; do
    [ -s "$dir/$f" ] || problems+=("no $f")
  done
  rowsInLog=$(($(wc -l < "$dir/full.log.csv" 2>/dev/null || echo 1) - 1))
  [ "$rowsInLog" = "$EPOCHS" ] || problems+=("log has $rowsInLog rows")
  grep -q "epoch 1/$EPOCHS \[" "$dir/full.err" || grep -q "epoch 1/$EPOCHS" "$dir/full.err" || problems+=("no progress bar")

  # --resume: one epoch, then continue to EPOCHS; the same model as the uninterrupted run
  if "$BRINK" train "${COMMON[@]}" --objective "$spec" --train-attack "$attack" --epochs 1 -o "$dir/resumed.safetensors" > "$dir/first.out" 2> "$dir/first.err" \
     && "$BRINK" train --data mnist --limit "$LIMIT" --resume --epochs "$EPOCHS" -o "$dir/resumed.safetensors" > "$dir/resume.out" 2> "$dir/resume.err"; then
    grep -q "resuming .* at epoch 2 of $EPOCHS" "$dir/resume.out" || problems+=("resume did not continue at epoch 2")
    cmp -s "$dir/full.safetensors" "$dir/resumed.safetensors" || problems+=("resumed model differs")
    cmp -s "$dir/full.best.safetensors" "$dir/resumed.best.safetensors" || problems+=("resumed best model differs")
  else
    problems+=("--resume run failed")
  fi

  last=$(tail -n 1 "$dir/full.log.csv" 2>/dev/null)
  IFS=, read -r _ loss _ _ vclean vrobust _ <<< "$last"
  if [ ${#problems[@]} = 0 ]; then status=ok; else status="FAIL: $(IFS=';'; echo "${problems[*]}")"; failures=$((failures + 1)); fi
  [ -n "${loss:-}" ] && loss=$(printf '%.4f' "$loss")
  rows+=("$(printf '| `%s` | `%s` | %s | %s | %s | %s | %s |' "$spec" "$attack" "$secs" "${loss:-}" "${vclean:-}" "${vrobust:-}" "$status")")
  echo "$name: $status (${secs} s)" >&2
done

table="$OUT/summary.md"
{
  echo "| objective | train attack | seconds ($EPOCHS epochs) | final train loss | val clean | val robust | checks |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} > "$table"
cat "$table"
[ $failures = 0 ] || { echo "$failures objective(s) failed; outputs in $OUT" >&2; exit 1; }
