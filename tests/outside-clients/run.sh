#!/usr/bin/env bash
# Runs clients written by other people against a fresh `duet sandbox up`, over HTTPS:
# dynamics-web-api (npm), PowerPlatform-Dataverse-Client and d365fo-client (PyPI). See
# "Outside clients" in docs/SANDBOX.md.
#
#   tests/outside-clients/run.sh [WORK_DIR]
#
# DUET_BIN names the duet binary (default target/debug/duet). The pinned packages are
# installed once: node_modules/ by `npm ci` from package-lock.json, and a venv from the
# hashed requirements.txt under .cache/ (both ignored by git, both redone when their lock
# changes). Nothing else is downloaded. The sandbox's CA is trusted only by the client
# processes (NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, SSL_CERT_FILE). Every script must run at
# least one check and pass them all; the last line is the total.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DUET_BIN="${DUET_BIN:-$ROOT/target/debug/duet}"
CACHE="${DUET_OUTSIDE_CLIENTS_CACHE:-$HERE/.cache}"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$DUET_BIN" ]; then
  echo "outside clients: no duet binary at $DUET_BIN (build it, or set DUET_BIN)" >&2
  exit 1
fi
own_work=0
if [ $# -ge 1 ]; then
  WORK="$1"
  mkdir -p "$WORK"
else
  WORK="$(mktemp -d)"
  own_work=1
fi
sandbox_pid=""
cleanup() {
  if [ -n "$sandbox_pid" ]; then
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
  fi
  if [ "$own_work" -eq 1 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

sha() { sha256sum "$@" | sha256sum | cut -c1-16; }

lock_sha="$(sha "$HERE/package-lock.json")"
if [ "$(cat "$HERE/node_modules/.duet-lock" 2>/dev/null)" != "$lock_sha" ]; then
  echo "outside clients: npm ci (package-lock.json)"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sha" > "$HERE/node_modules/.duet-lock"
fi

py_version="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
venv="$CACHE/venv-$py_version-$(sha "$HERE/requirements.txt")"
if [ ! -f "$venv/.complete" ]; then
  echo "outside clients: installing requirements.txt into $venv"
  mkdir -p "$CACHE"
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  # d365fo-client declares Python >= 3.13 but runs on 3.11; every package is pinned by hash,
  # so ignoring Requires-Python cannot pull in anything unlisted.
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps \
    --ignore-requires-python --require-hashes -r "$HERE/requirements.txt"
  touch "$venv/.complete"
  find "$CACHE" -maxdepth 1 -name 'venv-*' ! -path "$venv" -exec rm -rf {} +
fi

rm -rf "$WORK/sandbox" "$WORK/home"
mkdir -p "$WORK/home"
"$DUET_BIN" sandbox up --dir "$WORK/sandbox" >"$WORK/sandbox.out" 2>"$WORK/sandbox.err" &
sandbox_pid=$!

for _ in $(seq 1 300); do
  if grep -q '^DUET_CA_FILE=' "$WORK/sandbox.out" && grep -q '^DUET_CLIENT_SECRET=' "$WORK/sandbox.out"; then break; fi
  if ! kill -0 "$sandbox_pid" 2>/dev/null; then
    echo "outside clients: duet sandbox up stopped:" >&2
    cat "$WORK/sandbox.out" "$WORK/sandbox.err" >&2
    exit 1
  fi
  sleep 0.1
done
for name in DUET_DV_URL DUET_FO_URL DUET_TOKEN_URL DUET_TENANT DUET_CLIENT_ID DUET_CLIENT_SECRET DUET_CA_FILE; do
  value="$(sed -n "s/^$name=//p" "$WORK/sandbox.out" | tail -n 1)"
  if [ -z "$value" ]; then
    echo "outside clients: duet sandbox up printed no $name line:" >&2
    cat "$WORK/sandbox.out" "$WORK/sandbox.err" >&2
    exit 1
  fi
  export "$name=$value"
done
case "$DUET_DV_URL $DUET_FO_URL" in
  https://*" "https://*) ;;
  *) echo "outside clients: the sandbox does not serve HTTPS ($DUET_DV_URL, $DUET_FO_URL)" >&2; exit 1 ;;
esac

total=0
failures=0
# A failing client stops the run, unless DUET_CHECKS_KEEP_GOING=1 (then every client runs
# every check, and the run still fails at the end).
fail() {
  echo "outside clients: $1" >&2
  failures=$((failures + 1))
  if [ "${DUET_CHECKS_KEEP_GOING:-}" != 1 ]; then exit 1; fi
}
run_client() {
  local name="$1"
  shift
  local log="$WORK/$name.log"
  echo "--- $name"
  set +e
  (
    cd "$HERE"
    export NODE_EXTRA_CA_CERTS="$DUET_CA_FILE" REQUESTS_CA_BUNDLE="$DUET_CA_FILE" SSL_CERT_FILE="$DUET_CA_FILE"
    export HOME="$WORK/home" PYTHONDONTWRITEBYTECODE=1
    "$@"
  ) 2>&1 | tee "$log"
  local status="${PIPESTATUS[0]}"
  set -e
  local passed
  passed="$(grep -c '^ok ' "$log" || true)"
  if [ "$status" -ne 0 ]; then
    fail "$name failed (exit $status)"
  elif [ "$passed" -eq 0 ]; then
    fail "$name ran no check: that is a failure"
  fi
  total=$((total + passed))
}

run_client dynamics-web-api node dataverse-web-api.mjs
run_client PowerPlatform-Dataverse-Client "$venv/bin/python" dataverse_sdk.py
run_client d365fo-client "$venv/bin/python" d365fo_client_check.py

if [ "$failures" -gt 0 ]; then
  echo "outside clients: $failures of 3 clients failed ($total checks passed)" >&2
  exit 1
fi
echo "outside clients: $total checks passed"
