#!/usr/bin/env bash
# make gpu-bundle: builds, on this (CPU) machine, everything `make gpu-check` needs on a lent GPU machine that has no
# JDK and no Maven, into the git-ignored folder .gpu/ at the repository root, which the device call carries
# (`carry: [".gpu"]`):
#
#   .gpu/jre.tar.xz                          a jlink'd Java runtime (the modules jdeps finds in what runs there),
#                                            unpacked by make gpu-check on the device
#   .gpu/brink.jar                           app/target/brink.jar (engine, kernels with the PTX, bench, the CLI)
#   .gpu/kernels-tests.jar                   the kernels module's test classes (the device tests)
#   .gpu/brink-engine-tests.jar              the engine's test jar (the PyTorch-vector harness the device tests extend)
#   .gpu/junit-platform-console-standalone.jar  the JUnit console launcher (Maven profile gpu-bundle of kernels/pom.xml)
#   .gpu/cuda-shims/libcublas.so.11, libcudnn.so.8   make cuda-shims (docs/kernels.md)
#   .gpu/BUNDLE                              what was built from what: commit, sources hash, runtime modules, sizes
#
# The device call sends the working tree and the carried paths, 64 MiB in all: the bundle stops with an error above
# GPU_BUNDLE_MAX_MIB (56) MiB and prints what the whole call would carry.
#
# Environment: MVN (mvn), MVN_FLAGS (-B), JDK17_HOME (/usr/lib/jvm/java-17-openjdk-amd64), GPU_BUNDLE_MAX_MIB (56).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

MVN=${MVN:-mvn}
MVN_FLAGS=${MVN_FLAGS:--B}
JDK=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
MAX_MIB=${GPU_BUNDLE_MAX_MIB:-56}
BUNDLE=.gpu

die() { echo "make gpu-bundle: $*" >&2; exit 1; }

for tool in jlink jdeps jar java; do
  [ -x "$JDK/bin/$tool" ] || die "$JDK/bin/$tool not found: set JDK17_HOME to a JDK 17 (ls /usr/lib/jvm)"
done
command -v xz >/dev/null 2>&1 || die "xz not found (apt-get install xz-utils): the runtime travels as jre.tar.xz"

echo "== building brink.jar, the kernels' test classes and the JUnit console launcher ($MVN $MVN_FLAGS -Pgpu-bundle package -DskipTests)"
# shellcheck disable=SC2086  # MVN_FLAGS is a word list
$MVN $MVN_FLAGS -q -Pgpu-bundle -DskipTests package -pl app -am

jar_file=app/target/brink.jar
console=kernels/target/gpu-bundle/junit-platform-console-standalone.jar
engine_tests=$(find engine/target -maxdepth 1 -name 'brink-engine-*-tests.jar' 2>/dev/null | head -1)
tests=kernels/target/test-classes
for f in "$jar_file" "$console" "$engine_tests"; do [ -n "$f" ] && [ -f "$f" ] || die "the build did not make ${f:-engine/target/brink-engine-*-tests.jar}"; done
[ -d "$tests/dev/brink/kernels" ] || die "the build did not compile the kernels' tests into $tests"
# The device compiles nothing: the kernels must be in the jar as PTX, built here by nvcc.
"$JDK/bin/jar" tf "$jar_file" | grep -qx 'dev/brink/kernels/ptx/index.txt' \
  || die "$jar_file holds no PTX (dev/brink/kernels/ptx/): nvcc was not on the PATH when it was built; install the CUDA toolkit here (make kernels) and run make gpu-bundle again"
for s in libcublas.so.11 libcudnn.so.8; do
  [ -f "kernels/target/cuda-shims/$s" ] || die "kernels/target/cuda-shims/$s is missing: make cuda-shims needs a C compiler (cc)"
done

rm -rf "$BUNDLE"
mkdir -p "$BUNDLE/cuda-shims"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp "$jar_file" "$BUNDLE/brink.jar"
cp "$console" "$BUNDLE/junit-platform-console-standalone.jar"
cp "$engine_tests" "$BUNDLE/brink-engine-tests.jar"
"$JDK/bin/jar" cf "$BUNDLE/kernels-tests.jar" -C "$tests" .
cp kernels/target/cuda-shims/libcublas.so.11 kernels/target/cuda-shims/libcudnn.so.8 "$BUNDLE/cuda-shims/"

echo "== the Java runtime: the modules jdeps finds in the bundle's jars"
modules=$("$JDK/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 17 \
  "$BUNDLE/brink.jar" "$BUNDLE/junit-platform-console-standalone.jar" "$BUNDLE/brink-engine-tests.jar" "$BUNDLE/kernels-tests.jar")
# jdk.unsupported (sun.misc.Unsafe, looked up reflectively by libraries), jdk.zipfs and java.xml (the JUnit console's
# XML report), none of which jdeps sees through reflection
modules="$modules,jdk.unsupported,jdk.zipfs,java.xml"
echo "   $modules"
# --compress=0: xz packs the uncompressed image to about a third of what jlink's own compression gives
jlink_out=$("$JDK/bin/jlink" --add-modules "$modules" --compress=0 --strip-debug --no-header-files --no-man-pages \
  --output "$work/jre" 2>&1) || die "jlink failed: $jlink_out"
printf '%s\n' "$jlink_out" | grep -v -e 'Using incubator modules' -e '^$' || true
if command -v strip >/dev/null 2>&1; then strip --strip-unneeded "$work/jre/lib/server/libjvm.so"; fi
"$work/jre/bin/java" -version 2>&1 | head -1 | sed 's/^/   runtime: /'
XZ_OPT=${XZ_OPT:--6 -T0} tar -C "$work" -cJf "$BUNDLE/jre.tar.xz" jre

bytes() { du -sb "$1" | cut -f1; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
total=$(bytes "$BUNDLE")
{
  echo "built: $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -m)"
  echo "commit: $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "sources: $(scripts/gpu-sources-hash.sh)"
  echo "runtime: $("$work/jre/bin/java" -version 2>&1 | head -1); modules $modules"
  echo "junit: $(basename "$console") $(unzip -p "$console" META-INF/MANIFEST.MF 2>/dev/null | sed -n 's/^Implementation-Version: *//p' | tr -d '\r' | head -1)"
  echo "ptx: $("$JDK/bin/jar" tf "$jar_file" | grep -c '^dev/brink/kernels/ptx/.*\.ptx$') modules in brink.jar"
  echo "size: $(mib "$total") MiB"
  for f in "$BUNDLE"/*; do [ -f "$f" ] && echo "  $(basename "$f"): $(mib "$(bytes "$f")") MiB"; done
} >"$BUNDLE/BUNDLE"
sed 's/^/   /' "$BUNDLE/BUNDLE"

# What the device call sends: the tracked and untracked-not-ignored files, plus the carried .gpu/.
tree=$(git ls-files -z -co --exclude-standard 2>/dev/null | xargs -0 -r du -cb 2>/dev/null | awk 'END { print $1 + 0 }')
echo "== .gpu/ is $(mib "$total") MiB; with the working tree ($(mib "$tree") MiB) a device call carries $(mib $((total + tree))) MiB of its 64 MiB"
if [ "$total" -gt $((MAX_MIB * 1048576)) ]; then
  die ".gpu/ is $(mib "$total") MiB, over GPU_BUNDLE_MAX_MIB=$MAX_MIB MiB: the device call carries at most 64 MiB with the working tree"
fi
if [ $((total + tree)) -gt $((64 * 1048576)) ]; then
  die "the working tree and .gpu/ come to $(mib $((total + tree))) MiB, over the device call's 64 MiB"
fi
echo "ready: the device call is run(command=\"bash scripts/gpu-check.sh\", carry=[\".gpu\"], timeout_s=600) (docs/kernels.md)"
