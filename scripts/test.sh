#!/usr/bin/env bash
# Installs what the test suite needs (idempotent, fast when everything is present), then runs it.
#
#   bash scripts/test.sh                 # whole suite
#   bash scripts/test.sh --test kcat_consume -- format_tokens   # extra args go to `cargo test`
#
# Installs, only when missing:
#   - tansu 0.6.0 (Kafka-protocol broker): cargo install tansu --version 0.6.0 --locked --features dynostore,libsql
#   - kcat 1.7.1 (the oracle): apt-get install -y kcat
#   - a current librdkafka for kcat: .venv-peer (pip install confluent-kafka) + .peer-lib/librdkafka.so.1
# See TESTING.md for why each of these exists.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"

TANSU_VERSION=0.6.0

say() { printf '==> %s\n' "$*" >&2; }

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

# --- build prerequisites of rdkafka-sys (bundled librdkafka) -----------------------------------
missing_pkgs=()
command -v cc >/dev/null 2>&1 || missing_pkgs+=(build-essential)
command -v make >/dev/null 2>&1 || missing_pkgs+=(make)
command -v pkg-config >/dev/null 2>&1 || missing_pkgs+=(pkg-config)
command -v perl >/dev/null 2>&1 || missing_pkgs+=(perl)
if ! pkg-config --exists openssl 2>/dev/null && [ ! -e /usr/include/openssl/ssl.h ]; then
    missing_pkgs+=(libssl-dev)
fi
if [ "${#missing_pkgs[@]}" -gt 0 ]; then
    say "build prerequisites missing: ${missing_pkgs[*]}"
    apt_install "${missing_pkgs[@]}"
fi

# --- tansu 0.6.0 -------------------------------------------------------------------------------
tansu_ok() {
    command -v tansu >/dev/null 2>&1 && tansu --version 2>/dev/null | grep -q "$TANSU_VERSION"
}
if tansu_ok; then
    say "tansu $TANSU_VERSION present: $(command -v tansu)"
else
    say "installing tansu $TANSU_VERSION (about 10 minutes on 2 cores)"
    cargo install tansu --version "$TANSU_VERSION" --locked --features dynostore,libsql --force
    tansu_ok || { echo "tansu $TANSU_VERSION still not runnable after install" >&2; exit 1; }
fi

# --- kcat 1.7.1 --------------------------------------------------------------------------------
if [ -x /usr/bin/kcat ]; then
    say "kcat present: /usr/bin/kcat"
else
    say "kcat missing"
    apt_install kcat
fi

# --- current librdkafka for kcat (tansu needs librdkafka >= ~2.1; Debian's is 2.0.2) ------------
if [ -e .peer-lib/librdkafka.so.1 ]; then
    say "librdkafka for kcat present: .peer-lib/librdkafka.so.1"
else
    say "installing a current librdkafka for kcat into .venv-peer (pip install confluent-kafka)"
    if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
        apt_install python3-venv
    fi
    python3 -m venv .venv-peer
    .venv-peer/bin/pip install --quiet confluent-kafka
    lib=$(ls "$ROOT"/.venv-peer/lib/python3*/site-packages/confluent_kafka.libs/librdkafka-*.so.1 | head -n1)
    mkdir -p .peer-lib
    ln -sf "$lib" .peer-lib/librdkafka.so.1
fi
if ! LD_LIBRARY_PATH="$ROOT/.peer-lib" kcat -V 2>/dev/null | grep -q 'librdkafka 2\.'; then
    echo "kcat does not run against .peer-lib/librdkafka.so.1:" >&2
    LD_LIBRARY_PATH="$ROOT/.peer-lib" kcat -V >&2 || true
    exit 1
fi
say "oracle: $(LD_LIBRARY_PATH="$ROOT/.peer-lib" kcat -V 2>/dev/null | grep -o 'Version [^ ]*.*librdkafka [0-9.]*' | head -n1)"

# --- the suite ---------------------------------------------------------------------------------
say "cargo test --release --no-fail-fast $*"
exec cargo test --release --no-fail-fast "$@"
