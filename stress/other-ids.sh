#!/usr/bin/env bash
# Logs whose ids are not UUIDs: what a run costs when every id takes the
# exact way (the interner that keeps each id whole) instead of the 128-bit
# set the benchmark's logs use. SPEC.md allows any non-empty string as an
# id, and a log of order numbers, ULIDs or "evt-..." ids is as much a log
# as one of UUIDs (see README, Memory).
#
#   stress/other-ids.sh [--runs N] [--lines N] [BINARY...]
#
# Builds the release binary unless BINARY paths are given (two compare
# builds, e.g. one built at another commit). Generates one log with the
# first binary (`sitesum generate --lines N --seed 4`, default 2000000
# lines), and a copy of it in which every canonical UUID id is rewritten
# to "evt-" and its 32 hex digits (so that equal ids stay equal and
# different ones different; ids in another form, upper-case or escaped,
# stay as they were). In RUNS rounds (default 5), every binary runs
# --no-checkpoint and the default configuration (into an empty cache
# directory) on both logs, and a resume after 90% (a default run over the
# log's first 90%, the rest appended, and the same command again). Prints
# the medians of each: elapsed= and its MB/s, peak-rss= and bytes per event
# (events=), with the size of the checkpoint the default run left, and for
# the resume its elapsed= and load=. The binaries must print the same
# summary for the same log, a resume too, or the script stops.
set -euo pipefail
cd "$(dirname "$0")/.."
. stress/lib.sh

runs=5
lines=2000000
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --lines) lines=$2; shift 2 ;;
        -h|--help) print_help; exit 0 ;;
        -*) echo "other-ids.sh: unknown argument $1" >&2; exit 64 ;;
        *) break ;;
    esac
done
binaries_or_release_build "$@"
set -- "${binaries[@]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/sitesum-other-ids.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$1" generate --lines "$lines" --seed 4 -o "$work/uuid.jsonl"
hex='[0-9a-f]'
sed "s/\"id\":\"\($hex\{8\}\)-\($hex\{4\}\)-\($hex\{4\}\)-\($hex\{4\}\)-\($hex\{12\}\)\"/\"id\":\"evt-\1\2\3\4\5\"/" \
    "$work/uuid.jsonl" > "$work/other.jsonl"
echo "sitesum other ids: $lines lines (seed 4); median of $runs rounds; $(machine); $(date -u +%Y-%m-%dT%H:%MZ)"
for round in $(seq "$runs"); do
    for log in uuid other; do
        for binary in "$@"; do
            for configuration in no-checkpoint default resume; do
                rm -rf "$work/cache"
                options=(--cache-dir "$work/cache")
                [ "$configuration" != no-checkpoint ] || options=(--no-checkpoint)
                input=$work/$log.jsonl
                if [ "$configuration" = resume ]; then
                    input=$work/grown.jsonl
                    cp "$work/$log.jsonl" "$input"
                    checkpoint_ninety "$binary" "$input" "$lines" "$work/cache"
                fi
                "$binary" --quiet --stats "${options[@]}" "$input" > "$work/out" 2> "$work/err"
                [ "$configuration" != resume ] || [ "$(stat_field resumed-offset)" != 0 ] ||
                    { echo "other-ids.sh: $binary did not resume (the $log log)" >&2; exit 70; }
                if [ -e "$work/$log.summary" ]; then
                    cmp -s "$work/out" "$work/$log.summary" ||
                        { echo "other-ids.sh: $binary printed another summary for the $log log" >&2; exit 70; }
                else
                    cp "$work/out" "$work/$log.summary"
                fi
                checkpoint=0
                [ "$configuration" != default ] || checkpoint=$(cat "$work"/cache/*/segment-*.seg | wc -c)
                echo "$binary $configuration $(stat_field elapsed) $(stat_field peak-rss) $(stat_field events) $checkpoint" \
                    "$(stat_field load)" >> "$work/$log.samples"
            done
        done
    done
done
for log in uuid other; do
    bytes=$(wc -c < "$work/$log.jsonl")
    for binary in "$@"; do
        for configuration in no-checkpoint default resume; do
            samples=$(grep -F "$binary $configuration " "$work/$log.samples")
            column() { awk -v c="$1" '{print $c}' <<< "$samples" | median; }
            elapsed=$(column 3) peak=$(column 4) events=$(column 5) checkpoint=$(column 6)
            if [ "$configuration" = resume ]; then
                printf '%-5s ids  %-15s %6.3f s  load %5.3f s  peak %6.1f MiB' "$log" "after 90%" \
                    "$elapsed" "$(column 7)" "$peak"
            else
                printf '%-5s ids  %-15s %6.3f s %6.0f MB/s  peak %6.1f MiB %6.1f B/event' "$log" "$configuration" \
                    "$elapsed" "$(calc "$bytes / $elapsed / 1e6")" "$peak" "$(calc "$peak * 1048576 / $events")"
            fi
            [ "$configuration" != default ] || printf '  checkpoint %5.1f B/event' "$(calc "$checkpoint / $events")"
            printf '  %s\n' "$binary"
        done
    done
done
