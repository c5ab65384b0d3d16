#!/usr/bin/env bash
# What checkpoints would cost a run if committing them cost nothing, and if
# their fsyncs did: the floors under any way of encoding and writing them
# (issue 4's targets: 5% over --no-checkpoint at the default save interval,
# 25% at 100000).
#
#   stress/checkpoint-floor.sh [LINES] [RUNS]
#
# Builds the release binary and three patched ones (`patched_build` in
# lib.sh, each from a patch at the end of this script, in .build/NAME). None
# of them answers for sure after a crash; they only time:
#
#   checkpoint-floor          its writer thread takes each checkpoint as
#                             committed at once, without fingerprinting the
#                             input, encoding the records or writing a file.
#                             What is left of the checkpoints' cost is the
#                             run's own part: tracking what changed between
#                             checkpoints, and collecting each delta on the
#                             applying thread. It writes no checkpoint.
#   checkpoint-floor-syncs    commits as the release binary does, but every
#                             fsync returns at once: the checkpoints are
#                             written, not made durable.
#   checkpoint-floor-segment  of a commit's three fsyncs (segment, manifest,
#                             directory) only the segment's is made: about
#                             what a commit written as one file, synced
#                             once, would cost.
#
# Generates a log of LINES lines (default 10000000, `sitesum generate --seed
# 4`, as bench.sh), then RUNS rounds (default 7), each running once, from an
# empty cache directory in the scratch directory ($TMPDIR, or /tmp): the
# release binary with --no-checkpoint, at the default interval and at
# --save-interval 100000, the free commits at both intervals, and the other
# two builds at both (fsyncs free) or at 100000 (the segment's fsync only;
# at the default interval the fsyncs cost too little to tell apart). Prints
# the medians of the wall times, of each round's run over its
# --no-checkpoint run, and of the statistics line's cpu= over the
# --no-checkpoint run's.
set -euo pipefail
cd "$(dirname "$0")/.."
. stress/lib.sh
floor_setup checkpoint-floor "$@"
free_bin=$floor_bin
patched_build checkpoint-floor-syncs __PATCH_SYNCS__
syncs_free_bin=$patched_bin
patched_build checkpoint-floor-segment __PATCH_SEGMENT_SYNC__
segment_sync_bin=$patched_bin

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
    timed default-free "$free_bin"
    timed default-syncs-free "$syncs_free_bin"
    timed dense "$bin" --save-interval 100000
    timed dense-free "$free_bin" --save-interval 100000
    timed dense-syncs-free "$syncs_free_bin" --save-interval 100000
    timed dense-segment-sync "$segment_sync_bin" --save-interval 100000
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
for name in default default-free default-syncs-free dense dense-free dense-syncs-free dense-segment-sync; do
    case $name in
        default) label="default" ;;
        default-free) label="default, commits for free" ;;
        default-syncs-free) label="default, fsyncs for free" ;;
        dense) label="--save-interval 100000" ;;
        dense-free) label="100000, commits for free" ;;
        dense-syncs-free) label="100000, fsyncs for free" ;;
        dense-segment-sync) label="100000, the segment's fsync only" ;;
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

__PATCH_SYNCS__
--- a/Sources/SitesumStore/FileDescriptor.swift
+++ b/Sources/SitesumStore/FileDescriptor.swift
@@ -146,6 +146,7 @@
 
     /// Flushes the file's data and metadata to stable storage (`fsync(2)`).
     public func sync() throws(SystemError) {
+        if rawValue >= 0 { return }
         while fsync(rawValue) != 0 {
             let error = Errno.current
             if error == .interrupted { continue }

__PATCH_SEGMENT_SYNC__
--- a/Sources/SitesumStore/CheckpointStore.swift
+++ b/Sources/SitesumStore/CheckpointStore.swift
@@ -558,7 +558,6 @@
                 throw CheckpointError.io(error)
             }
             try step(.manifestWritten, temporaryPath)
-            try sync(file)
             try step(.manifestSynced, temporaryPath)
         }
         try rename(temporaryPath, finalPath)
@@ -566,6 +565,7 @@
 
     /// Step 3: make both renames durable.
     private func syncEntryDirectory() throws(CheckpointError) {
+        if !entryDirectory.isEmpty { return }
         do throws(SystemError) {
             try FileSystem.syncDirectory(entryDirectory)
         } catch {
