#!/bin/sh
# Writes the build's git commit into a properties file packed into brink.jar (app/pom.xml runs this at
# generate-resources): commit=<full sha> and dirty=true|false, or commit=unknown when this is not a git checkout
# (a source tarball) or git is missing. Usage: build-info.sh OUTPUT_FILE
set -u
out=$1
mkdir -p "$(dirname "$out")"
commit=unknown
dirty=unknown
if command -v git >/dev/null 2>&1 && sha=$(git rev-parse HEAD 2>/dev/null); then
    commit=$sha
    if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then dirty=true; else dirty=false; fi
fi
printf 'commit=%s\ndirty=%s\n' "$commit" "$dirty" > "$out.tmp" && mv "$out.tmp" "$out"
