#!/usr/bin/env bash
# make fuzz: coverage-guided fuzzing (Jazzer, through its JUnit integration) of every parser that reads outside
# input, FUZZ_SECONDS per target, each in its own JVM with the heap capped at FUZZ_HEAP (an allocation bomb then
# fails the run as an OutOfMemoryError; the targets' own allocation budgets catch smaller ones).
# A crashing input is written next to the target's seed corpus (src/test/resources/<package>/<Test>Inputs/<method>/
# crash-<sha1>), where every `make test` replays it from then on; Jazzer's growing corpus stays in .cifuzz-corpus/.
# FUZZ_TARGETS selects targets by substring, e.g. FUZZ_TARGETS=SafeTensors make fuzz.
set -uo pipefail
cd "$(dirname "$0")/.."

MVN=${MVN:-mvn}
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
HEAP=${FUZZ_HEAP:-1g}
FILTER=${FUZZ_TARGETS:-}

TARGETS=(
  "nn dev.brink.nn.io.SafeTensorsFuzzTest#safetensors"
  "nn dev.brink.nn.spec.ModelSpecFuzzTest#spec"
  "nn dev.brink.nn.data.DataReadersFuzzTest#idxFile"
  "nn dev.brink.nn.data.DataReadersFuzzTest#cifarBatch"
  "nn dev.brink.nn.data.DataReadersFuzzTest#imageFile"
  "nn dev.brink.nn.train.CheckpointMetadataFuzzTest#metadata"
  "robust dev.brink.robust.fuzz.SpecParsersFuzzTest#attackSpecs"
  "robust dev.brink.robust.fuzz.SpecParsersFuzzTest#objectiveSpecs"
)

# compile once; each target then runs with the reactor's classes (no install into ~/.m2)
$MVN -B -q -DskipTests -pl nn,robust -am test-compile || exit 1

failed=()
ran=0
for t in "${TARGETS[@]}"; do
  module=${t%% *}
  test=${t#* }
  [[ -n "$FILTER" && "$test" != *"$FILTER"* ]] && continue
  ran=$((ran + 1))
  echo "== fuzzing $test for ${SECONDS_PER_TARGET}s (heap $HEAP)"
  log="$module/target/fuzz-${test##*.}.log"
  mkdir -p "$module/target"
  if JAZZER_FUZZ=1 $MVN -B test -pl "$module" -am -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.hooks=true \
      -Dbrink.test.jvm="-Xmx$HEAP -XX:+UseParallelGC -XX:-OmitStackTraceInFastThrow -Djazzer.instrumentation_includes=dev.brink.** -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=$SECONDS_PER_TARGET" \
      >"$log" 2>&1; then
    grep -E "^(#[0-9]+ +DONE|Done [0-9]+ runs)" "$log" | tail -2
  else
    failed+=("$test")
    echo "FINDING or failure in $test: see $log"
    grep -E "== Java Exception|Caused by|FuzzTestFinding|crash-|OutOfMemoryError|AssertionError" "$log" | head -8
  fi
done
[[ $ran -gt 0 ]] || { echo "make fuzz: no target matches FUZZ_TARGETS=$FILTER" >&2; exit 2; }
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "make fuzz: ${#failed[@]} of $ran targets found a problem: ${failed[*]}"
  exit 1
fi
echo "make fuzz: $ran targets, ${SECONDS_PER_TARGET}s each, no finding"
