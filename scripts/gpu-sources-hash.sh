#!/usr/bin/env bash
# Prints one SHA-256 over the sources that `make gpu-bundle` compiles into .gpu/ (the poms and every module's src/
# tree that brink.jar and the kernels' tests are built from), run from anywhere. make gpu-bundle records it in
# .gpu/BUNDLE; make gpu-check computes it again on the GPU machine and warns when the two differ: the bundle was then
# built from other sources than the tree it runs in.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
modules="engine kernels nn robust bench app"
# shellcheck disable=SC2086  # modules is a word list
{ for m in . $modules; do [ -f "$m/pom.xml" ] && printf '%s\0' "$m/pom.xml"; done
  for m in $modules; do [ -d "$m/src" ] && find "$m/src" -type f -print0; done; } \
  | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
