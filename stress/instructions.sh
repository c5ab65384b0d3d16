#!/usr/bin/env bash
# Counts the instructions sitesum executes per line of a log: a measure of its
# processor work that, unlike wall or processor time, does not drift with the
# load of a shared machine (the project's machine moves single runs by 10-30%,
# more than most single changes to the per-line path are worth).
#
#   stress/instructions.sh [--lines N] [--seed S] [--top K] [--binary PATH]
#                          [--save-interval N | --resume]
#
# Needs valgrind (its cachegrind tool). Builds the release binary (or takes
# PATH, e.g. one built at another commit), generates a log of N lines
# (default 300000; `sitesum generate --seed S`, seed 4 as in bench.sh), and
# runs `sitesum -q --no-checkpoint` under cachegrind twice: on the log and on
# its first 1000 lines. It prints the instructions per line, the difference
# of the two counts over the difference of the lines, so that starting up and
# the summary at the end are left out; then the K functions (default 12) that
# executed the most instructions on the whole log, with what they executed
# per line (a function's inlined callees count as its own). Compare counts
# taken with the same --lines: a few costs grow with the log only up to a
# point (sizing the id set reads up to its first MiB), so a smaller log shows
# more instructions per line.
#
# With --save-interval N, both runs take checkpoints at that interval (each
# into a fresh cache directory) instead of --no-checkpoint: the difference
# from a count without it is what checkpointing costs per line. Size the log
# so that it holds several intervals: the default interval (1000000) on the
# default 300000 lines takes just the final checkpoint.
#
# With --resume, both runs are resumes: from a checkpoint of the first 90% of
# their log, taken (not counted) as bench.sh takes it, to the end. Per line of
# the log this is the resume's work: loading the checkpoint (most of it:
# `CheckpointedIDs`' add and layOut, the records' decoding), reading the last
# tenth, the summary.
#
# Large copies are counted as glibc's vector loop executes them, not as the
# one-instruction-per-byte `rep movsb` cachegrind would count, and large
# fills likewise (see count()).
#
# What the count does not see: waiting for memory. The id set's cache misses,
# the largest item of a run's profile, cost few instructions; fewer
# instructions per line means less processor work, not a proportional gain in
# speed. Threads run one at a time under valgrind; the count is the same.
set -euo pipefail
cd "$(dirname "$0")/.."

lines=300000
seed=4
top=12
bin=
interval=
resume=
. stress/lib.sh
parse_run_options instructions.sh "$@"
[ "$lines" -gt 1000 ] || { echo "instructions.sh: --lines must be above 1000" >&2; exit 64; }
command -v valgrind >/dev/null 2>&1 || { echo "instructions.sh: needs valgrind (cachegrind)" >&2; exit 69; }
settle_run_options

work=$(mktemp -d "${TMPDIR:-/tmp}/sitesum-instructions.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$bin" generate --lines "$lines" --seed "$seed" -o "$work/log.jsonl"
head -n 1000 "$work/log.jsonl" > "$work/head.jsonl"

# Runs sitesum on $1 under cachegrind, its counts to $2; prints the total.
# A large copy (the pieces of lines a batch takes at once) is done by glibc
# with `rep movsb` by default, which cachegrind counts as one instruction per
# byte: the copy of a 64 KiB piece would count 65536. The tunable has glibc
# copy such blocks with its vector loop instead, whose instructions are
# counted as executed (about 8 for 256 bytes); copies below 2 KiB, the
# default threshold, go that way anyway. The same for large fills (`memset`,
# `rep stosb`: a resume zeroes the table's regions as it lays them out).
count() {
    local mode=(--no-checkpoint)
    if [ -n "$interval" ]; then
        rm -rf "$work/cache"
        mode=(--cache-dir "$work/cache" --save-interval "$interval")
    elif [ -n "$resume" ]; then
        rm -rf "$work/cache"
        checkpoint_ninety "$bin" "$1" "$(wc -l < "$1")" "$work/cache"
        mode=(--cache-dir "$work/cache")
    fi
    GLIBC_TUNABLES=glibc.cpu.x86_rep_movsb_threshold=1073741824:glibc.cpu.x86_rep_stosb_threshold=1073741824 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$2" \
        "$bin" -q "${mode[@]}" "$1" >/dev/null 2>"$work/valgrind.err" ||
        { cat "$work/valgrind.err" >&2; exit 70; }
    awk '/^summary:/ { print $2 }' "$2"
}
big=$(count "$work/log.jsonl" "$work/log.out")
small=$(count "$work/head.jsonl" "$work/head.out")

echo "sitesum instructions: $lines lines (seed $seed), $configuration, $("$bin" --version 2>/dev/null || echo "$bin")"
awk -v b="$big" -v s="$small" -v n="$lines" 'BEGIN {
    printf "whole run          %14.0f instructions\n", b
    printf "first 1000 lines   %14.0f instructions\n", s
    printf "per line           %14.1f instructions (the difference over %d lines)\n", (b - s) / (n - 1000), n - 1000 }'
echo "by function (the whole run; per line of the log):"
# cachegrind's "fl=" / "fn=" records: a function's counts are split by the
# source file of each inlined line; add them up by function.
awk '/^fn=/ { fn = substr($0, 4); next }
     /^[0-9]/ { if (fn != "") total[fn] += $2 }
     END { for (f in total) print total[f], f }' "$work/log.out" |
    # awk, not head: head would stop reading early, and sort, killed by the
    # broken pipe, would fail the pipeline (pipefail), and so the script,
    # with exit status 141 after printing everything.
    sort -rn | awk -v top="$top" 'NR <= top' |
    while read -r n name; do
        pretty=$name
        case "$name" in
            '$s'*|'_$s'*) pretty=$(swift demangle --simplified --compact "$name" 2>/dev/null || echo "$name") ;;
        esac
        awk -v n="$n" -v l="$lines" -v name="$pretty" 'BEGIN { printf "%8.1f  %s\n", n / l, substr(name, 1, 100) }'
    done
