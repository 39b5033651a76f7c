# shellcheck shell=bash
# Installs, only when missing, what kct's scripts need; sourced by test.sh, local.sh and
# bench-kcat.sh (from the repository root, with ROOT set). Each `ensure_*` is idempotent and quick
# when the tool is already there.
#
#   tansu 0.6.0       cargo install tansu --version 0.6.0 --locked --features dynostore,libsql
#   kcat 1.7.1        apt-get install -y kcat (the oracle of the differential tests)
#   .peer-lib         a current librdkafka for kcat, from the confluent-kafka wheel (Debian's 2.0.2
#                     cannot talk to tansu; see TESTING.md)

TANSU_VERSION=0.6.0
KCAT=/usr/bin/kcat
PEER_LIB="$ROOT/.peer-lib"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi

APT_UPDATED=0
apt_install() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        "${SUDO[@]}" apt-get update
        APT_UPDATED=1
    fi
    say "installing with apt-get: $*"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

# C toolchain and headers the bundled librdkafka (rdkafka-sys) builds with.
ensure_build_prereqs() {
    local missing=()
    command -v cc >/dev/null 2>&1 || missing+=(build-essential)
    command -v make >/dev/null 2>&1 || missing+=(make)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    command -v perl >/dev/null 2>&1 || missing+=(perl)
    if ! pkg-config --exists openssl 2>/dev/null && [ ! -e /usr/include/openssl/ssl.h ]; then
        missing+=(libssl-dev)
    fi
    if [ "${#missing[@]}" -gt 0 ]; then
        say "build prerequisites missing: ${missing[*]}"
        apt_install "${missing[@]}"
    fi
}

tansu_ok() {
    command -v tansu >/dev/null 2>&1 && tansu --version 2>/dev/null | grep -q "$TANSU_VERSION"
}

ensure_tansu() {
    if tansu_ok; then
        say "tansu $TANSU_VERSION present: $(command -v tansu)"
        return
    fi
    say "installing tansu $TANSU_VERSION (about 10 minutes on 2 cores)"
    cargo install tansu --version "$TANSU_VERSION" --locked --features dynostore,libsql --force
    tansu_ok || die "tansu $TANSU_VERSION still not runnable after install"
}

# kcat 1.7.1 running against a current librdkafka in .peer-lib.
ensure_kcat_oracle() {
    if [ -x "$KCAT" ]; then
        say "kcat present: $KCAT"
    else
        apt_install kcat
    fi
    if [ ! -e "$PEER_LIB/librdkafka.so.1" ]; then
        say "installing a current librdkafka for kcat into .venv-peer (pip install confluent-kafka)"
        if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
            apt_install python3-venv
        fi
        python3 -m venv "$ROOT/.venv-peer"
        "$ROOT/.venv-peer/bin/pip" install --quiet confluent-kafka
        local lib
        lib=$(ls "$ROOT"/.venv-peer/lib/python3*/site-packages/confluent_kafka.libs/librdkafka-*.so.1 | head -n1)
        mkdir -p "$PEER_LIB"
        ln -sf "$lib" "$PEER_LIB/librdkafka.so.1"
    fi
    if ! LD_LIBRARY_PATH="$PEER_LIB" "$KCAT" -V 2>/dev/null | grep -q 'librdkafka 2\.'; then
        LD_LIBRARY_PATH="$PEER_LIB" "$KCAT" -V >&2 || true
        die "kcat does not run against $PEER_LIB/librdkafka.so.1"
    fi
    say "oracle: $(LD_LIBRARY_PATH="$PEER_LIB" "$KCAT" -V 2>/dev/null | grep -o 'Version [^ ]*.*librdkafka [0-9.]*' | head -n1)"
}

# GNU time, for CPU time and peak RSS in benchmarks.
ensure_gnu_time() {
    [ -x /usr/bin/time ] || apt_install time
    /usr/bin/time -f '%M' true >/dev/null 2>&1 || die "/usr/bin/time is not GNU time"
}

# --- benchmarks' private broker ------------------------------------------------------------------

# A free loopback port (bound, then released).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# PORT: waits up to 30 s until something listens on 127.0.0.1:PORT.
wait_port() {
    for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.1; done
    die "nothing listens on port $1"
}

# DIR PORT: starts tansu with memory storage on 127.0.0.1:PORT, working in DIR (its log is
# DIR/tansu.log); sets TANSU_PID and returns once it listens.
start_memory_tansu() {
    mkdir -p "$1"
    say "starting tansu on 127.0.0.1:$2 (memory storage)"
    (cd "$1" && exec tansu broker --storage-engine memory://tansu/ --listener-url "tcp://127.0.0.1:$2" \
        --advertised-listener-url "tcp://127.0.0.1:$2" --silent) </dev/null >"$1/tansu.log" 2>&1 &
    TANSU_PID=$!
    wait_port "$2"
}
