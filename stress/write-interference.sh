#!/usr/bin/env bash
# How much disk writes by another process slow a sitesum run on this machine,
# though that process uses almost no CPU: the reason checkpoints are kept small
# (README, Design notes).
#
#   stress/write-interference.sh [--lines N] [--megabytes M] [--runs R]
#
# Generates one log of N lines (default 10,000,000; `sitesum generate --seed 4`),
# then runs R rounds (default 5), each timing `sitesum --no-checkpoint` twice:
# alone, and while `dd` writes M megabytes (default 240: what a version-1
# checkpointing run wrote for 10M lines; about 80 for version 2) with direct I/O
# and an fsync, in twenty files spread over the run, into a scratch directory on
# the disk of the current directory's file system. Prints the median times and
# the median of each round's slowdown.
set -euo pipefail
cd "$(dirname "$0")/.."
. stress/lib.sh

lines=10000000
megabytes=240
runs=5
while [ $# -gt 0 ]; do
    case "$1" in
        --lines) lines=$2; shift 2 ;;
        --megabytes) megabytes=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        -h|--help) print_help; exit 0 ;;
        *) echo "write-interference.sh: unknown argument $1" >&2; exit 64 ;;
    esac
done

release_build
bin=$PWD/.build/release/sitesum
work=$(mktemp -d "$PWD/.write-interference.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$bin" generate --lines "$lines" --seed 4 -o "$work/log.jsonl"
cat "$work/log.jsonl" > /dev/null
timed() {
    local start=$EPOCHREALTIME
    "$bin" --quiet --no-checkpoint "$work/log.jsonl" > /dev/null 2>&1
    calc "$EPOCHREALTIME - $start"
}
per_file=$(( (megabytes + 19) / 20 ))
for _ in $(seq "$runs"); do
    alone=$(timed)
    (for i in $(seq 20); do
        dd if=/dev/zero of="$work/written-$i" bs=1M count="$per_file" oflag=direct conv=fsync status=none
        sleep 0.1
    done) &
    writer=$!
    beside=$(timed)
    wait "$writer"
    rm -f "$work"/written-*
    echo "$alone $beside"
done > "$work/samples"
echo "sitesum --no-checkpoint on $lines lines, $(nproc) cores; median of $runs rounds; $(date -u +%Y-%m-%dT%H:%MZ)"
printf 'alone                            %6.2f s\n' "$(cut -d' ' -f1 "$work/samples" | median)"
printf 'beside %4d MB of direct writes  %6.2f s\n' "$((per_file * 20))" "$(cut -d' ' -f2 "$work/samples" | median)"
printf 'slowdown (median of rounds)      %+6.1f %%\n' "$(awk '{print ($2 / $1 - 1) * 100}' "$work/samples" | median)"
