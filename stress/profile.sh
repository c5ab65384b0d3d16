#!/usr/bin/env bash
# Where one sitesum run's processor time goes: by thread, the kernel's part,
# and by function. A sampling profile (perf's cpu-clock event, a timer, which
# needs no hardware counters and so works on a virtual machine too); unlike
# instructions.sh it sees waiting for memory, the largest item of a run here,
# and unlike bench.sh it says where the time went, not how much there was.
#
#   stress/profile.sh [--lines N] [--seed S] [--top K] [--binary PATH]
#                     [--save-interval N | --resume]
#
# Needs perf. Builds the release binary (or takes PATH, e.g. one built at
# another commit), generates a log of N lines (default 10000000; `sitesum
# generate --seed S`, seed 4 as in bench.sh) and profiles `sitesum -q --stats
# --no-checkpoint` on it. With --save-interval N the run takes checkpoints at
# that interval (into a fresh cache directory) instead; with --resume it is a
# resume from a checkpoint of the log's first 90%, taken (not profiled) as
# bench.sh takes it, its segments dropped from the page cache.
#
# It prints the run's processor and elapsed time (its statistics line), then
# each thread's share of the samples: the run's own thread (which applies the
# lines, decodes when the worker is behind, and collects checkpoints) carries
# the program's name; sitesum-decode reads and decodes batches, sitesum-commit
# writes checkpoints, sitesum-load and sitesum-ids load a checkpoint beside
# the run's thread, sitesum-layout lays out a resume's id table with it,
# sitesum-pages provides the id tables' pages, and sitesum-summary computes
# the summary with the run's thread. (Builds from before those three were
# threads of sitesum's own ran their work on Dispatch's pool, whose threads
# perf names after their queue, "oot.default-qos".) Then the kernel's share (system
# calls, page faults: copying the input, zeroing fresh memory), and the K
# functions (default 15) with the most samples, with their threads. Shares
# are of all samples, so of the processor time; one run, so they move by a
# point or two from run to run.
set -euo pipefail
cd "$(dirname "$0")/.."

lines=10000000
seed=4
top=15
bin=
interval=
resume=
. stress/lib.sh
parse_run_options profile.sh "$@"
command -v perf >/dev/null 2>&1 || { echo "profile.sh: needs perf" >&2; exit 69; }
settle_run_options
# Above 1, perf lets only root sample the kernel: the
# kernel's share would read 0 without saying why.
if [ "$(id -u)" != 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo 2)" -gt 1 ]; then
    echo "profile.sh: kernel.perf_event_paranoid is above 1: the kernel's part is not sampled (run as root, or lower it)" >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sitesum-profile.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$bin" generate --lines "$lines" --seed "$seed" -o "$work/log.jsonl"

mode=(--no-checkpoint)
if [ -n "$interval" ]; then
    mode=(--cache-dir "$work/cache" --save-interval "$interval")
elif [ -n "$resume" ]; then
    checkpoint_ninety "$bin" "$work/log.jsonl" "$lines" "$work/taken"
    cold_copy "$work/taken" "$work/cache"
    mode=(--cache-dir "$work/cache")
fi
frequency=2000
perf record -q -e cpu-clock -F "$frequency" -o "$work/perf.data" -- \
    "$bin" -q --stats "${mode[@]}" "$work/log.jsonl" > /dev/null 2> "$work/err" ||
    { cat "$work/err" >&2; exit 70; }

# One line a function of a thread: share, samples, thread, shared object,
# [.] or [k] (kernel), symbol.
perf report -i "$work/perf.data" --stdio --no-children -q -n --sort comm,dso,sym --percent-limit 0 2>/dev/null |
    awk 'NF >= 6 { sub(/%/, "", $1); print }' > "$work/report"
samples=$(awk '{ n += $2 } END { print n }' "$work/report")

echo "sitesum profile: $lines lines (seed $seed), $configuration, $("$bin" --version 2>/dev/null || echo "$bin"); $(machine)"
echo "run: processor $(stat_field cpu) s, elapsed $(stat_field elapsed) s; $samples samples at $frequency Hz"
echo "by thread (share of the samples):"
awk '{ share[$3] += $1 } END { for (t in share) printf "%7.1f%%  %s\n", share[t], t }' "$work/report" | sort -rn
awk '$5 == "[k]" { k += $1 } END { printf "kernel: %.1f%% (system calls, page faults)\n", k }' "$work/report"
echo "by function (share of the samples; thread):"
sort -rn "$work/report" | awk -v top="$top" 'NR <= top' |
    while read -r share _ thread _ kind name; do
        case "$name" in
            '$s'*|'_$s'*) name=$(swift demangle --simplified --compact "$name" 2>/dev/null || echo "$name") ;;
        esac
        [ "$kind" = "[k]" ] && name="$name (kernel)"
        printf "%7.1f%%  %-16s %s\n" "$share" "$thread" "${name:0:100}"
    done
