#!/usr/bin/env bash
# Builds the release binaries for the scripts beside it, quietly; when the
# build fails, shows its output on standard error and exits 1. (The compiler
# reports errors on standard output: a script that sent the build's output to
# /dev/null under `set -e` ended without a word.)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH=/opt/swift/usr/bin:$PATH
fi
log=$(mktemp "${TMPDIR:-/tmp}/sitesum-build.XXXXXX")
trap 'rm -f "$log"' EXIT
if ! swift build -c release > "$log" 2>&1; then
    cat "$log" >&2
    echo "release-build.sh: the release build failed (its output is above)" >&2
    exit 1
fi
