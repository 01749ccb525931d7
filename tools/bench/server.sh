#!/usr/bin/env bash
# `scripts/bench server`: load benchmark of `sagegate serve` against moto (docs/benchmarks.md, "Server").
#
# Builds sagegate (release), makes the bench venv (target/bench-venv: moto[server], boto3; pinned in
# tools/bench/requirements.txt), installs wrk from Debian if missing, starts sagegate and moto on free
# loopback ports with temporary data directories, and runs tools/bench/server.py (setup with boto3,
# pre-signed requests replayed by wrk, table). Both servers are stopped at exit.
#
# Environment: BENCH_DURATION (default 10 s per row), BENCH_WARMUP (2 s), BENCH_CONNECTIONS ("1,64"),
# BENCH_ONLY (comma-separated request names), BENCH_PROFILE_SECONDS (5; 0 skips the perf profile),
# CARGO_TARGET_DIR. Extra arguments are passed to server.py (e.g. --no-moto, --status-in-timed-run).
set -euo pipefail
cd "$(dirname "$0")/../.."

TARGET_DIR="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
VENV="$TARGET_DIR/bench-venv"
OUT="$TARGET_DIR/bench-server"

echo "== build: cargo build --release -p sagegate-cli" >&2
cargo build --locked --release -q -p sagegate-cli
SAGEGATE="$TARGET_DIR/release/sagegate"

# The venv is rebuilt only when tools/bench/requirements.txt changes.
want="$(cat tools/bench/requirements.txt)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.requirements" 2>/dev/null)" != "$want" ]; then
  echo "== venv: $VENV (moto[server], boto3 from PyPI)" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r tools/bench/requirements.txt
  printf '%s' "$want" >"$VENV/.requirements"
fi

if ! command -v wrk >/dev/null 2>&1; then
  echo "== wrk: apt-get install -y wrk" >&2
  if [ "$(id -u)" != 0 ]; then
    echo "wrk is missing and we are not root: install it (apt-get install wrk) and re-run" >&2
    exit 2
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

# Stop the servers we start, by pid, whatever way this script ends.
work="$(mktemp -d -t sagegate-bench.XXXXXX)"
sg_pid=""
moto_pid=""
driver_pid=""
cleanup() {
  if [ -n "$driver_pid" ] && kill -0 "$driver_pid" 2>/dev/null; then
    pkill -TERM -P "$driver_pid" 2>/dev/null || true # its wrk or perf, by parent pid
    kill -TERM "$driver_pid" 2>/dev/null || true
  fi
  for p in $sg_pid $moto_pid; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in $sg_pid $moto_pid; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_ready() { # $1 url, $2 name, $3 pid, $4 log
  for _ in $(seq 300); do
    if ! kill -0 "$3" 2>/dev/null; then
      echo "$2 exited before it was ready; its log:" >&2
      cat "$4" >&2
      exit 1
    fi
    if "$VENV/bin/python" -c 'import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=1).read()
except Exception:
    sys.exit(1)' "$1"; then
      return 0
    fi
    sleep 0.1
  done
  echo "$2 was not ready after 30 s; its log:" >&2
  cat "$4" >&2
  exit 1
}

sg_port="$(free_port)"
mkdir -p "$work/sagegate"
# sagegate's defaults (SQLite in the temp dir, account 123456789012 like moto's): no SAGEGATE_* setting of the
# caller's shell (a PostgreSQL URL, --log-requests, a clock offset) leaks in. Its log (errors and denials are
# always logged, one JSON line each) goes to a file, as in a deployment, not to a terminal.
for v in $(compgen -e | grep '^SAGEGATE_' || true); do unset "$v"; done
"$SAGEGATE" serve --listen "127.0.0.1:$sg_port" --data-dir "$work/sagegate" >"$work/sagegate.log" 2>&1 &
sg_pid=$!
wait_ready "http://127.0.0.1:$sg_port/health" sagegate "$sg_pid" "$work/sagegate.log"

moto_port="$(free_port)"
mkdir -p "$work/moto"
# INITIAL_NO_AUTH_ACTION_COUNT=0: moto authenticates and authorizes every request from the first one (its
# default, infinity, never does). Setup opens a counted window through /moto-api/reset-auth (server.py).
(cd "$work/moto" && exec env INITIAL_NO_AUTH_ACTION_COUNT=0 HOME="$work/moto" \
  "$VENV/bin/moto_server" -H 127.0.0.1 -p "$moto_port") >"$work/moto.log" 2>&1 &
moto_pid=$!
wait_ready "http://127.0.0.1:$moto_port/moto-api/data.json" moto "$moto_pid" "$work/moto.log"

echo "== sagegate pid $sg_pid on 127.0.0.1:$sg_port; moto pid $moto_pid on 127.0.0.1:$moto_port" >&2
# In the background and waited for, so that a TERM or INT sent to this script alone runs the trap at once.
"$VENV/bin/python" tools/bench/server.py \
  --sagegate "http://127.0.0.1:$sg_port" --sagegate-pid "$sg_pid" --sagegate-data "$work/sagegate" \
  --moto "http://127.0.0.1:$moto_port" --moto-pid "$moto_pid" \
  --out "$OUT" \
  --duration "${BENCH_DURATION:-10}" --warmup "${BENCH_WARMUP:-2}" \
  --connections "${BENCH_CONNECTIONS:-1,64}" --only "${BENCH_ONLY:-}" \
  --profile-seconds "${BENCH_PROFILE_SECONDS:-5}" "$@" &
driver_pid=$!
wait "$driver_pid"
