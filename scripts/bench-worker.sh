#!/usr/bin/env bash
# Benchmark: kct's Connect worker against kcat 1.7 on a private in-memory tansu. Not a test: it
# prints a Markdown table with ratios and the goals of the issue, and fails loudly only when a
# run does not deliver everything.
#
#   bash scripts/bench-worker.sh           # 3 runs per case
#   RUNS=1 LINES=100000 bash scripts/bench-worker.sh   # a quick smoke run
#
# Cases (the same 100-byte lines for both tools; values as plain strings on both sides):
#   source  FileStreamSource reads LINES lines into a fresh topic (StringConverter), timed from
#           the POST until the worker reports the file's last offset committed
#           vs  kcat -P -l FILE into a fresh topic
#   sink    FileStreamSink writes a topic of LINES records to a file, timed from the POST until
#           the file holds every line
#           vs  kcat -C -e -f '%s\n' > FILE
#   rest    time from starting `kct worker` to its first answer on GET /
#   idle    the worker's RSS with two running connectors after 3 s of idling
# Consumers on both sides get fetch.wait.max.ms=5 (tansu holds each fetch for half of it).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=scripts/tools.sh
. scripts/tools.sh
export LC_ALL=C

RUNS=${RUNS:-3}
LINES=${LINES:-1000000}
case $RUNS in '' | *[!0-9]* | 0) die "RUNS must be a positive integer, got '$RUNS'" ;; esac
case $LINES in '' | *[!0-9]* | 0) die "LINES must be a positive integer, got '$LINES'" ;; esac

ensure_build_prereqs
ensure_tansu
ensure_kcat_oracle
command -v curl >/dev/null || apt_install curl
say "cargo build --release"
cargo build --release
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-worker.XXXXXX")
TANSU_PID=
WORKER_PID=
cleanup() {
    for p in $WORKER_PID $TANSU_PID; do
        kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cp target/release/kct "$TMP/kct"
KCT="$TMP/kct"

PORT=$(free_port)
B="127.0.0.1:$PORT"
start_memory_tansu "$TMP/tansu" "$PORT"

topic_create() { tansu topic create "$1" --broker "tcp://$B" --partitions 1 >/dev/null 2>&1 || die "cannot create topic $1"; }
kcat() { LD_LIBRARY_PATH="$PEER_LIB" "$KCAT" "$@"; }
now() { printf '%s' "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

DATA="$TMP/lines.txt"
say "generating $LINES lines of 100 bytes"
awk -v n="$LINES" 'BEGIN { fill = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvw"
    for (i = 0; i < n; i++) printf "line-%07d-%s\n", i, fill }' >"$DATA"
SIZE=$(stat -c %s "$DATA")

REST_PORT=$(free_port)
URL="http://127.0.0.1:$REST_PORT"
cat >"$TMP/worker.properties" <<EOF
bootstrap.servers=$B
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
offset.storage.file.filename=$TMP/connect.offsets
offset.flush.interval.ms=100
listeners=http://127.0.0.1:$REST_PORT
consumer.fetch.wait.max.ms=5
EOF

start_worker() { # appends the seconds until GET / answered to REST
    local t0 t1
    t0=$(now)
    "$KCT" worker "$TMP/worker.properties" >"$TMP/worker.out" 2>"$TMP/worker.log" </dev/null &
    WORKER_PID=$!
    until curl -sf "$URL/" >/dev/null 2>&1; do
        kill -0 "$WORKER_PID" 2>/dev/null || { cat "$TMP/worker.log" >&2; die "worker exited"; }
    done
    t1=$(now)
    REST+=("$(elapsed "$t0" "$t1")")
}
stop_worker() { kill "$WORKER_PID"; wait "$WORKER_PID" || true; WORKER_PID=; }
put() { curl -sf -X PUT -H 'Content-Type: application/json' --data "$2" "$URL/connectors/$1/config" >/dev/null || die "PUT $1 failed: $(tail -3 "$TMP/worker.log")"; }
delete() { curl -sf -X DELETE "$URL/connectors/$1" >/dev/null || true; }
wait_until() { # TIMEOUT_S COMMAND...: polls until COMMAND succeeds
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || die "timed out waiting for: $*"
        sleep 0.02
    done
}

source_done() { curl -s "$URL/connectors/$1/offsets" | grep -q "\"position\":$SIZE"; }
sink_done() { [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$SIZE" ]; }

declare -a SRC_KCT SRC_KCAT SINK_KCT SINK_KCAT REST
mkdir -p "$TMP/res"
for ((i = 1; i <= RUNS; i++)); do
    start_worker

    # source
    t="src-kct-$i"
    topic_create "$t"
    t0=$(now)
    put "src$i" "{\"connector.class\":\"FileStreamSource\",\"file\":\"$DATA\",\"topic\":\"$t\"}"
    wait_until 300 source_done "src$i"
    SRC_KCT+=("$(elapsed "$t0" "$(now)")")
    delete "src$i"
    t="src-kcat-$i"
    topic_create "$t"
    t0=$(now)
    kcat -b "$B" -t "$t" -P -l "$DATA"
    SRC_KCAT+=("$(elapsed "$t0" "$(now)")")

    # sink: read the topic kct's source wrote
    out="$TMP/sink-$i.txt"
    t0=$(now)
    put "sink$i" "{\"connector.class\":\"FileStreamSink\",\"file\":\"$out\",\"topics\":\"src-kct-$i\"}"
    wait_until 300 sink_done "$out"
    SINK_KCT+=("$(elapsed "$t0" "$(now)")")
    cmp -s "$out" "$DATA" || die "the sink's file differs from the source file"
    delete "sink$i"
    t0=$(now)
    kcat -b "$B" -t "src-kct-$i" -C -e -q -X fetch.wait.max.ms=5 -f '%s\n' >"$TMP/kcat-$i.txt"
    SINK_KCAT+=("$(elapsed "$t0" "$(now)")")
    cmp -s "$TMP/kcat-$i.txt" "$DATA" || die "kcat's copy differs from the source file"

    stop_worker
done

# idle RSS of a fresh worker with two connectors (a source on an empty file, a sink on an empty
# topic)
start_worker
topic_create idle
: >"$TMP/idle-in.txt"
put idle-src "{\"connector.class\":\"FileStreamSource\",\"file\":\"$TMP/idle-in.txt\",\"topic\":\"idle\"}"
put idle-sink "{\"connector.class\":\"FileStreamSink\",\"file\":\"$TMP/idle-out.txt\",\"topics\":\"idle\"}"
sleep 3
IDLE_RSS=$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$WORKER_PID/status")
stop_worker

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { awk -v n="$LINES" -v t="$1" 'BEGIN { printf "%.0f", n / t / 1000 }'; }
S_KCT=$(median "${SRC_KCT[@]}")
S_KCAT=$(median "${SRC_KCAT[@]}")
K_KCT=$(median "${SINK_KCT[@]}")
K_KCAT=$(median "${SINK_KCAT[@]}")
R=$(median "${REST[@]}")

cat <<EOF

kct worker $(git rev-parse --short HEAD 2>/dev/null || echo unknown) vs kcat 1.7.1 (librdkafka from .peer-lib); tansu 0.6.0 memory storage;
$LINES lines of 100 bytes; medians of $RUNS runs; 2 cores. Throughput ratio = kct rate / kcat rate.

| case | kct | kcat | throughput ratio |
|---|---:|---:|---:|
| FileStreamSource file → topic | ${S_KCT} s ($(rate "$S_KCT") k lines/s) | ${S_KCAT} s ($(rate "$S_KCAT") k lines/s) | $(ratio "$S_KCAT" "$S_KCT") |
| FileStreamSink topic → file | ${K_KCT} s ($(rate "$K_KCT") k lines/s) | ${K_KCAT} s ($(rate "$K_KCAT") k lines/s) | $(ratio "$K_KCAT" "$K_KCT") |

- REST API answering after start: ${R} s (goal ≤ 0.2 s)
- idle RSS with two connectors: ${IDLE_RSS} MB (goal ≤ 40 MB)
- goals: source ≥ 0.7× kcat -P, sink ≥ 0.7× kcat -C
EOF
