#!/usr/bin/env bash
# The performance benchmark of issue 4: prints the figures the README quotes.
#
#   stress/bench.sh [--runs N] [--sizes "1000000 10000000 30000000"] [--seed S]
#                   [--cache-root DIR]
#
# For each size it generates one log (`sitesum generate --lines N --seed S`, 1%
# duplicates by default) into a scratch directory (removed at the end), warms
# the page cache with `cat`, then runs N rounds (default 3), each running every
# configuration below once, and prints medians:
#
#   cat FILE > /dev/null          for scale: what reading the bytes costs
#   --no-checkpoint               throughput (MB/s, events/s), peak RSS
#   the default --save-interval   throughput with checkpoints, its overhead over
#                                 --no-checkpoint, peak RSS and bytes per unique
#                                 event against the target (48 B/event + 32 MB)
#   --save-interval 100000        checkpoint overhead with ~N/50000 checkpoints (one
#                                 every half interval)
#   --save-interval 200000        checkpoint overhead with ~N/100000 checkpoints:
#                                 one every 100000 events, the count issue 4
#                                 gives its --save-interval 100000 row ("100
#                                 checkpoints" on 10M lines), where sitesum's
#                                 interval takes one every half interval
#   checkpoint CPU                of the checkpointing configurations: the
#                                 processor time the checkpoints themselves took
#                                 (statistics line's checkpoint-cpu=: collecting
#                                 each delta, and the writer thread's commits and
#                                 merges) as a share of the run's (cpu=): what
#                                 checkpointing costs, apart from the wall-time
#                                 drift of a shared machine
#   run CPU                       the whole run's processor time (cpu=) over the
#                                 same round's --no-checkpoint run's: the
#                                 checkpoints' own, tracking the changes between
#                                 them, and whatever the disk's writes cost the
#                                 run's threads
#   restart after 90%             see below
#   restart, its statistics line  the same runs' load=, read= and summary=:
#                                 loading the checkpoint, reading the rest of
#                                 the log, computing the summary
#   checkpoint of the first 90%   the segments' size, and per unique event
#   --no-checkpoint, memory cold  as the first, after a pause (see Memory below)
#   restart, memory cold          the restart after such a pause, as a share of
#                                 the same round's cold --no-checkpoint run: a
#                                 restart after a crash meets the memory the
#                                 dead run freed, cold when the restart comes
#                                 seconds later
#   restart cold, its statistics line  the same three phases of those runs
#
# Every timed run starts from an empty cache directory, except the restart.
# The overheads and the restart's share are medians of each round's own ratio
# (with the lowest and the highest round beside them):
# the runs of a round follow each other within seconds, so they meet the
# machine at about the same speed, where this shared machine's speed drifts by
# a third or more over minutes.
# Wall time comes from bash's $EPOCHREALTIME around each run, peak RSS from
# /usr/bin/time (%M, the kernel's maximum resident set size); "unique events" is the events= count of
# `--stats`, i.e. the valid events whose id was new.
#
# Memory. This VM returns the memory a process frees to its host about two
# seconds later (free page reporting, `page_reporting` on the kernel's command
# line), and the host must back it again before the next process can use it.
# A run that starts within a second of another gets the memory that one freed,
# still backed; one that starts after a pause gets it at a fraction of the
# speed: the same 10M-line --no-checkpoint run took a fifth to a third longer
# after a 3 s pause, more than its checkpoints cost. The timed runs of a round
# follow each other, so each starts right after a run of about its size (a
# warm-up with dd instead was no better: the kernel reports the dd's memory
# during the run). Two more lines per size show the other state, each run
# after a 3 s pause: --no-checkpoint, as a run after idle, and a restart, as
# one that comes seconds after a crash. The round ends with the first of
# them: a round that ended with the restart, which takes less memory,
# had the next round's --no-checkpoint run meet the rest cold, and
# every overhead, measured against that run, came out low.
#
# Where the checkpoints go: by default the scratch directory, beside the logs
# (on this machine, the disk). `--cache-root DIR` puts every run's cache
# directory under DIR instead, e.g. /dev/shm (memory): the same runs without
# the disk's writes, to set apart what writing to the disk itself costs.
#
# Files. Used cache directories are moved aside, not removed, until the
# benchmark ends: removing one deletes hundreds of files, and where ext4 runs
# without a journal (this machine's disk), creating a file skips every inode
# freed in the last minute, so the checkpoints of the runs that followed paid,
# in kernel time, for the benchmark's own cleanup.
# 1M, 10M and 30M lines need about 20 GB free for logs and caches.
#
# For scale, once: how fast the machine hands a process fresh memory (dd
# reading 512 MiB of /dev/zero into a new buffer, which the kernel must back
# with zeroed pages first; median of N), cold (after a 3 s pause) and warm
# (right after another dd of the same size). State the run builds, and state
# a restart rebuilds, costs at least this much.
#
# Restart after 90%: measured deterministically rather than with a timed kill
# (whose point would wander with this shared machine's load). The log is cut
# at the line boundary after 90% of its lines, a default run over that prefix
# leaves its checkpoint at exactly that offset, and the rest of the lines is
# appended to the same file (same inode, same leading bytes), which the
# checkpoint accepts as a grown input. Each timed restart starts from a copy of
# that cache directory, its segments dropped from the page cache (as a killed
# run leaves them, see the checkpoint store): it loads the state of 90% of the log, reads the last
# 10%, prints the summary and commits the final checkpoint. That is what a run
# killed right after the checkpoint at 90% would do next. A run killed at a
# random instant resumes from its last checkpoint instead, which lies up to
# one save interval (plus one read block) earlier, so its restart reads that
# much more of the input.
#
# Growth: nanoseconds per line and bytes per unique event of the default
# configuration at each size, as ratios to the smallest size; the bytes per
# event also without the fixed 32 MB the memory target allows (the program,
# its buffers, one checkpoint delta), which dominate a small log.
set -euo pipefail
cd "$(dirname "$0")/.."
. stress/lib.sh

runs=3
sizes="1000000 10000000 30000000"
seed=4
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --sizes) sizes=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --cache-root) cache_root_parent=$2; shift 2 ;;
        -h|--help) print_help; exit 0 ;;
        *) echo "bench.sh: unknown argument $1" >&2; exit 64 ;;
    esac
done

[ -x /usr/bin/time ] || { echo "bench.sh: needs /usr/bin/time (GNU time) for peak RSS" >&2; exit 69; }
release_build
bin=$PWD/.build/release/sitesum
# The first "default N" at or after the --save-interval line of the help.
default_interval=$("$bin" --help | awk '/--save-interval N/ { found = 1 }
    found && match($0, /default [0-9]+/) { print substr($0, RSTART + 8, RLENGTH - 8); exit }' || true)
default_interval=${default_interval:-1000000}

work=$(mktemp -d "${TMPDIR:-/tmp}/sitesum-bench.XXXXXX")
caches=$work
trap 'rm -rf "$work" "$caches"' EXIT
if [ -n "${cache_root_parent:-}" ]; then
    caches=$(mktemp -d "$cache_root_parent/sitesum-bench-caches.XXXXXX")
fi

# Runs sitesum with the given arguments once; prints "seconds peak-kB events
# cpu-seconds checkpoint-cpu-seconds load-seconds read-seconds summary-seconds"
# (all but the first two from the statistics line).
# Wall time from bash's microsecond clock (/usr/bin/time's %e has 10 ms steps).
timed() {
    local start end
    start=$EPOCHREALTIME
    /usr/bin/time -f '%M' -o "$work/time" "$bin" --quiet --stats "$@" > /dev/null 2> "$work/err" \
        || { cat "$work/err" >&2; exit 1; }
    end=$EPOCHREALTIME
    echo "$(calc "$end - $start") $(cat "$work/time") $(stat_field events) $(stat_field cpu) $(stat_field checkpoint-cpu)" \
        "$(stat_field load) $(stat_field read) $(stat_field summary)"
}

# Runs `timed` once from an empty cache directory and appends its line to the
# samples file of configuration $1.
sample() {
    local name=$1
    shift
    discard "$caches/cache"
    timed --cache-dir "$caches/cache" "$@" "$log" >> "$work/samples-$name"
}

# Moves a used cache directory out of the way; all are removed at the end (see
# "Files" above). Under --cache-root (memory, say, which they would fill) it
# is removed at once.
discarded=0
discard() {
    if [ -e "$1" ] && [ "$caches" != "$work" ]; then
        rm -rf "$1"
    elif [ -e "$1" ]; then
        mkdir -p "$caches/discarded"
        discarded=$((discarded + 1))
        mv "$1" "$caches/discarded/$discarded"
    fi
}
# Waits until memory freed before has been returned to the host.
cool_memory() { sleep 3; }

# Column $2 of configuration $1's samples: the median.
median_of() { cut -d' ' -f"$2" "$work/samples-$1" | median; }

# The median over the rounds of configuration $1's time divided by the same
# round's time of $2, as a change in percent (or, with "share", as a percentage).
paired() {
    paired_values "$@" | median
}
# $4: compare column $4 of the samples (default 1, the wall time; 4 is cpu).
paired_values() {
    paste -d' ' "$work/samples-$1" "$work/samples-$2" \
        | awk -v share="${3:-}" -v a="${4:-1}" '{ b = NF / 2 + a; print share == "" ? ($a / $b - 1) * 100 : $a / $b * 100 }'
}
# The median over the rounds of configuration $1's checkpoint-cpu as a
# percentage of its cpu, with the lowest and highest round.
cpu_share() {
    awk '{ print $5 / $4 * 100 }' "$work/samples-$1" | sort -n \
        | awk '{a[NR]=$1} END {printf "%5.1f %%  (rounds %.1f to %.1f)", a[int((NR+1)/2)], a[1], a[NR]}'
}
# The lowest and highest of the rounds' ratios, as "from ... to ...", to show
# how far one round can be from the median on this machine.
spread() {
    paired_values "$@" | sort -n | awk '{a[NR]=$1} END {printf "rounds %+.1f to %+.1f", a[1], a[NR]}'
}

fresh_dd() {
    local start end
    start=$EPOCHREALTIME; dd if=/dev/zero of=/dev/null bs=512M count=1 status=none; end=$EPOCHREALTIME; calc "$end - $start"
}
cold_s=$(for _ in $(seq "$runs"); do cool_memory; fresh_dd; done | median)
warm_s=$(for _ in $(seq "$runs"); do dd if=/dev/zero of=/dev/null bs=512M count=1 status=none; fresh_dd; done | median)
echo "sitesum benchmark: $(machine), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); median of $runs rounds; default --save-interval $default_interval; $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-34s %7.2f s %8.0f MB/s\n' "fresh memory, cold (dd 512 MiB)" "$cold_s" "$(calc "536870912 / $cold_s / 1e6")"
printf '%-34s %7.2f s %8.0f MB/s\n' "fresh memory, warm (dd 512 MiB)" "$warm_s" "$(calc "536870912 / $warm_s / 1e6")"
growth=""
for lines in $sizes; do
    log="$work/log-$lines.jsonl"
    "$bin" generate --lines "$lines" --seed "$seed" -o "$log"
    bytes=$(stat -c %s "$log")

    # The 90% prefix first: checkpoint it, then append the rest (same inode).
    checkpoint_ninety "$bin" "$log" "$lines" "$caches/cache-90"
    events_90=$(stat_field events)
    checkpoint_bytes=$(cat "$caches"/cache-90/*/segment-* | wc -c)

    for _ in 1 2; do cat "$log" > /dev/null; done
    cat_seconds=$(for _ in $(seq "$runs"); do
        start=$EPOCHREALTIME; cat "$log" > /dev/null; end=$EPOCHREALTIME; calc "$end - $start"
    done | median)

    # One round runs every configuration once, so a drift in the machine's
    # speed weighs on all of them alike; the overheads are medians of each
    # round's ratio.
    rm -f "$work"/samples-*
    for _ in $(seq "$runs"); do
        sample plain --no-checkpoint
        sample default
        sample frequent --save-interval 100000
        sample hundred --save-interval 200000
        discard "$caches/cache"
        # As after a kill: the segments on the disk, not in the page cache.
        cold_copy "$caches/cache-90" "$caches/cache"
        timed --cache-dir "$caches/cache" "$log" >> "$work/samples-restart"
        discard "$caches/cache"
        cold_copy "$caches/cache-90" "$caches/cache"
        cool_memory
        timed --cache-dir "$caches/cache" "$log" >> "$work/samples-restartcold"
        discard "$caches/cache"
        # Last, so that the next round's first run follows a run of its size
        # (see Memory above).
        cool_memory
        timed --cache-dir "$caches/cache" --no-checkpoint "$log" >> "$work/samples-cold"
    done
    plain_s=$(median_of plain 1); plain_kb=$(median_of plain 2); events=$(head -1 "$work/samples-plain" | cut -d' ' -f3)
    default_s=$(median_of default 1); default_kb=$(median_of default 2)
    frequent_s=$(median_of frequent 1)
    hundred_s=$(median_of hundred 1)
    restart_s=$(median_of restart 1)
    restart_cold_s=$(median_of restartcold 1)
    cold_run_s=$(median_of cold 1)
    discard "$caches/cache"
    discard "$caches/cache-90"

    mb() { calc "$bytes / $1 / 1e6"; }
    limit_mb=$(calc "(48 * $events) / 1e6 + 32")
    printf '== %s lines, %s bytes, %s unique events\n' "$lines" "$bytes" "$events"
    printf '%-34s %7.2f s %8.0f MB/s\n' "cat > /dev/null" "$cat_seconds" "$(mb "$cat_seconds")"
    printf '%-34s %7.2f s %8.0f MB/s %6.2f M events/s   peak %5.0f MB  %5.1f B/event\n' "--no-checkpoint" \
        "$plain_s" "$(mb "$plain_s")" "$(calc "$events / $plain_s / 1e6")" "$(calc "$plain_kb / 1024")" \
        "$(calc "$plain_kb * 1024 / $events")"
    printf '%-34s %7.2f s %8.0f MB/s %6.2f M events/s   peak %5.0f MB  %5.1f B/event  (limit %.0f MB: %s)\n' \
        "default (--save-interval $default_interval)" "$default_s" "$(mb "$default_s")" \
        "$(calc "$events / $default_s / 1e6")" "$(calc "$default_kb / 1024")" \
        "$(calc "$default_kb * 1024 / $events")" "$(calc "$limit_mb * 1e6 / 1048576")" \
        "$(calc "($default_kb * 1024 <= $limit_mb * 1e6)" | sed 's/1/within/; s/0/over/')"
    printf '%-34s %7.2f s %8.0f MB/s   (after a 3 s pause; %+.1f %%)\n' \
        "--no-checkpoint, memory cold" "$cold_run_s" "$(mb "$cold_run_s")" "$(paired cold plain)"
    printf '%-34s %+7.1f %%  (%s)\n' "checkpoint overhead, default" "$(paired default plain)" "$(spread default plain)"
    printf '%-34s %7.2f s  overhead %+6.1f %%  (~%d checkpoints; %s)\n' "--save-interval 100000" "$frequent_s" \
        "$(paired frequent plain)" "$(( (lines + 49999) / 50000 ))" "$(spread frequent plain)"
    printf '%-34s %7.2f s  overhead %+6.1f %%  (~%d checkpoints; %s)\n' "--save-interval 200000" "$hundred_s" \
        "$(paired hundred plain)" "$(( (lines + 99999) / 100000 ))" "$(spread hundred plain)"
    printf '%-34s %s\n' "checkpoint CPU, default" "$(cpu_share default)"
    printf '%-34s %s\n' "checkpoint CPU, 100000" "$(cpu_share frequent)"
    printf '%-34s %s\n' "checkpoint CPU, 200000" "$(cpu_share hundred)"
    printf '%-34s %+7.1f %%  (%s)\n' "run CPU, default" "$(paired default plain "" 4)" "$(spread default plain "" 4)"
    printf '%-34s %+7.1f %%  (%s)\n' "run CPU, 100000" "$(paired frequent plain "" 4)" "$(spread frequent plain "" 4)"
    printf '%-34s %+7.1f %%  (%s)\n' "run CPU, 200000" "$(paired hundred plain "" 4)" "$(spread hundred plain "" 4)"
    printf '%-34s %7.2f s  = %4.1f %% of a default run  (%s)\n' "restart after 90% (see header)" "$restart_s" \
        "$(paired restart default share)" "$(spread restart default share | sed 's/+//g')"
    printf '%-34s %7.3f s load  %5.3f s read  %5.3f s summary  (medians)\n' "restart, its statistics line" \
        "$(median_of restart 6)" "$(median_of restart 7)" "$(median_of restart 8)"
    printf '%-34s %7.2f s  = %4.1f %% of a cold --no-checkpoint run  (%s)\n' "restart, memory cold" "$restart_cold_s" \
        "$(paired restartcold cold share)" "$(spread restartcold cold share | sed 's/+//g')"
    printf '%-34s %7.3f s load  %5.3f s read  %5.3f s summary  (medians)\n' "restart cold, its statistics line" \
        "$(median_of restartcold 6)" "$(median_of restartcold 7)" "$(median_of restartcold 8)"
    printf '%-34s %7.0f MB  %5.1f B/event\n' "checkpoint of the first 90%" \
        "$(calc "$checkpoint_bytes / 1e6")" "$(calc "$checkpoint_bytes / $events_90")"
    growth="$growth$lines $(calc "$default_s / $lines * 1e9") $(calc "$default_kb * 1024 / $events") $(calc "($default_kb * 1024 - 32 * 1048576) / $events")
"
    rm -f "$log"
done

echo "== growth (default configuration; ratios to the first size; the last column leaves out the 32 MB the target allows)"
printf '%s' "$growth" | awk '
    NR == 1 { t0 = $2; m0 = $3; n0 = $4 }
    { printf "%-10s %8.1f ns/line  x%.2f   %6.1f B/event  x%.2f   %6.1f B/event over 32 MB  x%.2f\n", $1, $2, $2 / t0, $3, $3 / m0, $4, $4 / n0 }'
