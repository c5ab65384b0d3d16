# Shared by the scripts beside it, which source it after `cd` to the
# repository's root: finding Swift, the quiet release build (and a patched
# one, for the floor scripts), the medians and
# arithmetic they print, the statistics line's fields, the restart that
# bench.sh and compare.sh both time, and the options of the one-run
# measurements, instructions.sh and profile.sh.

# Swift on the PATH, from /opt/swift where it is not there already.
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH=/opt/swift/usr/bin:$PATH
fi

# Builds the release binaries, quietly; when the build fails, shows its
# output on standard error and exits 1. (The compiler reports errors on
# standard output: scripts that sent the build's output to /dev/null under
# `set -e` ended without a word.)
release_build() { quiet_build "the release build" swift build -c release; }

# The directory the script was started in: the `cd` to the repository's
# root before this file is sourced left it in OLDPWD. A BINARY path the
# caller gives is the caller's, relative to it (`from_caller PATH`).
caller_dir=${OLDPWD:-$PWD}
from_caller() {
    case $1 in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s\n' "$caller_dir/$1" ;;
    esac
}

# executables_or_exit PATH...: exits 66, naming the first PATH that is not
# an executable, if there is one.
executables_or_exit() {
    local path
    for path in "$@"; do
        [ -x "$path" ] || { echo "$(basename "$0"): $path is not an executable" >&2; exit 66; }
    done
}

# binaries_or_release_build "$@": the BINARY paths a script was given, in
# the array binaries (relative ones taken from the caller's directory); given
# none, the release build's sitesum, built now.
binaries_or_release_build() {
    local path
    binaries=()
    for path in "$@"; do binaries+=("$(from_caller "$path")"); done
    executables_or_exit "${binaries[@]}"
    if [ ${#binaries[@]} -eq 0 ]; then
        release_build
        binaries=("$PWD/.build/release/sitesum")
    fi
}

# quiet_build WHAT COMMAND...: runs the build COMMAND, quietly; when it fails,
# shows its output on standard error, says that WHAT failed, and exits 1.
quiet_build() {
    local what=$1 log
    shift
    log=$(mktemp "${TMPDIR:-/tmp}/sitesum-build.XXXXXX")
    if ! "$@" > "$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "$(basename "$0"): $what failed (its output is above)" >&2
        exit 1
    fi
    rm -f "$log"
}

# patched_build NAME [MARKER]: a release binary of sitesum built from a copy
# of the package with a patch from the end of the calling script applied: the
# lines after its MARKER line (default __PATCH__), up to the next line that
# starts with __PATCH or the end. Built in .build/NAME (kept, so that the next
# build compiles only what changed); its path in patched_bin. The floor
# scripts time such builds, which leave a cost out on purpose and answer wrong.
patched_build() {
    local root=$PWD/.build/$1
    command -v patch > /dev/null || { echo "$(basename "$0"): needs patch(1) (Debian: apt-get install patch)" >&2; exit 1; }
    rm -rf "$root/package"
    mkdir -p "$root/package/stress"
    cp -r Package.swift Sources Tests "$root/package/"
    cp -r stress/Sources "$root/package/stress/"
    local marker=${2:-__PATCH__} diff
    diff=$(awk -v marker="$marker" '$0 == marker {on = 1; next} /^__PATCH/ {on = 0} on' "$0")
    if [ -z "$diff" ]; then
        echo "$(basename "$0"): no patch after a line $marker" >&2
        exit 1
    fi
    if ! printf '%s\n' "$diff" | patch -s -p1 -d "$root/package"; then
        echo "$(basename "$0"): its patch after $marker no longer applies to Sources/; update it" >&2
        exit 1
    fi
    quiet_build "the patched build" swift build -c release --product sitesum \
        --package-path "$root/package" --scratch-path "$root/build"
    patched_bin=$root/build/release/sitesum
}

# The machine, as the benchmarks' first lines name it: its cores and the
# processor's model name (the project's machine has changed between sessions,
# and a figure is only comparable with one taken on the same processor).
# Where /proc/cpuinfo names no model (some architectures), just the cores.
machine() {
    local model
    model=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
    echo "$(nproc) cores${model:+ ($model)}"
}

# The calling script's header comment (from its second line to `set -euo`),
# without the comment marks: its --help.
print_help() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

# The median of the numbers on standard input, one a line (the lower middle
# of an even count).
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# The value of the awk expression $1.
calc() { awk "BEGIN {print $1}"; }
# Field $1 of the statistics line in "$work/err" (where the scripts keep the
# last run's standard error), without its unit.
stat_field() { grep -o " $1=[0-9.]*" "$work/err" | head -1 | cut -d= -f2; }

# checkpoint_ninety BINARY LOG LINES CACHE: the checkpoint of a log's first
# 90% that a restart resumes from. Cuts LOG (of LINES lines) at the line
# boundary after 90% of them, has BINARY take a default run over that prefix
# into the cache directory CACHE (its standard error in "$work/err"), and
# appends the rest again: the same file, inode and leading bytes, which the
# checkpoint accepts as a grown input.
checkpoint_ninety() {
    local bin=$1 log=$2 lines=$3 cache=$4 cut_at
    cut_at=$(head -n "$(( lines * 9 / 10 ))" "$log" | wc -c)
    tail -c +"$(( cut_at + 1 ))" "$log" > "$work/rest"
    truncate -s "$cut_at" "$log"
    "$bin" --quiet --stats --cache-dir "$cache" "$log" > /dev/null 2> "$work/err"
    cat "$work/rest" >> "$log"
    rm -f "$work/rest"
}

# cold_copy FROM TO: a copy of the cache directory FROM at TO, its segments
# on the disk and not in the page cache, as a killed run leaves them
# (sitesum writes them past it, or drops their pages once synced). The copy's
# pages are dirty, and the kernel drops only clean ones: sync first.
cold_copy() {
    rm -rf "$2"
    cp -r "$1" "$2"
    sync
    local segment
    for segment in "$2"/*/segment-*; do dd if="$segment" iflag=nocache count=0 status=none; done
}

# floor_setup NAME "$@": what the floor scripts share before their rounds:
# --help; LINES and RUNS from the arguments (default 10000000 and 7) in
# lines and runs; the release binary in bin and the one `patched_build NAME`
# builds in floor_bin; a scratch directory in work (removed on exit) holding
# log.jsonl, a log of LINES lines (`sitesum generate --seed 4`, as bench.sh),
# read once into the page cache.
floor_setup() {
    local name=$1
    shift
    case "${1:-}" in -h|--help) print_help; exit 0 ;; esac
    lines=${1:-10000000}
    runs=${2:-7}
    release_build
    bin=$PWD/.build/release/sitesum
    patched_build "$name"
    floor_bin=$patched_bin
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    "$bin" generate --lines "$lines" --seed 4 -o "$work/log.jsonl"
    cat "$work/log.jsonl" > /dev/null
}

# timed_run NAME "FIELDS" BINARY ARGS...: one run of BINARY with ARGS on
# "$work/log.jsonl" (its standard error in "$work/err"); appends its wall
# seconds and the statistics line's FIELDS (names, space-separated) to
# "$work/NAME", one line a run.
timed_run() {
    local name=$1 fields=$2 binary=$3 start end line field
    shift 3
    start=$EPOCHREALTIME
    "$binary" --quiet --stats "$@" "$work/log.jsonl" > /dev/null 2> "$work/err"
    end=$EPOCHREALTIME
    line=$(calc "$end - $start")
    for field in $fields; do line="$line $(stat_field "$field")"; done
    echo "$line" >> "$work/$name"
}

# The options instructions.sh and profile.sh share, parsed into the globals
# lines, seed, top, bin, interval and resume (the caller sets their
# defaults): parse_run_options NAME "$@", NAME for the messages. --help
# prints the caller's header comment.
parse_run_options() {
    local name=$1
    shift
    while [ $# -gt 0 ]; do
        case "$1" in
            --lines) lines=$2; shift 2 ;;
            --seed) seed=$2; shift 2 ;;
            --top) top=$2; shift 2 ;;
            --binary) bin=$(from_caller "$2"); shift 2 ;;
            --save-interval) interval=$2; shift 2 ;;
            --resume) resume=1; shift ;;
            -h|--help) print_help; exit 0 ;;
            *) echo "$name: unknown argument $1" >&2; exit 64 ;;
        esac
    done
    [ -z "$interval" ] || [ -z "$resume" ] || { echo "$name: --save-interval or --resume, not both" >&2; exit 64; }
}

# After parse_run_options: the binary given, or the release build's (built
# now) in bin; the run's configuration, as the scripts print it, in
# configuration.
settle_run_options() {
    if [ -z "$bin" ]; then
        release_build
        bin=$PWD/.build/release/sitesum
    fi
    executables_or_exit "$bin"
    configuration=--no-checkpoint
    [ -z "$interval" ] || configuration="--save-interval $interval"
    [ -z "$resume" ] || configuration="--resume (from a checkpoint of the first 90%)"
}
