#!/usr/bin/env bash
# Logs of many small sites: what a full run and a resume cost when a log
# has hundreds of thousands of sites, each with a few events, instead of
# the benchmark's ten busy ones. Per site, sitesum keeps columns and a line
# of the summary, and a checkpoint holds records; what grows with the
# number of sites times anything else shows here (see README, Memory).
#
#   stress/many-sites.sh [--runs N] [BINARY...]
#
# Builds the release binary unless BINARY paths are given (two compare
# builds, e.g. one built at another commit). Generates three logs with
# `sitesum generate` (the first binary's), each in RUNS rounds (default 3)
# and with every binary in turn:
#   sites    --lines 600000 --sites 300000 --operators 1 --visitors 1 --seed 5
#   people   --lines 1000000 --sites 100000 --visitors 100000 --operators 2 --seed 6
#   million  --lines 3000000 --sites 1500000 --operators 1 --visitors 1 --seed 7
# Each round: a run with --no-checkpoint (its statistics line's summary=,
# elapsed= and peak-rss=, and the size of the summary it printed), and a resume after 90% (a default run over the
# log's first 90% into an empty cache directory, the rest appended, and the
# same command again: its load=, elapsed= and peak-rss=), whose summary must
# be the full run's, or the script stops. Prints the medians of each, and on
# a second line those of the default run over 90%: its elapsed=, what it
# spent on its checkpoints (checkpoint-cpu=) and the size of the segments it
# left.
set -euo pipefail
cd "$(dirname "$0")/.."
. stress/lib.sh

runs=3
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        -h|--help) print_help; exit 0 ;;
        -*) echo "many-sites.sh: unknown argument $1" >&2; exit 64 ;;
        *) break ;;
    esac
done
binaries_or_release_build "$@"
set -- "${binaries[@]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/sitesum-many-sites.XXXXXX")
trap 'rm -rf "$work"' EXIT

logs=(
    "sites 600000 --sites 300000 --operators 1 --visitors 1 --seed 5"
    "people 1000000 --sites 100000 --visitors 100000 --operators 2 --seed 6"
    "million 3000000 --sites 1500000 --operators 1 --visitors 1 --seed 7"
)
echo "sitesum many sites: median of $runs rounds; $(machine); $(date -u +%Y-%m-%dT%H:%MZ)"
for entry in "${logs[@]}"; do
    read -r name lines options <<< "$entry"
    # shellcheck disable=SC2086  # the options are words
    "$1" generate --lines "$lines" $options -o "$work/$name.jsonl"
    for round in $(seq "$runs"); do
        for binary in "$@"; do
            "$binary" --quiet --stats --no-checkpoint "$work/$name.jsonl" > "$work/full.out" 2> "$work/err"
            echo "$binary $(stat_field summary) $(stat_field elapsed) $(stat_field peak-rss) $(stat_field sites) $(wc -c < "$work/full.out")" >> "$work/$name.full"
            cp "$work/$name.jsonl" "$work/grown.jsonl"
            rm -rf "$work/cache"
            checkpoint_ninety "$binary" "$work/grown.jsonl" "$lines" "$work/cache"
            segments=$(cat "$work"/cache/*/segment-*.seg | wc -c)
            echo "$binary $(stat_field checkpoint-cpu) $segments $(stat_field elapsed)" >> "$work/$name.checkpoints"
            "$binary" --quiet --stats --cache-dir "$work/cache" "$work/grown.jsonl" > "$work/resumed.out" 2> "$work/err"
            [ "$(stat_field resumed-offset)" != 0 ] || { echo "many-sites.sh: $binary did not resume ($name)" >&2; exit 70; }
            cmp -s "$work/full.out" "$work/resumed.out" ||
                { echo "many-sites.sh: $binary resumed to another summary than its full run ($name)" >&2; exit 70; }
            echo "$binary $(stat_field load) $(stat_field elapsed) $(stat_field peak-rss)" >> "$work/$name.resume"
        done
    done
    for binary in "$@"; do
        full=$(grep -F "$binary " "$work/$name.full")
        resume=$(grep -F "$binary " "$work/$name.resume")
        checkpoints=$(grep -F "$binary " "$work/$name.checkpoints")
        column() { awk -v c="$2" '{print $c}' <<< "$1" | median; }
        printf '%-8s %9s lines %8s sites  full run: summary %6.3f s (%5.1f MB)  elapsed %6.3f s  peak %7.1f MiB  resume after 90%%: load %6.3f s  elapsed %6.3f s  peak %7.1f MiB  %s\n' \
            "$name" "$lines" "$(column "$full" 5)" "$(column "$full" 2)" "$(awk '{print $1 / 1e6}' <<< "$(column "$full" 6)")" \
            "$(column "$full" 3)" "$(column "$full" 4)" \
            "$(column "$resume" 2)" "$(column "$resume" 3)" "$(column "$resume" 4)" "$binary"
        printf '%-8s %9s lines  the default run over 90%%: elapsed %6.3f s  checkpoint-cpu %6.3f s  segments %7.1f MB  %s\n' \
            "$name" "$lines" "$(column "$checkpoints" 4)" "$(column "$checkpoints" 2)" \
            "$(awk '{print $1 / 1e6}' <<< "$(column "$checkpoints" 3)")" "$binary"
    done
done
