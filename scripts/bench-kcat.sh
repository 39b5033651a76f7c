#!/usr/bin/env bash
# Benchmark: kct against kcat 1.7 (librdkafka 2.x from .peer-lib) on a private in-memory tansu.
# Not a test: it prints a Markdown table of medians and the goals from the issue, and fails loudly
# only when a run exits non-zero or prints the wrong number of messages.
#
#   bash scripts/bench-kcat.sh            # 5 runs per tool and case
#   RUNS=3 bash scripts/bench-kcat.sh     # fewer runs
#
# Environment:
#   RUNS   timed runs per tool and case (default 5); kct and kcat alternate
#   MSGS   messages in the data set (default 1000000; lower only to smoke-test the script)
#   LIST_RUNS  timed runs per tool of the -L case (default 5 × RUNS: one run takes ~10-70 ms and
#          librdkafka's start-up makes that bimodal, so a median of few runs says little)
#
# Cases (identical arguments for both tools, stdout to /dev/null):
#   1. consume -C -e -q -X fetch.wait.max.ms=5 -f '%k %s\n'   (the data set, from the beginning)
#   2. consume -C -e -q -X fetch.wait.max.ms=5 -J
#   3. produce -P -K# -l FILE into a fresh 4-partition topic per run
#   4. -L on a cluster holding 200 topics
# tansu 0.6.0 holds every fetch for about half of fetch.wait.max.ms, hence fetch.wait.max.ms=5.
#
# Wall time is taken with bash's $EPOCHREALTIME around GNU time (microsecond resolution; GNU time's
# own %e only has 10 ms), CPU is user+sys and RSS the peak resident set, both from GNU time.
#
# Installs, only when missing (the same way scripts/test.sh does): tansu 0.6.0, kcat 1.7.1,
# .venv-peer + .peer-lib/librdkafka.so.1, and GNU time. Builds kct with `cargo build --release`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=scripts/tools.sh
. scripts/tools.sh
export LC_ALL=C # '.' as the decimal separator in $EPOCHREALTIME, awk and printf

RUNS=${RUNS:-5}
MSGS=${MSGS:-1000000}
LIST_RUNS=${LIST_RUNS:-$((5 * RUNS))}
LIST_TOPICS=200


case $RUNS in '' | *[!0-9]* | 0) die "RUNS must be a positive integer, got '$RUNS'" ;; esac
case $MSGS in '' | *[!0-9]* | 0) die "MSGS must be a positive integer, got '$MSGS'" ;; esac
case $LIST_RUNS in '' | *[!0-9]* | 0) die "LIST_RUNS must be a positive integer, got '$LIST_RUNS'" ;; esac

# --- prerequisites -------------------------------------------------------------------------------
ensure_build_prereqs
ensure_gnu_time
ensure_tansu
ensure_kcat_oracle
TANSU=$(command -v tansu)
KCAT_V=$(LD_LIBRARY_PATH="$PEER_LIB" "$KCAT" -V 2>/dev/null) || true
KCAT_VERSION="kcat $(grep -o 'Version [0-9.]*' <<<"$KCAT_V" | head -n1 | cut -d' ' -f2)"
KCAT_VERSION+=" with $(grep -o 'librdkafka [0-9.]*' <<<"$KCAT_V" | head -n1)"

# --- kct -----------------------------------------------------------------------------------------
say "cargo build --release"
cargo build --release
# Others may rebuild target/release/kct while we measure: benchmark a private copy.
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-kcat.XXXXXX")
TANSU_PID=
cleanup() {
    if [ -n "$TANSU_PID" ]; then
        kill "$TANSU_PID" 2>/dev/null || true
        wait "$TANSU_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cp target/release/kct "$TMP/kct"
KCT="$TMP/kct"
KCT_REV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then KCT_REV="$KCT_REV+dirty"; fi

# --- a private tansu with in-memory storage ------------------------------------------------------
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
B="127.0.0.1:$PORT"
URL="tcp://$B"
mkdir -p "$TMP/tansu"
say "starting tansu on $B (memory storage, log $TMP/tansu/tansu.log)"
(
    cd "$TMP/tansu"
    exec "$TANSU" broker --storage-engine memory://tansu/ \
        --listener-url "$URL" --advertised-listener-url "$URL" --silent
) </dev/null >"$TMP/tansu/tansu.log" 2>&1 &
TANSU_PID=$!
for _ in $(seq 600); do
    if ! kill -0 "$TANSU_PID" 2>/dev/null; then
        tail -n 20 "$TMP/tansu/tansu.log" >&2
        die "tansu exited early"
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
    sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || die "tansu never accepted connections on $B"

topic_create() { # NAME PARTITIONS
    "$TANSU" topic create "$1" --broker "$URL" --partitions "$2" >"$TMP/topic.log" 2>&1 ||
        { cat "$TMP/topic.log" >&2; die "tansu topic create $1 failed"; }
}
topic_delete() { # NAME
    "$TANSU" topic delete "$1" --broker "$URL" >"$TMP/topic.log" 2>&1 ||
        { cat "$TMP/topic.log" >&2; die "tansu topic delete $1 failed"; }
}

# Messages in TOPIC, counted by consuming it with kcat (tansu 0.6.0's memory storage answers
# ListOffsets "latest" with a stale offset, so kcat -Q cannot be used for this).
topic_count() { # TOPIC
    local n
    n=$(LD_LIBRARY_PATH="$PEER_LIB" "$KCAT" -b "$B" -t "$1" -C -e -q -X fetch.wait.max.ms=5 \
        -f '\n' 2>"$TMP/count.err" | wc -l) || { cat "$TMP/count.err" >&2; die "counting the messages in $1 with kcat failed"; }
    echo "$n"
}

# Other work on this machine skews the numbers: record the load average the measuring starts at.
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the data set --------------------------------------------------------------------------------
# MSGS lines of exactly 100 bytes: "user-NNNNNNN#NNNNNNN-<78 filler bytes>\n", keys spread out.
DATA="$TMP/data.txt"
say "generating $MSGS keyed 100-byte lines"
awk -v n="$MSGS" 'BEGIN {
    fill = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
    for (i = 0; i < n; i++) printf "user-%07d#%07d-%s\n", (i * 7919) % 9999991, i, fill
}' >"$DATA"
[ "$(wc -l <"$DATA")" -eq "$MSGS" ] || die "data file has the wrong line count"

DATA_TOPIC=bench-data
topic_create "$DATA_TOPIC" 4
say "producing the data set into $DATA_TOPIC with kcat"
LD_LIBRARY_PATH="$PEER_LIB" "$KCAT" -b "$B" -t "$DATA_TOPIC" -P -K'#' -l "$DATA" ||
    die "kcat failed to produce the data set"
n=$(topic_count "$DATA_TOPIC")
[ "$n" -eq "$MSGS" ] || die "$DATA_TOPIC holds $n messages, expected $MSGS"

# --- measuring -----------------------------------------------------------------------------------
mkdir -p "$TMP/res"

# run_tool TOOL ARGS...: one untimed run of kct or kcat (kcat against .peer-lib's librdkafka);
# stderr goes to $TMP/err, the exit status to $TMP/rc (so it survives a pipe into wc or grep).
run_tool() {
    local tool=$1 rc=0
    shift
    if [ "$tool" = kcat ]; then
        LD_LIBRARY_PATH="$PEER_LIB" "$KCAT" "$@" 2>"$TMP/err" || rc=$?
    else
        "$KCT" "$@" 2>"$TMP/err" || rc=$?
    fi
    echo "$rc" >"$TMP/rc"
}

# measure CASE TOOL ARGS...: one timed run, stdout to /dev/null; appends "wall cpu rss_kb" to
# $TMP/res/CASE.TOOL. Fails loudly (with the tool's stderr) on a non-zero exit.
measure() {
    local case=$1 tool=$2 rc=0 t0 t1 e u s m
    shift 2
    t0=$EPOCHREALTIME
    if [ "$tool" = kcat ]; then
        LD_LIBRARY_PATH="$PEER_LIB" /usr/bin/time -f '%e %U %S %M' -o "$TMP/time" \
            "$KCAT" "$@" >/dev/null 2>"$TMP/err" || rc=$?
    else
        /usr/bin/time -f '%e %U %S %M' -o "$TMP/time" "$KCT" "$@" >/dev/null 2>"$TMP/err" || rc=$?
    fi
    t1=$EPOCHREALTIME
    if [ "$rc" -ne 0 ]; then
        printf 'bench-kcat: %s %s exited with status %s: %s %s\n--- stderr:\n' \
            "$case" "$tool" "$rc" "$tool" "$*" >&2
        cat "$TMP/err" >&2
        exit 1
    fi
    if [ -s "$TMP/err" ]; then
        printf 'bench-kcat: warning: %s %s wrote to stderr:\n' "$case" "$tool" >&2
        head -n 5 "$TMP/err" >&2
    fi
    read -r e u s m < <(tail -n 1 "$TMP/time")
    awk -v t0="$t0" -v t1="$t1" -v u="$u" -v s="$s" -v m="$m" \
        'BEGIN { printf "%.4f %.2f %d\n", t1 - t0, u + s, m }' >>"$TMP/res/$case.$tool"
    printf '    %-8s %-4s  wall %7.3fs  cpu %6.2fs  rss %7.1fMB\n' "$case" "$tool" \
        "$(tail -n 1 "$TMP/res/$case.$tool" | cut -d' ' -f1)" \
        "$(tail -n 1 "$TMP/res/$case.$tool" | cut -d' ' -f2)" \
        "$(awk -v m="$m" 'BEGIN { print m / 1024 }')" >&2
}

CONSUME=(-b "$B" -t "$DATA_TOPIC" -C -e -q -X fetch.wait.max.ms=5)

# consume_case CASE ARGS...: one untimed verification run per tool (must print MSGS lines; also
# warms up the broker), then RUNS timed runs alternating kct and kcat.
consume_case() {
    local case=$1 tool lines i
    shift
    for tool in kct kcat; do
        say "$case: verification run of $tool"
        lines=$(run_tool "$tool" "${CONSUME[@]}" "$@" | wc -l)
        if [ "$(cat "$TMP/rc")" -ne 0 ] || [ "$lines" -ne "$MSGS" ]; then
            printf 'bench-kcat: %s verification: %s exited with status %s after %s lines, expected %s\n--- stderr:\n' \
                "$case" "$tool" "$(cat "$TMP/rc")" "$lines" "$MSGS" >&2
            cat "$TMP/err" >&2
            exit 1
        fi
    done
    say "$case: $RUNS timed runs per tool"
    for ((i = 1; i <= RUNS; i++)); do
        for tool in kct kcat; do measure "$case" "$tool" "${CONSUME[@]}" "$@"; done
    done
}

consume_case consume-f -f '%k %s\n'
consume_case consume-J -J

# Produce: a fresh 4-partition topic per run, checked to hold MSGS messages, then deleted again
# (the memory storage would otherwise keep every copy).
say "produce: $RUNS timed runs per tool"
for ((i = 1; i <= RUNS; i++)); do
    for tool in kct kcat; do
        t="bench-produce-$tool-$i"
        topic_create "$t" 4
        measure produce "$tool" -b "$B" -t "$t" -P -K'#' -l "$DATA"
        n=$(topic_count "$t")
        [ "$n" -eq "$MSGS" ] || die "produce: $tool left $n messages in $t, expected $MSGS"
        topic_delete "$t"
    done
done

# -L: drop the data topic and create LIST_TOPICS small topics, so the cluster holds exactly those.
topic_delete "$DATA_TOPIC"
say "creating $LIST_TOPICS topics"
for ((i = 1; i <= LIST_TOPICS; i++)); do topic_create "$(printf 'bench-list-%03d' "$i")" 1; done
for tool in kct kcat; do
    n=$(run_tool "$tool" -b "$B" -L | grep -c '^  topic "') || true
    if [ "$(cat "$TMP/rc")" -ne 0 ] || [ "$n" -ne "$LIST_TOPICS" ]; then
        printf 'bench-kcat: -L verification: %s exited with status %s and listed %s topics, expected %s\n--- stderr:\n' \
            "$tool" "$(cat "$TMP/rc")" "$n" "$LIST_TOPICS" >&2
        cat "$TMP/err" >&2
        exit 1
    fi
done
say "-L: $LIST_RUNS timed runs per tool"
for ((i = 1; i <= LIST_RUNS; i++)); do
    for tool in kct kcat; do measure list "$tool" -b "$B" -L; done
done

# --- report --------------------------------------------------------------------------------------
# median FILE COLUMN: median of one column (mean of the middle two for an even count).
median() {
    cut -d' ' -f"$2" "$1" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

declare -A MED # MED[case.tool.metric] with metric wall|cpu|rss (rss in MB)
for case in consume-f consume-J produce list; do
    for tool in kct kcat; do
        MED[$case.$tool.wall]=$(median "$TMP/res/$case.$tool" 1)
        MED[$case.$tool.cpu]=$(median "$TMP/res/$case.$tool" 2)
        MED[$case.$tool.rss]=$(awk -v k="$(median "$TMP/res/$case.$tool" 3)" 'BEGIN { print k / 1024 }')
    done
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
r() { ratio "${MED[$1.kct.$2]}" "${MED[$1.kcat.$2]}"; } # r CASE METRIC: kct/kcat

declare -A LABEL=(
    [consume-f]="consume \`-f '%k %s\\n'\`"
    [consume-J]='consume `-J`'
    [produce]='produce `-P -K# -l`'
    [list]="\`-L\`, $LIST_TOPICS topics"
)

echo
echo "kct $KCT_REV vs $KCAT_VERSION; tansu $TANSU_VERSION memory storage; $MSGS messages of 100 bytes;"
echo "median of $RUNS runs each ($LIST_RUNS for -L), kct and kcat alternating; $(nproc) cores."
echo "Load average at start: $LOAD_AT_START, at end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Wall and CPU (user+sys) in seconds, peak RSS in MB; ratio = kct/kcat."
echo
echo '| case | kct wall | kcat wall | ratio | kct CPU | kcat CPU | ratio | kct RSS MB | kcat RSS MB | ratio |'
echo '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
for case in consume-f consume-J produce list; do
    printf '| %s | %.3f | %.3f | %s | %.2f | %.2f | %s | %.1f | %.1f | %s |\n' "${LABEL[$case]}" \
        "${MED[$case.kct.wall]}" "${MED[$case.kcat.wall]}" "$(r "$case" wall)" \
        "${MED[$case.kct.cpu]}" "${MED[$case.kcat.cpu]}" "$(r "$case" cpu)" \
        "${MED[$case.kct.rss]}" "${MED[$case.kcat.rss]}" "$(r "$case" rss)"
done

# Goals from the issue, checked against the ratios above.
goal() { # CASE METRIC LIMIT -> "wall 0.93× ≤ 1.0× met"
    local v
    v=$(r "$1" "$2")
    awk -v m="$2" -v v="$v" -v l="$3" \
        'BEGIN { printf "%s %s× ≤ %s× %s", m, v, l, (v != "n/a" && v + 0 <= l + 0) ? "met" : "MISSED" }'
}
goal_line() { # CASE "METRIC LIMIT"... (RSS ≤ 1.2× is added to every case)
    local case=$1 line="" m
    shift
    for m in "$@" "rss 1.2"; do
        line+="${line:+; }$(goal "$case" "${m% *}" "${m#* }")"
    done
    printf -- '- %s: %s\n' "${LABEL[$case]}" "$line"
}
echo
echo 'Goals from the issue (ratios kct/kcat):'
echo
goal_line consume-f 'wall 1.0' 'cpu 1.0'
goal_line consume-J 'wall 0.2' 'cpu 0.5'
goal_line produce 'wall 1.0' 'cpu 0.9'
goal_line list 'wall 1.1'
