#!/usr/bin/env bash
# Benchmark: `kct inspect offsets` against `kcat -C -e` reading the same connect-offsets topic on a
# private in-memory tansu. Not a test: it prints a Markdown table with the ratio and peak RSS and
# the goals of the issue (inspect ≤ 1.5× kcat's read time, RSS ≤ 300 MB).
#
#   bash scripts/bench-inspect.sh                          # 1,000,000 records, 10,000 keys, 3 runs
#   RECORDS=100000 RUNS=1 bash scripts/bench-inspect.sh    # a quick smoke run
#   KEYS=1000000 bash scripts/bench-inspect.sh             # worst case: every record a new key
#   CONNECTORS=0 bash scripts/bench-inspect.sh             # without the `get connectors` case
#
# The topic has 25 partitions (Connect's default) and holds RECORDS offset records of KEYS source
# partitions spread over 50 connectors, keyed and partitioned as a Java worker writes them
# (`["conn-7",{"file":"f-123"}]` → `{"position":N}`, murmur2). kct builds the latest view (and the
# anomaly checks, with the config topic read too) and prints it as JSON to /dev/null; kcat only
# reads and prints each value. Both consumers get fetch.wait.max.ms=5 (tansu holds each fetch for
# half of it).
#
# Then the other case of issue 4 §7: `kct connect get connectors` (table and -o json) against a
# `kct worker` holding CONNECTORS (1,000) stopped FileStreamSource connectors, one round trip
# (`GET /connectors?expand=status&expand=info`), next to `curl … | jq .` of the same request;
# goal ≤ 0.5 s.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=scripts/tools.sh
. scripts/tools.sh
export LC_ALL=C

RUNS=${RUNS:-3}
RECORDS=${RECORDS:-1000000}
KEYS=${KEYS:-10000}
CONNECTORS=${CONNECTORS:-1000}
for v in RUNS RECORDS KEYS; do
    case ${!v} in '' | *[!0-9]* | 0) die "$v must be a positive integer, got '${!v}'" ;; esac
done
case $CONNECTORS in '' | *[!0-9]*) die "CONNECTORS must be a number, got '$CONNECTORS'" ;; esac

ensure_build_prereqs
ensure_tansu
ensure_kcat_oracle
ensure_gnu_time
if [ "$CONNECTORS" -gt 0 ]; then
    command -v curl >/dev/null || apt_install curl
    command -v jq >/dev/null || apt_install jq
fi
say "cargo build --release"
cargo build --release
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-inspect.XXXXXX")
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

kcat() { LD_LIBRARY_PATH="$PEER_LIB" "$KCAT" "$@"; }
now() { printf '%s' "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

tansu topic create connect-offsets --broker "tcp://$B" --partitions 25 >/dev/null 2>&1 || die "cannot create connect-offsets"
tansu topic create connect-configs --broker "tcp://$B" --partitions 1 >/dev/null 2>&1 || die "cannot create connect-configs"

say "writing $RECORDS offset records of $KEYS source partitions"
awk -v n="$RECORDS" -v k="$KEYS" 'BEGIN {
    for (i = 0; i < n; i++) { key = i % k; printf "[\"conn-%d\",{\"file\":\"f-%d\"}]\t{\"position\":%d}\n", key % 50, key, i }
}' >"$TMP/offsets.txt"
# librdkafka's murmur2_random is Java's partitioner for keyed records.
"$KCT" -b "$B" -t connect-offsets -P -K $'\t' -X partitioner=murmur2_random -l "$TMP/offsets.txt"
awk 'BEGIN { for (c = 0; c < 50; c++) printf "connector-conn-%d\t{\"properties\":{\"name\":\"conn-%d\"}}\n", c, c }' \
    >"$TMP/configs.txt"
"$KCT" -b "$B" -t connect-configs -P -K $'\t' -p 0 -l "$TMP/configs.txt"

# run LABEL CMD...: wall seconds (bash clock) and peak RSS (GNU time) into $LABEL-$i.
declare -a KCT_T KCT_RSS KCAT_T KCAT_RSS
measure() { # OUT_VAR_T OUT_VAR_RSS CMD...
    local t0 t1 rss
    t0=$(now)
    /usr/bin/time -f '%M' -o "$TMP/time.txt" "${@:3}" >"$TMP/out" 2>"$TMP/err" || {
        cat "$TMP/err" >&2
        die "failed: ${*:3}"
    }
    t1=$(now)
    rss=$(tail -n1 "$TMP/time.txt")
    eval "$1+=(\"$(elapsed "$t0" "$t1")\")"
    eval "$2+=(\"$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')\")"
}
for ((i = 1; i <= RUNS; i++)); do
    measure KCAT_T KCAT_RSS env LD_LIBRARY_PATH="$PEER_LIB" "$KCAT" -b "$B" -t connect-offsets -C -e -q \
        -X fetch.wait.max.ms=5 -f '%s\n'
    lines=$(wc -l <"$TMP/out")
    [ "$lines" -eq "$RECORDS" ] || die "kcat read $lines records, expected $RECORDS"
    measure KCT_T KCT_RSS "$KCT" inspect offsets -b "$B" -X fetch.wait.max.ms=5 -o json
    entries=$(grep -c '"connector": "conn-' "$TMP/out" || true)
    [ "$entries" -eq "$KEYS" ] || die "kct inspect showed $entries offsets, expected $KEYS"
    grep -q '"anomalies": \[\]' "$TMP/out" || die "kct inspect reported anomalies on a clean topic"
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
T_KCT=$(median "${KCT_T[@]}")
T_KCAT=$(median "${KCAT_T[@]}")
R_KCT=$(median "${KCT_RSS[@]}")
R_KCAT=$(median "${KCAT_RSS[@]}")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

cat <<EOF

kct inspect $(git rev-parse --short HEAD 2>/dev/null || echo unknown) vs kcat 1.7.1 (librdkafka from .peer-lib); tansu 0.6.0 memory storage;
connect-offsets with 25 partitions, $RECORDS records of $KEYS keys; medians of $RUNS runs; 2 cores.

| case | wall | peak RSS |
|---|---:|---:|
| \`kct inspect offsets -o json\` (latest view + anomaly checks) | ${T_KCT} s | ${R_KCT} MB |
| \`kcat -C -e -f '%s\\n'\` (read only) | ${T_KCAT} s | ${R_KCAT} MB |

- time ratio kct / kcat: $(ratio "$T_KCT" "$T_KCAT") (goal ≤ 1.5)
- kct peak RSS: ${R_KCT} MB (goal ≤ 300 MB)
EOF

[ "$CONNECTORS" -gt 0 ] || exit 0

# ---------------------------------------------------------------------------------------------
# kct connect get connectors, CONNECTORS connectors, one round trip

REST_PORT=$(free_port)
URL="http://127.0.0.1:$REST_PORT"
cat >"$TMP/worker.properties" <<EOF
bootstrap.servers=$B
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
offset.storage.file.filename=$TMP/connect.offsets
offset.flush.interval.ms=10000
listeners=http://127.0.0.1:$REST_PORT
EOF
say "starting kct worker on $URL"
"$KCT" worker "$TMP/worker.properties" >"$TMP/worker.out" 2>"$TMP/worker.log" </dev/null &
WORKER_PID=$!
until curl -sf "$URL/" >/dev/null 2>&1; do
    kill -0 "$WORKER_PID" 2>/dev/null || { cat "$TMP/worker.log" >&2; die "worker exited"; }
    sleep 0.05
done
say "creating $CONNECTORS stopped connectors"
touch "$TMP/input.txt"
t0=$(now)
for ((c = 0; c < CONNECTORS; c++)); do
    printf '{"name":"src-%04d","config":{"connector.class":"FileStreamSource","file":"%s","topic":"t-%04d","tasks.max":"1"},"initial_state":"STOPPED"}' \
        "$c" "$TMP/input.txt" "$c" >"$TMP/create.json"
    curl -sf -X POST -H 'Content-Type: application/json' --data @"$TMP/create.json" "$URL/connectors" >/dev/null ||
        die "creating connector $c failed: $(tail -3 "$TMP/worker.log")"
done
T_CREATE=$(elapsed "$t0" "$(now)")
n=$(curl -sf "$URL/connectors" | jq length)
[ "$n" -eq "$CONNECTORS" ] || die "the worker lists $n connectors, expected $CONNECTORS"

declare -a GET_T GET_RSS JSON_T JSON_RSS CURL_T CURL_RSS RAW_T RAW_RSS
# A warm-up of each, then the measured runs.
"$KCT" connect --connect "$URL" get connectors >/dev/null
curl -s "$URL/connectors?expand=status&expand=info" | jq . >/dev/null
for ((i = 1; i <= RUNS; i++)); do
    measure GET_T GET_RSS "$KCT" connect --connect "$URL" get connectors
    lines=$(wc -l <"$TMP/out")
    [ "$lines" -eq $((CONNECTORS + 1)) ] || die "kct connect get connectors printed $lines lines, expected $((CONNECTORS + 1))"
    measure JSON_T JSON_RSS "$KCT" connect --connect "$URL" get connectors -o json
    entries=$(jq length "$TMP/out")
    [ "$entries" -eq "$CONNECTORS" ] || die "kct connect get connectors -o json showed $entries connectors"
    measure CURL_T CURL_RSS sh -c "curl -s '$URL/connectors?expand=status&expand=info' | jq ."
    measure RAW_T RAW_RSS curl -s "$URL/connectors?expand=status&expand=info"
done
T_GET=$(median "${GET_T[@]}")
T_JSON=$(median "${JSON_T[@]}")
T_CURL=$(median "${CURL_T[@]}")
T_RAW=$(median "${RAW_T[@]}")
ok() { awk -v t="$1" 'BEGIN { print (t <= 0.5 ? "met" : "missed") }'; }

cat <<EOF

kct connect get connectors vs curl + jq, against a kct worker (standalone, REST on localhost) with
$CONNECTORS stopped FileStreamSource connectors (created in ${T_CREATE} s); medians of $RUNS runs.

| case | wall | peak RSS |
|---|---:|---:|
| \`kct connect get connectors\` (table) | ${T_GET} s | $(median "${GET_RSS[@]}") MB |
| \`kct connect get connectors -o json\` | ${T_JSON} s | $(median "${JSON_RSS[@]}") MB |
| \`curl -s '…/connectors?expand=status&expand=info' \| jq .\` | ${T_CURL} s | $(median "${CURL_RSS[@]}") MB (jq) |
| \`curl -s '…/connectors?expand=status&expand=info'\` (the worker's answer alone) | ${T_RAW} s | $(median "${RAW_RSS[@]}") MB |

- time ratio kct (table) / curl+jq: $(ratio "$T_GET" "$T_CURL"); kct (json) / curl+jq: $(ratio "$T_JSON" "$T_CURL")
- kct connect get connectors: ${T_GET} s (table), ${T_JSON} s (json) against the goal of 0.5 s: $(ok "$T_GET") / $(ok "$T_JSON")
EOF
