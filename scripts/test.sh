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
#   - openssl (HTTPS test certificates) and tmux (the console's end-to-end tests): apt-get install -y
# See TESTING.md for why each of these exists.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=scripts/tools.sh
. scripts/tools.sh

ensure_build_prereqs
ensure_tansu
ensure_kcat_oracle
# The worker's HTTPS tests make their certificates with the openssl command line.
command -v openssl >/dev/null || apt_install openssl
# The console's end-to-end tests (tests/tui.rs) run `kct tui` in a real terminal: tmux.
command -v tmux >/dev/null || apt_install tmux

# --- the suite ---------------------------------------------------------------------------------
say "cargo test --release --no-fail-fast $*"
exec cargo test --release --no-fail-fast "$@"
