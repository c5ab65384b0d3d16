#!/usr/bin/env bash
# What checkpoints would cost a run if committing them cost nothing: the
# floor under any way of encoding and writing them (issue 4's targets: 5%
# over --no-checkpoint at the default save interval, 25% at 100000).
#
#   stress/checkpoint-floor.sh [LINES] [RUNS]
#
# Builds the release binary, and a second one with the patch at the end of
# this script applied (`patched_build` in lib.sh, in .build/checkpoint-floor):
# its writer thread takes each checkpoint as committed at once, without
# fingerprinting the input, encoding the records or writing a file. What is
# left of the checkpoints' cost is the run's own part: tracking what changed
# between checkpoints, and collecting each delta on the applying thread. It
# writes no checkpoint, so a later run starts over; it only times.
#
# Generates a log of LINES lines (default 10000000, `sitesum generate --seed
# 4`, as bench.sh), then RUNS rounds (default 7), each running once, from an
# empty cache directory in the scratch directory ($TMPDIR, or /tmp): the
# release binary with --no-checkpoint, at the default interval and at
# --save-interval 100000, and the patched binary at both intervals. Prints
# the medians of the wall times, of each round's run over its --no-checkpoint
# run, and of the statistics line's cpu= over the --no-checkpoint run's.
set -euo pipefail
cd "$(dirname "$0")/.."
. stress/lib.sh
floor_setup checkpoint-floor "$@"

# timed NAME ARGS...: one run from an empty cache directory, its wall and
# processor seconds in "$work/NAME".
timed() {
    local name=$1
    shift
    rm -rf "$work/cache"
    timed_run "$name" cpu "$@" --cache-dir "$work/cache"
}
for _ in $(seq "$runs"); do
    timed plain "$bin" --no-checkpoint
    timed default "$bin"
    timed default-free "$floor_bin"
    timed dense "$bin" --save-interval 100000
    timed dense-free "$floor_bin" --save-interval 100000
done

# ratio NAME COLUMN: the median of each round's NAME over its --no-checkpoint
# run in COLUMN (1: wall time, 2: processor time), as a change in percent.
ratio() { paste -d' ' "$work/$1" "$work/plain" | awk -v c="$2" '{print 100 * ($c / $(c + 2) - 1)}' | median; }
spread() {
    paste -d' ' "$work/$1" "$work/plain" | awk '{print 100 * ($1 / $3 - 1)}' | sort -n |
        awk '{a[NR]=$1} END {printf "rounds %+.1f to %+.1f", a[1], a[NR]}'
}
echo "sitesum checkpoint floor: $lines lines (seed 4); median of $runs rounds; caches in ${TMPDIR:-/tmp}; $(machine)"
printf '%-36s %6.3f s\n' "--no-checkpoint" "$(cut -d' ' -f1 "$work/plain" | median)"
for name in default default-free dense dense-free; do
    case $name in
        default) label="default" ;;
        default-free) label="default, commits for free" ;;
        dense) label="--save-interval 100000" ;;
        dense-free) label="--save-interval 100000, commits for free" ;;
    esac
    printf '%-36s %6.3f s  overhead %+5.1f %% (%s)  cpu %+5.1f %%\n' "$label" \
        "$(cut -d' ' -f1 "$work/$name" | median)" "$(ratio "$name" 1)" "$(spread "$name")" "$(ratio "$name" 2)"
done
exit 0

__PATCH__
--- a/Sources/SitesumCLI/CheckpointWriter.swift
+++ b/Sources/SitesumCLI/CheckpointWriter.swift
@@ -221,6 +221,7 @@
     }
 
     private func commit(_ job: Job) -> Outcome {
+        if job.offset >= 0 { return Outcome(offset: job.offset, lines: job.lines, failure: nil, written: job.delta) }
         let deltas = carried + [job.delta]
         do {
             let identity = InputIdentity(
