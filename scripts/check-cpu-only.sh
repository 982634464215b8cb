#!/usr/bin/env bash
# What a user without the CUDA toolkit gets: a fresh clone of the committed tree, built and tested with nvcc and
# ptxas off the PATH. Checks that the build says once that the CUDA kernels were skipped, that `brink info` reports
# the CUDA backend unavailable for that reason, and that `make test` (and `make demo`, with CHECK_DEMO=1) pass.
# Usage: scripts/check-cpu-only.sh [WORKDIR]   (default: a new directory under ${TMPDIR:-/tmp})
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$(mktemp -d "${TMPDIR:-/tmp}/brink-cpu-only.XXXXXX")}"
mkdir -p "$work"

# A PATH without nvcc and ptxas: every directory holding either is replaced by a shadow directory that links to
# everything else in it.
shadow="$work/path-without-cuda"
mkdir -p "$shadow"
newpath=""
IFS=: read -r -a dirs <<< "$PATH"
for d in "${dirs[@]}"; do
  [ -n "$d" ] || continue
  if [ -e "$d/nvcc" ] || [ -e "$d/ptxas" ]; then
    s="$shadow/$(echo "$d" | tr / _)"
    mkdir -p "$s"
    for f in "$d"/*; do
      case "$(basename "$f")" in nvcc|ptxas) ;; *) ln -sf "$f" "$s/" ;; esac
    done
    d="$s"
  fi
  newpath="${newpath:+$newpath:}$d"
done
export PATH="$newpath"
if command -v nvcc >/dev/null 2>&1 || command -v ptxas >/dev/null 2>&1; then
  echo "check-cpu-only: nvcc or ptxas is still on the PATH ($(command -v nvcc ptxas))" >&2; exit 1
fi

clone="$work/brink"
rm -rf "$clone"
git clone -q "$root" "$clone"
# ../shared beside the checkout, as in CI; the data sets if this checkout has them
[ -e "$work/shared" ] || { [ -d "$root/../shared" ] && ln -s "$(cd "$root/../shared" && pwd)" "$work/shared"; } || true
[ -d "$root/data" ] && ln -s "$root/data" "$clone/data"
cd "$clone"

echo "== make build (no nvcc on the PATH)"
make build 2>&1 | tee "$work/build.log"
n=$(grep -c "CUDA kernels skipped" "$work/build.log" || true)
[ "$n" = 1 ] || { echo "check-cpu-only: expected the build to say once that the CUDA kernels were skipped, it said so $n times" >&2; exit 1; }
./brink info | tee "$work/info.log"
grep -q "cuda.*unavailable: this build has no CUDA kernels" "$work/info.log" \
  || { echo "check-cpu-only: brink info does not say why CUDA is unavailable" >&2; exit 1; }

if [ "${CHECK_DEMO:-0}" = 1 ]; then
  echo "== make demo"
  make demo
fi

echo "== make test"
make test 2>&1 | tee "$work/test.log" | grep -E "Tests run:|BUILD|ERROR|FAIL" | tail -40
grep -q "BUILD SUCCESS" "$work/test.log" || { echo "check-cpu-only: make test failed (log: $work/test.log)" >&2; exit 1; }
echo "check-cpu-only: passed in $clone (logs in $work)"
