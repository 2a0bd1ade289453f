#!/usr/bin/env bash
# End-to-end test of the staff web console: a fresh database made with the CLI (agencies, one
# user per role with a login and password), `disclose serve` on a free 127.0.0.1 port, then
# console.test.mjs drives headless Chromium (Debian's chromium, through playwright-core) through
# the console: sign-in, registration, a whole lifecycle with a correction and an extension,
# reports, admin, sign-out and the refusals. Screenshots of the main pages are kept under
# ARTIFACT_DIR/console-screenshots.
#
# Usage: tests/e2e/console/run.sh PATH/TO/disclose ARTIFACT_DIR
#   DISCLOSE_WORKFLOWS=DIR passes --workflows DIR.  CHROMIUM=PATH overrides /usr/bin/chromium.
# Needs node (≥ 18), chromium and `npm ci` done in this directory (tools/dev test does it);
# without them the test is skipped (exit 77).
set -u -o pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${1:?usage: run.sh PATH/TO/disclose ARTIFACT_DIR}
OUT=${2:?usage: run.sh PATH/TO/disclose ARTIFACT_DIR}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
for need in node "$CHROMIUM"; do
  if ! command -v "$need" >/dev/null; then
    echo "SKIP: $need not found (tools/dev test installs it)"
    exit 77
  fi
done
if [[ ! -d $here/node_modules/playwright-core ]]; then
  echo "SKIP: run 'npm ci' in $here first (tools/dev test does it)"
  exit 77
fi

mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/disclose-console-e2e-XXXXXX)
DB=$TMP/console.db
GLOBAL=(--db "$DB")
if [[ -n ${DISCLOSE_WORKFLOWS:-} ]]; then GLOBAL+=(--workflows "$DISCLOSE_WORKFLOWS"); fi
SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT

d() { "$BIN" "${GLOBAL[@]}" "$@"; }
d agency add district --name 区政府信息公开办公室 --short 区公开办 >/dev/null || exit 1
d agency add zrzy --name 区自然资源局 --short 自然资源 >/dev/null || exit 1
PASSWORD='console-e2e-Pass1'
# add_user LOGIN ROLE AGENCY [--scope all] → prints the new user's id
add_user() {
  local login=$1 role=$2 agency=$3
  shift 3
  local id
  id=$(d user add --name "$login" --role "$role" --agency "$agency" "$@" 2>/dev/null | awk '$1 == "user" { print $2; exit }')
  [[ -n $id ]] || { echo "user add $login failed" >&2; exit 1; }
  printf '%s\n' "$PASSWORD" | d user passwd "$id" --login "$login" --password-stdin >/dev/null || { echo "user passwd $login failed" >&2; exit 1; }
  echo "$id"
}
export E2E_REGISTRAR_ID E2E_HANDLER_ID
E2E_REGISTRAR_ID=$(add_user registrar registrar zrzy) || exit 1
E2E_HANDLER_ID=$(add_user handler handler zrzy) || exit 1
add_user reviewer reviewer zrzy >/dev/null || exit 1
add_user supervisor supervisor district --scope all >/dev/null || exit 1
add_user auditor auditor zrzy >/dev/null || exit 1
add_user admin admin district --scope all >/dev/null || exit 1

# Started directly, not through d(): a function in the background runs in a subshell, and
# $! would be that subshell, which the cleanup's SIGTERM ends without reaching the server.
"$BIN" "${GLOBAL[@]}" serve --listen 127.0.0.1:0 >"$TMP/serve.out" 2>"$TMP/serve.log" &
SERVER_PID=$!
# Wait for the line that names the port (the server prints it once it is listening).
URL=
for _ in $(seq 1 200); do
  URL=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$TMP/serve.out" 2>/dev/null | head -1 | sed 's/listening on //')
  [[ -n $URL ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $URL ]]; then
  echo "server did not start"; cat "$TMP/serve.out" "$TMP/serve.log"
  exit 1
fi
echo "console under test: $URL"

E2E_BASE_URL=$URL E2E_PASSWORD=$PASSWORD E2E_SHOTS="$OUT/console-screenshots" E2E_CHROMIUM=$CHROMIUM \
  node --test --test-reporter=spec "$here/console.test.mjs"
status=$?
if [[ $status -ne 0 ]]; then
  echo "--- server log (tail) ---"
  tail -n 40 "$TMP/serve.log"
fi
exit $status
