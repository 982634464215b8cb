#!/usr/bin/env bash
# make gpu-check: the device run, in one command, on a lent GPU machine (no JDK, no Maven there): the device tests
# and the GPU bench, Brink against PyTorch on the same device, written up as one table. It needs the bundle that
# `make gpu-bundle` builds on the CPU machine (.gpu/, carried by the device call: carry [".gpu"]). Steps:
#
#   1. the device: nvidia-smi (no GPU: stops at once, exit 2, unless GPU_CHECK_DRY=1)
#   2. the bundle: unpacks .gpu/jre.tar.xz, warns when .gpu/ was built from other sources than this tree
#   3. the cuBLAS 11 / cuDNN 8 shims into kernels/target/cuda-shims (from .gpu/, else make cuda-shims)
#   4. brink info on that runtime
#   5. every device test class (CudaDevice*Test, CudaProviderTest, CudaShimsTest) through the JUnit console
#   6. the bench: Brink (--backend cuda) and PyTorch (--device cuda) interleaved per workload
#      (bench/scripts/interleave.py), one process per engine and workload
#   7. gpu-check.md: device, tests, the Brink / PyTorch table (dev.brink.bench.GpuCompareTable)
#
# Output: $OUT when set (the device tool's folder, at most 8 files come back), else reports/gpu-check/:
#   gpu-check.md, gpu-check.log (all output), tests.txt (the JUnit tree, skip reasons), tests.xml (JUnit XML),
#   brink.tsv, pytorch.tsv (every repetition), bench.log (the runners' setup lines and repetitions).
# Exit status: 0 when every device test passed and every bench run finished; 1 otherwise; 2 when there is no GPU or
# no bundle.
#
# Knobs (environment), with the defaults that end in about 6 minutes on an H100/H200 (bench workloads ~4 min):
#   GPU_CHECK_BUDGET_S=540     wall-clock budget of the whole check: the bench stops when it is spent, and the table
#                              holds what finished (the device tool stops a command at 600 s)
#   GPU_CHECK_TESTS=1          0 skips the device tests
#   GPU_CHECK_TEST_TIMEOUT_S=240
#   GPU_CHECK_WORKLOADS=...    the workloads (default: every workload of `brink bench --list` but GPU_CHECK_SKIP)
#   GPU_CHECK_SKIP=autoattack_standard_madry_mnist_b100   (PyTorch has no peer for it, and it is among the slowest)
#   GPU_CHECK_REPS=7  GPU_CHECK_WARMUP_S=2  GPU_CHECK_ROUNDS=1  GPU_CHECK_THREADS=$(nproc)
#   GPU_CHECK_RUN_TIMEOUT_S=60 one engine on one workload (warm-up, reps, start-up) stops after this: n/a in the table
#   GPU_CHECK_BENCH_ARGS=      extra options for both runners (e.g. --warmup 1)
#   GPU_CHECK_PYTHON           the PyTorch interpreter (default: python3, else /usr/bin/python3, whichever has torch)
#   GPU_CHECK_DRY=1            no GPU needed: the same steps on the CPU backend, to test this script (make
#                              gpu-check-dry): the device tests skip with their reason, the bench runs
#                              `--backend cpu` / `--device cpu` with --smoke on GPU_CHECK_WORKLOADS (default three)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
root=$(pwd)
start=$(date +%s)

DRY=${GPU_CHECK_DRY:-0}
BUNDLE=.gpu
WORK=target/gpu-check
OUTDIR=${OUT:-reports/gpu-check}
BUDGET=${GPU_CHECK_BUDGET_S:-540}
TESTS=${GPU_CHECK_TESTS:-1}
TEST_TIMEOUT=${GPU_CHECK_TEST_TIMEOUT_S:-240}
REPS=${GPU_CHECK_REPS:-7}
WARMUP_S=${GPU_CHECK_WARMUP_S:-2}
ROUNDS=${GPU_CHECK_ROUNDS:-1}
RUN_TIMEOUT=${GPU_CHECK_RUN_TIMEOUT_S:-60}
THREADS=${GPU_CHECK_THREADS:-$(nproc)}
SKIP=${GPU_CHECK_SKIP:-autoattack_standard_madry_mnist_b100}
# The device test classes: a test that needs a GPU is named CudaDevice*Test and takes its backend from DeviceFixture
# (GpuCheckSelectionTest holds every such class to this pattern).
DEVICE_TESTS='^dev\.brink\..*\.(CudaDevice\w*Test|CudaProviderTest|CudaShimsTest)(\$.*)?$'
# GPU_CHECK_DRY=1 also runs CPU twins of the device tests (the same test bodies on the CPU backend and the g++
# emulator), so that the dry run shows the bundle's runtime and class path carry the test bodies, not only the skips.
DRY_TWINS='^dev\.brink\.(engine\.vectors\.TorchOpVectorTest|kernels\.(Elementwise|Optimizer)KernelTest)$'

if [ "$DRY" = 1 ]; then
  BACKEND=cpu
  DEVICE=cpu
  WORKLOADS=${GPU_CHECK_WORKLOADS:-madry_mnist_train_step_b128 madry_mnist_input_hvp_b128 mlp4x1024_train_step_b100}
  BENCH_ARGS=${GPU_CHECK_BENCH_ARGS:---smoke}
else
  BACKEND=cuda
  DEVICE=cuda
  WORKLOADS=${GPU_CHECK_WORKLOADS:-}
  BENCH_ARGS=${GPU_CHECK_BENCH_ARGS:-}
fi

stop() { echo "make gpu-check: $2" >&2; exit "$1"; }
elapsed() { echo $(($(date +%s) - start)); }

# 1. the device, before anything else
if [ "$DRY" != 1 ]; then
  command -v nvidia-smi >/dev/null 2>&1 \
    || stop 2 "no GPU here: nvidia-smi is not on the PATH. Run it on a lent GPU machine (the device tool: run(command=\"bash scripts/gpu-check.sh\", carry=[\".gpu\"], timeout_s=600) after make gpu-bundle here; docs/kernels.md), or GPU_CHECK_DRY=1 make gpu-check (make gpu-check-dry) to test the script on the CPU backend"
  gpus=$(nvidia-smi -L 2>&1) && printf '%s\n' "$gpus" | grep -q '^GPU ' \
    || stop 2 "no CUDA device here: nvidia-smi lists none ($(printf '%s' "$gpus" | head -1)); GPU_CHECK_DRY=1 tests the script on the CPU backend"
fi
[ -f "$BUNDLE/BUNDLE" ] && [ -f "$BUNDLE/jre.tar.xz" ] && [ -f "$BUNDLE/brink.jar" ] \
  || stop 2 "no bundle in $root/$BUNDLE: run 'make gpu-bundle' on a machine with a JDK 17 and Maven, and carry .gpu to the GPU machine"

mkdir -p "$OUTDIR" "$WORK"
rm -f "$OUTDIR"/gpu-check.md "$OUTDIR"/gpu-check.log "$OUTDIR"/tests.txt "$OUTDIR"/tests.xml "$OUTDIR"/brink.tsv "$OUTDIR"/pytorch.tsv "$OUTDIR"/bench.log
exec > >(tee "$OUTDIR/gpu-check.log") 2>&1
tee_pid=$!
# the log's last lines reach the file (and the device tool's output) before the script returns
finish() { exec >&- 2>&-; wait "$tee_pid" 2>/dev/null; }
trap finish EXIT
failed=()   # what went wrong, for the report and the exit status
notes=()    # lines for gpu-check.md

echo "== make gpu-check$([ "$DRY" = 1 ] && echo ' (GPU_CHECK_DRY=1: the CPU backend stands in for the GPU)'), $(date -u '+%Y-%m-%d %H:%M UTC'), budget ${BUDGET} s"
if [ "$DRY" = 1 ]; then
  device="none (GPU_CHECK_DRY=1, CPU backend): $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores"
else
  device=$(nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv,noheader 2>/dev/null | head -1)
  cuda=$(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9.]*\).*/\1/p' | head -1)
  device="$device, CUDA $cuda (driver), $(nproc) CPU cores"
  nvidia-smi
fi
echo "device: $device"

# 2. the bundle
echo "== bundle ($BUNDLE/BUNDLE)"
sed 's/^/   /' "$BUNDLE/BUNDLE"
built_from=$(sed -n 's/^sources: //p' "$BUNDLE/BUNDLE")
here=$(scripts/gpu-sources-hash.sh)
if [ "$built_from" != "$here" ]; then
  msg="the bundle was built from other sources than this tree (sources $built_from, here $here): run make gpu-bundle again before the device call"
  echo "WARNING: $msg"
  notes+=("**Warning:** $msg.")
fi
jre="$root/$WORK/jre"
if [ ! -x "$jre/bin/java" ] || [ "$BUNDLE/jre.tar.xz" -nt "$jre/bin/java" ]; then
  rm -rf "$jre"
  if command -v xz >/dev/null 2>&1; then
    tar -C "$WORK" -xJf "$BUNDLE/jre.tar.xz"
  else  # Python's tarfile reads xz through its lzma module
    python3 -c 'import sys, tarfile
t = tarfile.open(sys.argv[1])
t.extractall(sys.argv[2], **({"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}))' "$BUNDLE/jre.tar.xz" "$WORK"
  fi || stop 2 "cannot unpack $BUNDLE/jre.tar.xz into $WORK"
  touch "$jre/bin/java"
fi
JAVA="$jre/bin/java"
"$JAVA" -version 2>&1 | head -1 | sed 's/^/   runtime: /'

# PyTorch's interpreter (also where the CUDA libraries may come from, below)
PY=${GPU_CHECK_PYTHON:-}
if [ -z "$PY" ]; then
  for p in python3 /usr/bin/python3; do
    if "$p" -c 'import torch' >/dev/null 2>&1; then PY=$p; break; fi
  done
fi
if [ -z "$PY" ]; then
  failed+=("no Python with PyTorch (python3, /usr/bin/python3; set GPU_CHECK_PYTHON): the PyTorch side did not run")
  PY=python3
fi

# 3. the shims (JCublas/JCudnn 11.7 load libcublas.so.11 and libcudnn.so.8; these forward to cuBLAS 12/13, cuDNN 9)
shims=kernels/target/cuda-shims
mkdir -p "$shims"
for s in libcublas.so.11 libcudnn.so.8; do
  if [ -f "$BUNDLE/cuda-shims/$s" ]; then
    cmp -s "$BUNDLE/cuda-shims/$s" "$shims/$s" || cp "$BUNDLE/cuda-shims/$s" "$shims/$s"
  fi
done
if [ ! -f "$shims/libcublas.so.11" ] || [ ! -f "$shims/libcudnn.so.8" ]; then
  echo "== building the shims (make cuda-shims)"
  make --no-print-directory cuda-shims || { failed+=("the cuBLAS/cuDNN shims did not build: the built-in kernels stand in"); }
fi
# The shims open libcublas.so.13/12 and libcudnn.so.9 by name: where the linker's cache lacks them, add the lib folders
# of the pip packages nvidia-cublas / nvidia-cudnn (PyTorch's) to the library path.
ldpath="$root/$shims"
for lib in 'libcublas.so.1[23]' 'libcudnn.so.9'; do
  ldconfig -p 2>/dev/null | grep -Eq "${lib//./\\.} " && continue
  for d in /usr/local/cuda/lib64 $("$PY" -c 'import nvidia, os; [print(os.path.join(p, q, "lib")) for p in nvidia.__path__ for q in sorted(os.listdir(p))]' 2>/dev/null); do
    # shellcheck disable=SC2086  # lib is a glob
    if compgen -G "$d/$lib" >/dev/null 2>&1 && [[ ":$ldpath:" != *":$d:"* ]]; then ldpath="$ldpath:$d"; break; fi
  done
done
echo "   library path for Brink: $ldpath"
brink() { env BRINK_JAR="$root/$BUNDLE/brink.jar" JAVA_HOME="$jre" LD_LIBRARY_PATH="$ldpath${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" scripts/brink "$@"; }

# 4. brink info
echo "== brink info"
info=$(brink info 2>&1)
printf '%s\n' "$info" | sed 's/^/   /'
backends=$(printf '%s\n' "$info" | grep -E '^ *(cuda|cpu) +priority|^cuda device:' | sed 's/^ *//' || true)

# 5. the device tests
tests_line="not run (GPU_CHECK_TESTS=0)"
if [ "$TESTS" = 1 ]; then
  select=(--scan-class-path "$root/$BUNDLE/kernels-tests.jar" --include-classname "$DEVICE_TESTS")
  if [ "$DRY" = 1 ]; then
    select=(--scan-class-path "$root/$BUNDLE/kernels-tests.jar:$root/$BUNDLE/brink-engine-tests.jar" --include-classname "$DEVICE_TESTS"
      --include-classname "$DRY_TWINS")
  fi
  echo "== device tests (JUnit console from kernels/, classes matching $DEVICE_TESTS$([ "$DRY" = 1 ] && echo " and the CPU twins $DRY_TWINS"); timeout ${TEST_TIMEOUT} s)"
  rm -rf "$WORK/tests"
  cp_tests="$root/$BUNDLE/kernels-tests.jar:$root/$BUNDLE/brink-engine-tests.jar:$root/$BUNDLE/brink.jar"
  (cd kernels && LD_LIBRARY_PATH="$ldpath${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" timeout "$TEST_TIMEOUT" \
    "$JAVA" -Xmx8g -Xss8m --add-modules jdk.incubator.vector -jar "$root/$BUNDLE/junit-platform-console-standalone.jar" execute \
      --class-path "$cp_tests" "${select[@]}" \
      --details tree --details-theme ascii --disable-banner --disable-ansi-colors --fail-if-no-tests \
      --reports-dir "$root/$WORK/tests") >"$WORK/tests.txt" 2>&1
  junit_rc=$?
  grep -v 'Using incubator modules' "$WORK/tests.txt" | tail -16 | sed 's/^/   /'
  count() { sed -n "s/^\[ *\([0-9]*\) $1 *\]$/\1/p" "$WORK/tests.txt" | head -1; }
  ok=$(count 'tests successful'); bad=$(count 'tests failed'); aborted=$(count 'tests aborted'); skipped=$(count 'tests skipped')
  c_bad=$(count 'containers failed'); c_aborted=$(count 'containers aborted')
  if [ -n "$ok" ]; then bad=${bad:-0}; aborted=${aborted:-0}; skipped=${skipped:-0}; c_bad=${c_bad:-0}; c_aborted=${c_aborted:-0}; fi
  reasons=$(grep -o 'no CUDA device here: [^=]*' "$WORK/tests.txt" | sed 's/[] ,]*$//' | sort -u | head -3 | paste -sd ';' - || true)
  tests_line="${ok:-?} passed, ${bad:-?} failed, ${aborted:-?} skipped by assumption (+${c_aborted:-?} classes), ${skipped:-?} disabled; JUnit exit $junit_rc"
  [ "$junit_rc" = 124 ] && failed+=("the device tests ran past ${TEST_TIMEOUT} s and were stopped")
  if [ -z "$ok" ]; then
    failed+=("the JUnit console printed no summary (exit $junit_rc): see tests.txt")
  elif [ "${bad:-0}" != 0 ] || [ "${c_bad:-0}" != 0 ]; then
    failed+=("device tests failed: ${bad} tests, ${c_bad} classes (tests.txt)")
  elif [ "$DRY" = 1 ]; then
    [ $((aborted + c_aborted)) -gt 0 ] && [ -n "$reasons" ] \
      || failed+=("GPU_CHECK_DRY=1: the device tests did not skip with their reason (tests.txt)")
  elif [ $((aborted + c_aborted)) -gt 0 ]; then
    failed+=("$((aborted + c_aborted)) device tests or classes skipped: no usable CUDA device for the JVM (${reasons:-see tests.txt})")
  elif [ "$junit_rc" != 0 ]; then
    failed+=("the JUnit console exited $junit_rc (tests.txt)")
  fi
  [ -n "$reasons" ] && tests_line="$tests_line; skip reason: $reasons"
  echo "   $tests_line"
  cp "$WORK/tests.txt" "$OUTDIR/tests.txt"
  [ -f "$WORK/tests/TEST-junit-jupiter.xml" ] && cp "$WORK/tests/TEST-junit-jupiter.xml" "$OUTDIR/tests.xml"
fi

# 6. the bench
torch_desc=$("$PY" -c 'import torch; print("PyTorch %s (CUDA %s), device %s" % (torch.__version__, torch.version.cuda, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"))' 2>/dev/null || echo "PyTorch not importable by $PY")
if [ -z "$WORKLOADS" ]; then
  # shellcheck disable=SC2086  # SKIP is a word list
  WORKLOADS=$(brink bench --list | grep -vxF -f <(printf '%s\n' $SKIP) | tr '\n' ' ')
fi
left=$((BUDGET - $(elapsed) - 20))
bench_dir="$WORK/bench"
rm -rf "$bench_dir"
echo "== bench: Brink (--backend $BACKEND) and PyTorch (--device $DEVICE, $PY) interleaved per workload, $ROUNDS round(s), --reps $REPS --warmup-seconds $WARMUP_S${BENCH_ARGS:+ $BENCH_ARGS}, $THREADS threads; ${left} s left of the budget"
echo "   workloads: $WORKLOADS"
echo "   $torch_desc"
bench_rc=0
if [ "$left" -lt 30 ]; then
  failed+=("no time left for the bench (GPU_CHECK_BUDGET_S=$BUDGET)")
else
  # shellcheck disable=SC2086  # BENCH_ARGS is a word list
  timeout "$left" "$PY" bench/scripts/interleave.py --out "$bench_dir" --rounds "$ROUNDS" --threads "$THREADS" \
    --keep-going --run-timeout "$RUN_TIMEOUT" \
    --workloads "$WORKLOADS" \
    --engine "Brink=env BRINK_JAR=$root/$BUNDLE/brink.jar JAVA_HOME=$jre LD_LIBRARY_PATH=$ldpath scripts/brink --backend $BACKEND bench" \
    --engine "PyTorch=$PY bench/pytorch/workloads.py --device $DEVICE" \
    -- --reps "$REPS" --warmup-seconds "$WARMUP_S" $BENCH_ARGS
  bench_rc=$?
  ran=$(cat "$bench_dir"/brink.tsv "$bench_dir"/pytorch.tsv 2>/dev/null | grep -c . || true)
  broke=$(cat "$bench_dir"/brink.tsv "$bench_dir"/pytorch.tsv 2>/dev/null | grep -c 'failed=' || true)
  expected=$(( $(wc -w <<<"$WORKLOADS") * 2 * ROUNDS ))
  if [ "$bench_rc" = 124 ]; then
    failed+=("the bench reached the time budget after $ran of $expected runs (raise GPU_CHECK_BUDGET_S or trim GPU_CHECK_WORKLOADS)")
  fi
  if [ "$broke" != 0 ]; then
    failed+=("$broke of $ran bench runs failed (n/a in the table, reasons below it and in bench.log)")
  elif [ "$bench_rc" != 0 ] && [ "$bench_rc" != 124 ]; then
    failed+=("the bench exited $bench_rc (bench.log)")
  fi
  echo "   $ran of $expected runs done ($broke failed), interleave.py exit $bench_rc"
fi
for f in brink.tsv pytorch.tsv; do [ -f "$bench_dir/$f" ] && cp "$bench_dir/$f" "$OUTDIR/$f"; done
cat "$bench_dir"/brink.log "$bench_dir"/pytorch.log >"$OUTDIR/bench.log" 2>/dev/null || true

# 7. the report
table=$("$JAVA" -cp "$BUNDLE/brink.jar" dev.brink.bench.GpuCompareTable \
  --note "Brink --backend $BACKEND, PyTorch --device $DEVICE; $ROUNDS round(s) of --reps $REPS after --warmup-seconds $WARMUP_S${BENCH_ARGS:+ $BENCH_ARGS}, engines interleaved per workload, one process each, $THREADS CPU threads." \
  "$bench_dir/brink.tsv" "$bench_dir/pytorch.tsv" 2>&1) || failed+=("the table could not be written: $table")
{
  echo "# make gpu-check, $(date -u '+%Y-%m-%d %H:%M UTC')$([ "$DRY" = 1 ] && echo ' (GPU_CHECK_DRY=1: CPU backend, smoke sizes; not a GPU measurement)')"
  echo
  echo "- device: $device"
  echo "- Brink: $(sed -n 's/^commit: //p' "$BUNDLE/BUNDLE"); bundle $(sed -n 's/^built: //p' "$BUNDLE/BUNDLE"); $("$JAVA" -version 2>&1 | head -1)"
  printf '%s\n' "$backends" | sed '/^$/d; s/^/- backend /'
  echo "- $torch_desc"
  echo "- device tests: $tests_line"
  echo "- wall time: $(elapsed) s of the ${BUDGET} s budget"
  for n in "${notes[@]+"${notes[@]}"}"; do echo "- $n"; done
  if [ "${#failed[@]}" -gt 0 ]; then
    echo "- **problems:**"
    for f in "${failed[@]}"; do echo "  - $f"; done
  else
    echo "- result: every device test passed and every bench run finished"
  fi
  echo
  echo "## Brink / PyTorch"
  echo
  printf '%s\n' "$table"
} >"$OUTDIR/gpu-check.md"
echo "== $OUTDIR/gpu-check.md"
cat "$OUTDIR/gpu-check.md"
echo "== written to $OUTDIR: $(cd "$OUTDIR" && find . -maxdepth 1 -type f -printf '%f\n' | LC_ALL=C sort | tr '\n' ' ')"
[ "${#failed[@]}" -eq 0 ] || exit 1
