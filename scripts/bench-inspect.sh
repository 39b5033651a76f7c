#!/usr/bin/env bash
# Benchmark: `kct inspect offsets` against `kcat -C -e` reading the same connect-offsets topic on a
# private in-memory tansu. Not a test: it prints a Markdown table with the ratio and peak RSS and
# the goals of the issue (inspect ≤ 1.5× kcat's read time, RSS ≤ 300 MB).
#
#   bash scripts/bench-inspect.sh                          # 1,000,000 records, 10,000 keys, 3 runs
#   RECORDS=100000 RUNS=1 bash scripts/bench-inspect.sh    # a quick smoke run
#   KEYS=1000000 bash scripts/bench-inspect.sh             # worst case: every record a new key
#
# The topic has 25 partitions (Connect's default) and holds RECORDS offset records of KEYS source
# partitions spread over 50 connectors, keyed and partitioned as a Java worker writes them
# (`["conn-7",{"file":"f-123"}]` → `{"position":N}`, murmur2). kct builds the latest view (and the
# anomaly checks, with the config topic read too) and prints it as JSON to /dev/null; kcat only
# reads and prints each value. Both consumers get fetch.wait.max.ms=5 (tansu holds each fetch for
# half of it).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=scripts/tools.sh
. scripts/tools.sh
export LC_ALL=C

RUNS=${RUNS:-3}
RECORDS=${RECORDS:-1000000}
KEYS=${KEYS:-10000}
for v in RUNS RECORDS KEYS; do
    case ${!v} in '' | *[!0-9]* | 0) die "$v must be a positive integer, got '${!v}'" ;; esac
done

ensure_build_prereqs
ensure_tansu
ensure_kcat_oracle
ensure_gnu_time
say "cargo build --release"
cargo build --release
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bench-inspect.XXXXXX")
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

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
B="127.0.0.1:$PORT"
mkdir -p "$TMP/tansu"
say "starting tansu on $B (memory storage)"
(cd "$TMP/tansu" && exec tansu broker --storage-engine memory://tansu/ --listener-url "tcp://$B" \
    --advertised-listener-url "tcp://$B" --silent) </dev/null >"$TMP/tansu.log" 2>&1 &
TANSU_PID=$!
for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || die "tansu did not start"

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

cat <<EOF

kct inspect $(git rev-parse --short HEAD 2>/dev/null || echo unknown) vs kcat 1.7.1 (librdkafka from .peer-lib); tansu 0.6.0 memory storage;
connect-offsets with 25 partitions, $RECORDS records of $KEYS keys; medians of $RUNS runs; 2 cores.

| case | wall | peak RSS |
|---|---:|---:|
| \`kct inspect offsets -o json\` (latest view + anomaly checks) | ${T_KCT} s | ${R_KCT} MB |
| \`kcat -C -e -f '%s\\n'\` (read only) | ${T_KCAT} s | ${R_KCAT} MB |

- time ratio kct / kcat: $(awk -v a="$T_KCT" -v b="$T_KCAT" 'BEGIN { printf "%.2f", a / b }') (goal ≤ 1.5)
- kct peak RSS: ${R_KCT} MB (goal ≤ 300 MB)
EOF
