#!/usr/bin/env bash
# Compares two sitesum binaries on the same log in the same rounds: whether a
# change made a run faster, on a machine whose speed drifts by a third or more
# over minutes (where benchmarks of two builds taken apart compare the
# machine's moods, not the builds).
#
#   stress/compare.sh [--rounds N] [--lines N] [--seed S] BASELINE CANDIDATE
#
# BASELINE and CANDIDATE are sitesum binaries, e.g. the release build of an
# earlier commit and the current one:
#
#   git worktree add /tmp/sitesum-base <commit> && (cd /tmp/sitesum-base && swift build -c release)
#   swift build -c release
#   stress/compare.sh /tmp/sitesum-base/.build/release/sitesum .build/release/sitesum
#
# It generates one log (`BASELINE generate --lines N --seed S`; default 10M
# lines, seed 4 as in bench.sh) into a scratch directory (removed at the end),
# and a checkpoint of its first 90% the way bench.sh makes it (the log cut at
# a line boundary, a default run over the prefix, the rest appended). Then N
# rounds (default 9), each timing both binaries in two configurations:
#
#   start         `--version`, ten times in a row (their mean): starting the
#                 program and exiting, which every run pays and which weighs
#                 on small logs
#   full run      --no-checkpoint over the whole log
#   restart       from a copy of the 90% checkpoint, its segments dropped from
#                 the page cache (as after a kill; see bench.sh), to the end
#
# The order within a round alternates (baseline first in odd rounds), so that
# neither build always runs on the caches the other warmed. For each
# configuration it prints both builds' median wall time and processor time
# (the statistics line's cpu=; none for start), and the median over the rounds of the
# candidate's time divided by the baseline's in the same round, with the
# lowest and highest round's ratio: below 1 the candidate was faster.
#
# Both binaries must read the same checkpoint format: a restart that does not
# resume (its statistics line's resumed-line= is 0) stops the script.
set -euo pipefail
cd "$(dirname "$0")/.."
. stress/lib.sh

rounds=9
lines=10000000
seed=4
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --lines) lines=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        -h|--help) print_help; exit 0 ;;
        -*) echo "compare.sh: unknown argument $1" >&2; exit 64 ;;
        *) break ;;
    esac
done
[ $# -eq 2 ] || { echo "compare.sh: needs two binaries, BASELINE and CANDIDATE (see --help)" >&2; exit 64; }
baseline=$(realpath "$(from_caller "$1")")
candidate=$(realpath "$(from_caller "$2")")
executables_or_exit "$baseline" "$candidate"

work=$(mktemp -d "${TMPDIR:-/tmp}/sitesum-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT
log=$work/log.jsonl
"$baseline" generate --lines "$lines" --seed "$seed" -o "$log"
checkpoint_ninety "$baseline" "$log" "$lines" "$work/cache-90"
for _ in 1 2; do cat "$log" > /dev/null; done


# Runs binary $1 with the remaining arguments; prints "seconds cpu-seconds".
timed() {
    local bin=$1 start end
    shift
    start=$EPOCHREALTIME
    "$bin" --quiet --stats "$@" > /dev/null 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
    end=$EPOCHREALTIME
    echo "$(calc "$end - $start") $(stat_field cpu)"
}

# Binary $1 started with --version ten times; prints "seconds 0": the mean
# time of one start (there is no statistics line).
started() {
    local start end
    start=$EPOCHREALTIME
    for _ in 1 2 3 4 5 6 7 8 9 10; do "$1" --version > /dev/null; done
    end=$EPOCHREALTIME
    echo "$(calc "($end - $start) / 10") 0"
}

# One restart of binary $1 from a fresh copy of the 90% checkpoint.
restart() {
    cold_copy "$work/cache-90" "$work/cache"
    timed "$1" --cache-dir "$work/cache" "$log"
    if [ "$(stat_field resumed-line)" = "0" ]; then
        echo "compare.sh: $1 did not resume from the checkpoint (another checkpoint format?)" >&2
        exit 1
    fi
}

# Appends a round's line "baseline-seconds baseline-cpu candidate-seconds
# candidate-cpu" for configuration $1 (full or restart), in alternating order.
sample() {
    local name=$1 round=$2 a b
    if [ $((round % 2)) -eq 1 ]; then
        a=$(run_one "$name" "$baseline"); b=$(run_one "$name" "$candidate")
    else
        b=$(run_one "$name" "$candidate"); a=$(run_one "$name" "$baseline")
    fi
    echo "$a $b" >> "$work/samples-$name"
}
run_one() {
    case "$1" in
        start) started "$2" ;;
        full) timed "$2" --no-checkpoint "$log" ;;
        restart) restart "$2" ;;
    esac
}

for round in $(seq "$rounds"); do
    sample start "$round"
    sample full "$round"
    sample restart "$round"
done

echo "sitesum compare: $(machine); $lines lines (seed $seed); $rounds rounds; $(date -u +%Y-%m-%dT%H:%MZ)"
echo "baseline:  $baseline"
echo "candidate: $candidate"
file=$work/samples-start
printf '%-9s baseline %6.4f s                 candidate %6.4f s                 candidate/baseline: wall %.3f (rounds %.3f to %.3f)\n' \
    "start" "$(cut -d' ' -f1 "$file" | median)" "$(cut -d' ' -f3 "$file" | median)" \
    "$(awk '{print $3 / $1}' "$file" | median)" \
    "$(awk '{print $3 / $1}' "$file" | sort -n | awk 'NR == 1')" "$(awk '{print $3 / $1}' "$file" | sort -n | tail -1)"
for name in full restart; do
    file=$work/samples-$name
    label=$([ "$name" = full ] && echo "full run" || echo "restart")
    printf '%-9s baseline %6.3f s (cpu %6.3f s)  candidate %6.3f s (cpu %6.3f s)  candidate/baseline: wall %.3f (rounds %.3f to %.3f), cpu %.3f\n' \
        "$label" \
        "$(cut -d' ' -f1 "$file" | median)" "$(cut -d' ' -f2 "$file" | median)" \
        "$(cut -d' ' -f3 "$file" | median)" "$(cut -d' ' -f4 "$file" | median)" \
        "$(awk '{print $3 / $1}' "$file" | median)" \
        "$(awk '{print $3 / $1}' "$file" | sort -n | awk 'NR == 1')" "$(awk '{print $3 / $1}' "$file" | sort -n | tail -1)" \
        "$(awk '{print $4 / $2}' "$file" | median)"
done
