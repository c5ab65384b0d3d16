#!/usr/bin/env bash
# How fast a restart after 90% could be if the checkpointed ids cost nothing:
# the floor under any way of deciding the last tenth's duplicates against
# the ids a checkpoint holds (issue 4's restart target is 20% of a run).
#
#   stress/restart-floor.sh [LINES] [RUNS]
#
# Builds the release binary, and a second one with the patch at the end of
# this script applied (`patched_build` in lib.sh, in .build/restart-floor):
# it reads a checkpoint's id records and checks them as before but
# puts none of the ids in the table of checkpointed ids, so a resume pays
# nothing for them (the records' bytes are still read, checksummed and
# decoded) and counts none of the last tenth's duplicates of them. Its
# answers are wrong by design; it only times.
#
# Generates a log of LINES lines (default 10000000, `sitesum generate --seed
# 4`, as bench.sh) and its checkpoint of the first 90% (as bench.sh takes
# it), then RUNS rounds (default 7), each: a default run from an empty cache
# directory, a restart after 90% with the release binary, and one with the
# patched binary, each restart from a copy of the checkpoint whose segments
# are out of the page cache (as bench.sh times it). Prints the medians of
# the wall times and of each round's restart over its default run, with the
# restarts' statistics-line load=, read= and summary=, and the duplicates
# each counted.
set -euo pipefail
cd "$(dirname "$0")/.."
. stress/lib.sh
floor_setup restart-floor "$@"
checkpoint_ninety "$bin" "$work/log.jsonl" "$lines" "$work/cache-90"
cat "$work/log.jsonl" > /dev/null

timed() { timed_run "$1" "load read summary duplicates" "${@:2}"; }
for _ in $(seq "$runs"); do
    rm -rf "$work/cache"
    timed default "$bin" --cache-dir "$work/cache"
    cold_copy "$work/cache-90" "$work/cache"
    timed restart "$bin" --cache-dir "$work/cache"
    cold_copy "$work/cache-90" "$work/cache"
    timed floor "$floor_bin" --cache-dir "$work/cache"
done

column_median() { cut -d' ' -f"$2" "$work/$1" | median; }
shares() { paste -d' ' "$work/$1" "$work/default" | awk '{print 100 * $1 / $6}' | sort -n; }
share() { shares "$1" | median; }
spread() { shares "$1" | awk '{a[NR]=$1} END {printf "rounds %.1f to %.1f", a[1], a[NR]}'; }
echo "sitesum restart floor: $lines lines (seed 4); median of $runs rounds; $(machine)"
printf '%-24s %6.3f s\n' "default run" "$(column_median default 1)"
for name in restart floor; do
    label="restart after 90%"
    [ "$name" = restart ] || label="restart, ids for free"
    printf '%-24s %6.3f s = %4.1f %% of a default run (%s)\n' \
        "$label" "$(column_median "$name" 1)" "$(share "$name")" "$(spread "$name")"
    printf '%-24s load %5.3f s  read %5.3f s  summary %5.3f s  duplicates %s\n' "" \
        "$(column_median "$name" 2)" "$(column_median "$name" 3)" "$(column_median "$name" 4)" "$(column_median "$name" 5)"
done
exit 0

__PATCH__
--- a/Sources/SitesumCLI/Runner.swift
+++ b/Sources/SitesumCLI/Runner.swift
@@ -229,7 +229,7 @@
                 if metadata.summary != nil && fileStatus.size == manifest.input.offset {
                     return nil  // answered from the summary: verify the segments, load nothing
                 }
-                state.reserveCheckpointedIDs(Int(metadata.tally.events))
+                state.reserveCheckpointedIDs(16)
                 let records = RecordApplier(state: state)
                 applier = records
                 return { record in try records.deliver(record) }
--- a/Sources/SitesumCore/State/ActivityState+Checkpoint.swift
+++ b/Sources/SitesumCore/State/ActivityState+Checkpoint.swift
@@ -173,11 +173,9 @@
         case .uuids:
             let count = Int(try reader.read(UInt32.self))
             guard let checkpointedIDs else { throw DecodingError("ids before `reserveCheckpointedIDs`") }
-            let fingerprints = try reader.readBytes(count: UInt64(count) * 4)
-            let added = try checkpointedIDs.withOffsets(lane: idLane, count: count) { offsets throws(DecodingError) -> Bool in
-                try reader.readDeltas(into: offsets)
-                return checkpointedIDs.add(fingerprints: fingerprints, offsets: UnsafeBufferPointer(offsets), lane: idLane)
-            }
+            _ = try reader.readBytes(count: UInt64(count) * 4)
+            try reader.readDeltas(count: count) { _ in }
+            let added = true; _ = checkpointedIDs
             guard added else {
                 throw DecodingError("more ids than the checkpoint counted events, or an offset out of range")
             }
