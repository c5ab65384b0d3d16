#!/usr/bin/env bash
# Measures what checkpoints cost at several save intervals, to choose the
# default: on one generated file (page cache warm), RUNS rounds that each run
# every setting once; prints each setting's median wall time and the median of
# its rounds' ratios to --no-checkpoint (a round's runs meet the machine at
# about the same speed, where its speed drifts over minutes), each right after
# the one before (see "Memory" in bench.sh).
#
#   stress/save-interval-bench.sh [LINES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
. stress/lib.sh
case "${1:-}" in -h|--help) print_help; exit 0 ;; esac
lines=${1:-2000000}
runs=${2:-5}
release_build
bin=.build/release/sitesum
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" generate --lines "$lines" --seed 7 -o "$work/log.jsonl"
bytes=$(stat -c %s "$work/log.jsonl")
cat "$work/log.jsonl" > /dev/null

settings="0 50000 200000 1000000 2000000 5000000"  # 0: --no-checkpoint
for _ in $(seq "$runs"); do
    for interval in $settings; do
        if [ "$interval" = 0 ]; then set -- --no-checkpoint; else set -- --save-interval "$interval"; fi
        rm -rf "$work/cache"
        start=$EPOCHREALTIME
        "$bin" --quiet --cache-dir "$work/cache" "$@" "$work/log.jsonl" > /dev/null 2>&1
        end=$EPOCHREALTIME
        awk -v a="$start" -v b="$end" 'BEGIN {print b - a}' >> "$work/times-$interval"
    done
done

echo "input: $lines lines, $bytes bytes; median of $runs rounds; $(machine)"
base=$(median < "$work/times-0")
printf '%-22s %8.3f s %8.1f MB/s\n' "--no-checkpoint" "$base" "$(awk -v b="$bytes" -v t="$base" 'BEGIN {print b / t / 1e6}')"
for interval in $settings; do
    [ "$interval" = 0 ] && continue
    t=$(median < "$work/times-$interval")
    overhead=$(paste -d' ' "$work/times-$interval" "$work/times-0" | awk '{print ($1 / $2 - 1) * 100}' | median)
    # One every half interval (see the README's "Checkpoints and resumption").
    checkpoints=$(( (2 * lines + interval - 1) / interval ))
    printf '%-22s %8.3f s %8.1f MB/s  overhead %+6.1f%%  (~%d checkpoints)\n' "--save-interval $interval" "$t" \
        "$(awk -v b="$bytes" -v t="$t" 'BEGIN {print b / t / 1e6}')" "$overhead" "$checkpoints"
done
