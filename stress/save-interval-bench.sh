#!/usr/bin/env bash
# Measures what checkpoints cost at several save intervals, to choose the
# default: median wall time of several runs per setting on one generated file
# (page cache warm), against --no-checkpoint.
#
#   stress/save-interval-bench.sh [LINES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-2000000}
runs=${2:-5}
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH=/opt/swift/usr/bin:$PATH
fi
swift build -c release >/dev/null
bin=.build/release/sitesum
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" generate --lines "$lines" --seed 7 -o "$work/log.jsonl"
bytes=$(stat -c %s "$work/log.jsonl")
cat "$work/log.jsonl" > /dev/null

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {  # prints the median seconds of one setting
    for _ in $(seq "$runs"); do
        rm -rf "$work/cache"
        start=$(date +%s.%N)
        "$bin" --quiet --cache-dir "$work/cache" "$@" "$work/log.jsonl" > /dev/null 2>&1
        end=$(date +%s.%N)
        awk -v a="$start" -v b="$end" 'BEGIN {print b - a}'
    done | median
}

echo "input: $lines lines, $bytes bytes; median of $runs runs; $(nproc) cores"
base=$(measure --no-checkpoint)
printf '%-22s %8.3f s %8.1f MB/s\n' "--no-checkpoint" "$base" "$(awk -v b="$bytes" -v t="$base" 'BEGIN {print b / t / 1e6}')"
for interval in 50000 200000 1000000 5000000; do
    t=$(measure --save-interval "$interval")
    # One every half interval (see the README's "Checkpoints and resumption").
    checkpoints=$(( (2 * lines + interval - 1) / interval ))
    printf '%-22s %8.3f s %8.1f MB/s  overhead %+6.1f%%  (~%d checkpoints)\n' "--save-interval $interval" "$t" \
        "$(awk -v b="$bytes" -v t="$t" 'BEGIN {print b / t / 1e6}')" \
        "$(awk -v t="$t" -v z="$base" 'BEGIN {print (t / z - 1) * 100}')" "$checkpoints"
done
