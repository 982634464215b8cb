# Shared runner of the paper reproductions (scripts/repro/<paper>.sh; make repro-<paper>). Source it, then:
#   repro_init PAPER                     outputs under reports/repro/PAPER (QUICK=1: reports/repro/PAPER/quick)
#   step NAME OUTPUT -- CMD...           run CMD once: skipped when OUTPUT exists and NAME's recorded command
#                                        is the same; stdout/stderr to logs/NAME.log; a progress line per step
#   train NAME -- BRINK_TRAIN_ARGS...    brink train -o models/NAME.safetensors as a step, with --resume when an
#                                        interrupted run of the same command left a checkpoint
#   analysis NAME KIND MODEL -- ARGS...  brink analyze KIND MODEL --out analysis/NAME as a step, or a "not available
#                                        in this build" note when brink analyze --list lacks KIND (the run goes on)
#   cell TABLE ROW COLUMN PAPER FILE SELECTOR TRANSFORM SETTINGS
#                                        one row of cells.csv (brink's value read by cells.py get)
#   repro_finish                         index.html from cells.csv, a summary line
# Knobs (environment): QUICK=1 (the quick variant: same steps, fewer samples/epochs), BRINK (./brink), SEED (0),
# PLAN=1 (print every step's command without running it, into OUT/plan: checks a mode's script runs to its end),
# ROWS=REGEX (run only the rows whose names match, e.g. to finish a run over several sittings or to run disjoint
# rows side by side; their cells go to cells-rows-HASH.csv and index-rows-HASH.html, the regex to cells-rows-HASH.rows),
# JOBS=N (a script whose rows `selected` names: its rows as a queue served by N workers at once, each row a ROWS run
# with BRINK_THREADS = cores / N unless set; the rows' cells are then merged into cells.csv and index.html).
set -euo pipefail
REPRO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPRO_ROOT"
BRINK=${BRINK:-./brink}
SEED=${SEED:-0}
QUICK=${QUICK:-0}
PLAN=${PLAN:-0}
CELLS_PY="$REPRO_ROOT/scripts/repro/cells.py"

# q QUICK_VALUE FULL_VALUE: the value for this mode.
q() { if [ "$QUICK" = 1 ]; then echo "$1"; else echo "$2"; fi; }

# out_dir: this mode's output directory of PAPER (reports/repro/PAPER[/quick][/plan]).
out_dir() { echo "reports/repro/$PAPER$(q /quick "")$([ "$PLAN" = 1 ] && echo /plan)"; }

repro_init() {
  PAPER=$1
  if [ "${JOBS:-1}" != 1 ] && [ -z "${ROWS:-}" ] && [ -z "${LIST_ROWS:-}" ]; then repro_parallel "$0" "$JOBS"; exit $?; fi
  OUT=$(out_dir)
  MODE=$(q quick full)
  mkdir -p "$OUT/models" "$OUT/logs" "$OUT/raw" "$OUT/analysis"
  [ -x "$BRINK" ] || { echo "repro: $BRINK is missing; run 'make build'" >&2; exit 1; }
  # a partial run (ROWS) keeps its own cells and page, so runs of disjoint rows can go side by side
  local tag=""; [ -n "${ROWS:-}" ] && tag="-rows-$(printf %s "$ROWS" | md5sum | cut -c1-8)"
  CELLS="$OUT/cells$tag.csv"; PAGE="$OUT/index$tag.html"
  [ -n "$tag" ] && echo "$ROWS" > "$OUT/cells$tag.rows"
  echo "table,row,column,paper,brink,mode,settings,source" > "$CELLS.tmp"
  STEP_NO=0; STEPS_RUN=0; STEPS_SKIPPED=0; UNAVAILABLE=()
  REPRO_START=$(date +%s)
  echo "[$PAPER] $MODE run, outputs in $OUT"
}

# The command line as one string (what a step records and compares).
cmd_string() { local s="" a; for a in "$@"; do s+="$(printf '%q' "$a") "; done; echo "${s% }"; }

step() {
  local name=$1 output=$2; shift 2; [ "$1" = -- ] && shift
  STEP_NO=$((STEP_NO + 1))
  local rec="$OUT/logs/$name.cmd" want; want=$(cmd_string "$@")
  if [ -e "$output" ] && [ -f "$rec" ] && [ "$(cat "$rec")" = "$want" ]; then
    echo "[$PAPER $STEP_NO] $name: done earlier, skipped"; STEPS_SKIPPED=$((STEPS_SKIPPED + 1)); return 0
  fi
  if [ "$PLAN" = 1 ]; then echo "[$PAPER $STEP_NO] $name (plan, not run): $want"; return 0; fi
  echo "[$PAPER $STEP_NO] $name: $want"
  local t0; t0=$(date +%s)
  rm -f "$rec"
  if ! "$@" > "$OUT/logs/$name.log" 2>&1; then
    echo "[$PAPER $STEP_NO] $name FAILED after $(( $(date +%s) - t0 )) s; last lines of $OUT/logs/$name.log:" >&2
    tail -5 "$OUT/logs/$name.log" >&2
    return 1
  fi
  echo "$want" > "$rec"
  # A step that (re)made its output invalidates the steps that read it (an attack of a retrained model, a model
  # trained against a retrained one): their records name the output's path, so they no longer count as done.
  local other
  for other in "$OUT"/logs/*.cmd; do
    [ "$other" = "$rec" ] || [ ! -f "$other" ] || ! grep -qF -- "$output" "$other" || rm -f "$other"
  done
  STEPS_RUN=$((STEPS_RUN + 1))
  echo "[$PAPER $STEP_NO] $name: $(( $(date +%s) - t0 )) s; $(tail -1 "$OUT/logs/$name.log" | tr -d '\r' | sed 's/.*\r//' | cut -c1-120)"
}

# selected NAME [NEEDS]: whether ROWS (a bash regex, empty = all) selects the row NAME; NEEDS names the row whose
# outputs NAME reads (JOBS runs both in one worker, NEEDS first). Under LIST_ROWS=FILE, appends "NAME NEEDS" to FILE
# and selects nothing.
selected() {
  if [ -n "${LIST_ROWS:-}" ]; then echo "$1 ${2:-}" >> "$LIST_ROWS"; return 1; fi
  [ -z "${ROWS:-}" ] || [[ $1 =~ $ROWS ]]
}

# repro_parallel SCRIPT N: SCRIPT's rows (listed by a LIST_ROWS plan) in groups (a row with the row it needs), each
# group one ROWS=^(a|b)$ run of SCRIPT, N at a time in the script's order (xargs hands the next group to the first
# free worker); then every group's cells merged into cells.csv. Exits 1 if a group failed (the others still ran).
repro_parallel() {
  local script=$1 jobs=$2 list; list=$(mktemp)
  [[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "repro: JOBS=$jobs is not a positive number" >&2; exit 2; }
  LIST_ROWS=$list PLAN=1 bash "$script" > /dev/null; rm -rf "$(PLAN=1 out_dir)"
  local groups; groups=$(python3 - "$list" <<'PY'
import re, sys
order, need = [], {}
for line in open(sys.argv[1]):
    parts = line.split()
    if not parts: continue
    if parts[0] not in need: order.append(parts[0]); need[parts[0]] = None
    if len(parts) > 1: need[parts[0]] = parts[1]
root = lambda n: n if not need.get(n) or need[n] not in need else root(need[n])
groups = {}
for n in order: groups.setdefault(root(n), []).append(n)
for g in groups.values(): print('^(' + '|'.join(re.escape(n) for n in g) + ')$')
PY
)
  rm -f "$list"
  if [ -z "$groups" ]; then echo "[$PAPER] JOBS=$jobs: this script names no rows to share out; one process runs it"; JOBS=1 bash "$script"; return; fi
  local threads=${BRINK_THREADS:-$(( $(nproc) / jobs ))}; [ "$threads" -ge 1 ] || threads=1
  echo "[$PAPER] $(q quick full) run as $(echo "$groups" | wc -l) row groups, $jobs at a time, BRINK_THREADS=$threads each"
  local rc=0 t0; t0=$(date +%s)
  printf '%s\n' "$groups" | BRINK_THREADS=$threads JOBS=1 xargs -d '\n' -P "$jobs" -I{} env ROWS={} bash "$script" || rc=1
  local out files=() g f; out=$(out_dir)
  while IFS= read -r g; do
    f="$out/cells-rows-$(printf %s "$g" | md5sum | cut -c1-8).csv"
    if [ -f "$f" ]; then files+=("$f"); else echo "[$PAPER] rows $g: no cells (the run failed)" >&2; rc=1; fi
  done <<< "$groups"
  [ ${#files[@]} -gt 0 ] && python3 "$CELLS_PY" merge "$out/cells.csv" "${files[@]}" > /dev/null \
    && python3 "$CELLS_PY" html "$out/cells.csv" "$out/index.html" "Reproduction: $PAPER ($(q quick full))"
  echo "[$PAPER] $(q quick full) run of ${#files[@]} row groups finished in $(( $(date +%s) - t0 )) s; cells in $out/cells.csv, $out/index.html$([ $rc = 0 ] || echo '; SOME ROWS FAILED (above)')"
  return $rc
}

# Model path of a trained run.
model() { echo "$OUT/models/$1.safetensors"; }

train() {
  local name=$1; shift; [ "$1" = -- ] && shift
  local m; m=$(model "$name")
  local pending="$OUT/logs/$name.pending" want; want=$(cmd_string "$BRINK" train "$@" -o "$m")
  if [ -f "$m.ckpt" ] && [ ! -f "$m" ] && [ -f "$pending" ] && [ "$(cat "$pending")" = "$want" ]; then
    echo "[$PAPER] $name: resuming the interrupted training from $m.ckpt"
    step "$name" "$m" -- "$BRINK" train "$@" -o "$m" --resume
    # record the command without --resume, so the next run compares like with like
    echo "$want" > "$OUT/logs/$name.cmd"
  else
    if [ -f "$OUT/logs/$name.cmd" ] && [ "$(cat "$OUT/logs/$name.cmd")" != "$want" ]; then rm -f "$m" "$m.ckpt"; fi
    [ -f "$pending" ] && [ "$(cat "$pending")" != "$want" ] && rm -f "$m.ckpt"
    echo "$want" > "$pending"
    step "$name" "$m" -- "$BRINK" train "$@" -o "$m"
  fi
}

# Whether this build's brink analyze knows KIND.
has_analysis() {
  [ -n "${ANALYSES:-}" ] || ANALYSES=$("$BRINK" analyze --list 2>/dev/null | sed -n 's/^\([a-z0-9-]*\):.*/\1/p' | tr '\n' ' ')
  [[ " $ANALYSES " == *" ${1%%:*} "* ]]
}

analysis() {
  local name=$1 kind=$2 mdl=$3; shift 3; [ "${1:-}" = -- ] && shift
  if ! has_analysis "$kind"; then
    echo "[$PAPER] $name: brink analyze ${kind%%:*}: not available in this build (brink analyze --list: ${ANALYSES:-none}); skipped"
    UNAVAILABLE+=("$name (brink analyze ${kind%%:*})")
    return 0
  fi
  step "$name" "$OUT/analysis/$name/summary.json" -- "$BRINK" analyze "$kind" "$mdl" --out "$OUT/analysis/$name" --seed "$SEED" "$@"
}

cell() {
  local table=$1 row=$2 col=$3 paper=$4 file=$5 sel=$6 tf=$7 settings=$8 v
  v=$(python3 "$CELLS_PY" get "$file" "$sel" "$tf")
  local src=${file#"$OUT"/}
  python3 - "$CELLS.tmp" "$table" "$row" "$col" "$paper" "$v" "$MODE" "$settings" "$src" <<'PY'
import csv, sys
with open(sys.argv[1], 'a', newline='') as f:
    csv.writer(f).writerow(sys.argv[2:])
PY
}

repro_finish() {
  mv "$CELLS.tmp" "$CELLS"
  python3 "$CELLS_PY" html "$CELLS" "$PAGE" "Reproduction: $PAPER ($MODE${ROWS:+, rows $ROWS})"
  local n na; n=$(( $(wc -l < "$CELLS") - 1 )); na=$(grep -c ',n/a,' "$CELLS" || true)
  [ "$PLAN" = 1 ] && { echo "[$PAPER] $MODE plan finished: $STEP_NO steps, $STEPS_SKIPPED done earlier; $n cells in $CELLS"; return 0; }
  echo "[$PAPER] $MODE run finished in $(( $(date +%s) - REPRO_START )) s: $STEPS_RUN steps run, $STEPS_SKIPPED skipped; $n cells ($na n/a) in $CELLS, $PAGE"
  if [ ${#UNAVAILABLE[@]} -gt 0 ]; then echo "[$PAPER] not available in this build: ${UNAVAILABLE[*]}"; fi
}

# brink attack / sweep / autoattack / eval as steps, raw results in raw/NAME.json (and raw/NAME/ for sweeps).
attack() { local n=$1 m=$2; shift 2; [ "${1:-}" = -- ] && shift
  step "$n" "$OUT/raw/$n.json" -- "$BRINK" attack "$m" --out "$OUT/raw/$n" --json="$OUT/raw/$n.json" --no-save --grid 0 --seed "$SEED" "$@"; }
sweep() { local n=$1 m=$2; shift 2; [ "${1:-}" = -- ] && shift
  step "$n" "$OUT/raw/$n.json" -- "$BRINK" sweep "$m" --out "$OUT/raw/$n" --json="$OUT/raw/$n.json" --seed "$SEED" "$@"; }
# AutoAttack continues a killed run (--resume on its per-sample.csv) and replaces a stale one (--overwrite); the
# command recorded and compared is the one without either flag.
autoattack() { local n=$1 m=$2; shift 2; [ "${1:-}" = -- ] && shift
  local base=("$BRINK" autoattack "$m" --out "$OUT/raw/$n" --json="$OUT/raw/$n.json" --seed "$SEED" "$@") flag=--overwrite
  local want; want=$(cmd_string "${base[@]}")
  if [ -f "$OUT/raw/$n.json" ] && [ -f "$OUT/logs/$n.cmd" ] && [ "$(cat "$OUT/logs/$n.cmd")" = "$want" ]; then
    STEP_NO=$((STEP_NO + 1)); STEPS_SKIPPED=$((STEPS_SKIPPED + 1)); echo "[$PAPER $STEP_NO] $n: done earlier, skipped"; return 0
  fi
  [ -f "$OUT/raw/$n/per-sample.csv" ] && [ -f "$OUT/logs/$n.pending" ] && [ "$(cat "$OUT/logs/$n.pending")" = "$want" ] && flag=--resume
  echo "$want" > "$OUT/logs/$n.pending"
  step "$n" "$OUT/raw/$n.json" -- "${base[@]}" "$flag"
  echo "$want" > "$OUT/logs/$n.cmd"; }
evaluate() { local n=$1 m=$2; shift 2; [ "${1:-}" = -- ] && shift
  step "$n" "$OUT/raw/$n.json" -- "$BRINK" eval "$m" --json="$OUT/raw/$n.json" "$@"; }
