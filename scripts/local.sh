#!/usr/bin/env bash
# Starts a local tansu broker on 127.0.0.1:9092 (SQLite storage in .tools/local/), builds kct,
# walks through a short kcat-mode demo (metadata, produce three keyed lines, consume them back),
# then runs `kct local`: the Connect worker with its example pipelines, until Ctrl-C.
#
#   bash scripts/local.sh
#   kill "$(cat .tools/local/tansu.pid)"     # stop the broker afterwards
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=scripts/tools.sh
. scripts/tools.sh

HOST=127.0.0.1
PORT=9092
BROKER="$HOST:$PORT"
DIR="$ROOT/.tools/local"
PIDFILE="$DIR/tansu.pid"
LOG="$DIR/tansu.log"
TOPIC=kct-demo

port_open() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

# --- tansu ---------------------------------------------------------------------------------------
ensure_build_prereqs
ensure_tansu

# --- kct -----------------------------------------------------------------------------------------
say "cargo build --release"
cargo build --release
KCT="$ROOT/target/release/kct"

# --- the broker ----------------------------------------------------------------------------------
mkdir -p "$DIR"
our_broker_running() {
    [ -f "$PIDFILE" ] || return 1
    local pid
    pid=$(cat "$PIDFILE")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "tansu.*broker"
}

if our_broker_running; then
    say "reusing our tansu (pid $(cat "$PIDFILE")) on $BROKER"
elif port_open; then
    echo "something else already listens on $BROKER; stop it first (it is not .tools/local/tansu.pid)" >&2
    exit 1
else
    say "starting tansu on $BROKER (data: $DIR/local.db, log: $LOG)"
    (
        cd "$DIR"
        nohup tansu broker \
            --storage-engine sqlite://local.db \
            --listener-url "tcp://$BROKER" \
            --advertised-listener-url "tcp://$BROKER" \
            --silent >"$LOG" 2>&1 &
        echo $! >"$PIDFILE"
    )
fi

for _ in $(seq 1 300); do
    port_open && break
    if ! our_broker_running; then
        echo "tansu exited; last lines of $LOG:" >&2
        tail -n 20 "$LOG" >&2 || true
        exit 1
    fi
    sleep 0.1
done
port_open || { echo "tansu did not open $BROKER within 30 s (log: $LOG)" >&2; exit 1; }

# --- demo ----------------------------------------------------------------------------------------
say "creating topic $TOPIC (3 partitions)"
if ! out=$(cd "$DIR" && tansu topic create "$TOPIC" --broker "tcp://$BROKER" --partitions 3 2>&1); then
    if grep -qi "exist" <<<"$out"; then
        say "topic $TOPIC already exists"
    else
        echo "$out" >&2
        exit 1
    fi
fi

run() {
    { printf '\n$'; printf ' %q' "$@"; printf '\n'; } >&2
    "$@"
}

run "$KCT" -b "$BROKER" -L
printf 'alpha:first line\nbeta:second line\ngamma:third line\n' >"$DIR/demo-input.txt"
printf '\n$ %s\n' "printf 'alpha:first line\\nbeta:second line\\ngamma:third line\\n' | kct -b $BROKER -P -K: -t $TOPIC" >&2
"$KCT" -b "$BROKER" -P -K: -t "$TOPIC" <"$DIR/demo-input.txt"
run "$KCT" -b "$BROKER" -C -t "$TOPIC" -e -f 'partition %p offset %o key %k: %s\n'

cat >&2 <<MSG

The broker keeps running after this script (pid $(cat "$PIDFILE"), data in $DIR).
Stop it with: kill \$(cat .tools/local/tansu.pid)

Now the Connect worker: kct local (REST API on http://127.0.0.1:8083; on a terminal the console opens on it and q stops the worker, otherwise Ctrl-C stops the worker).
MSG
exec "$KCT" local --bootstrap "$BROKER"
