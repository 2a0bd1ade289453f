#!/usr/bin/env bash
# End-to-end test of `disclose serve` with curl: a fresh database made with the CLI, the server on
# a free 127.0.0.1 port, one case registered and taken to archived over the API, its history and
# error statuses checked, then SIGTERM and a clean exit.
#
# Usage: tests/e2e/api_curl.sh PATH/TO/disclose [TEMP_DIR]
#   TEMP_DIR defaults to a new mktemp directory, removed at the end.
#   DISCLOSE_WORKFLOWS=DIR passes --workflows DIR (default: the binary's bundled workflows).
# Needs bash, curl and python3. Prints "N passed, M failed"; exits non-zero on any failure.
# The helpers run through check() and trap, which shellcheck cannot follow:
# shellcheck disable=SC2317
set -u -o pipefail

BIN=${1:?usage: api_curl.sh PATH/TO/disclose [TEMP_DIR]}
if [[ ! -x $BIN ]]; then
  echo "not an executable: $BIN" >&2
  exit 2
fi
if [[ $# -ge 2 ]]; then
  TMP=$2
  mkdir -p "$TMP"
  OWN_TMP=0
else
  TMP=$(mktemp -d /tmp/disclose-e2e-XXXXXX)
  OWN_TMP=1
fi
DB=$TMP/e2e.db
rm -f "$DB" "$DB-wal" "$DB-shm"
GLOBAL=(--db "$DB")
if [[ -n ${DISCLOSE_WORKFLOWS:-} ]]; then GLOBAL+=(--workflows "$DISCLOSE_WORKFLOWS"); fi

PASSED=0
FAILED=0
SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  if [[ $OWN_TMP == 1 ]]; then rm -rf "$TMP"; fi
}
trap cleanup EXIT

check() {  # check DESCRIPTION COMMAND...: passes when the command succeeds
  local what=$1
  shift
  if "$@"; then
    PASSED=$((PASSED + 1))
    echo "ok - $what"
  else
    FAILED=$((FAILED + 1))
    echo "not ok - $what"
    if [[ -s $TMP/body ]]; then echo "  last body: $(head -c 600 "$TMP/body")"; fi
  fi
}

finish() {
  echo "$PASSED passed, $FAILED failed"
  if [[ $FAILED -ne 0 && -f $TMP/serve.log ]]; then
    echo "--- server log (tail) ---"
    tail -n 30 "$TMP/serve.log"
  fi
  [[ $FAILED -eq 0 ]]
  exit $?
}

fatal() {
  FAILED=$((FAILED + 1))
  echo "not ok - $1"
  finish
}

# json EXPR: evaluates a Python expression over the last response body `d`; prints the result.
json() {
  python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
v = eval(sys.argv[2])
print(json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v)' "$TMP/body" "$1"
}

# is EXPR EXPECTED: the JSON expression over the last body prints EXPECTED.
is() {
  local got
  got=$(json "$1" 2>&1) || return 1
  [[ $got == "$2" ]] || {
    echo "  $1 = $got, expected $2"
    return 1
  }
}

status_is() { [[ $STATUS == "$1" ]] || { echo "  status $STATUS, expected $1"; return 1; }; }
header_is() {  # header_is NAME VALUE (case-insensitive name, exact value)
  local got
  got=$(tr -d '\r' <"$TMP/headers" | awk -v n="$(echo "$1" | tr '[:upper:]' '[:lower:]')" \
    'BEGIN{FS=": "} {if (tolower($1) == n) {sub(/^[^:]*: /, ""); print; exit}}')
  [[ $got == "$2" ]] || { echo "  header $1 = '$got', expected '$2'"; return 1; }
}

BASE=
# req METHOD PATH TOKEN [BODY] [HEADER...]: sets STATUS; body in $TMP/body, headers in $TMP/headers
req() {
  local method=$1 path=$2 token=$3 body=${4:-}
  shift 4 2>/dev/null || shift $#
  local args=(-sS --max-time 10 -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' -X "$method")
  [[ -n $token ]] && args+=(-H "Authorization: Bearer $token")
  if [[ -n $body ]]; then
    printf '%s' "$body" >"$TMP/request"
    args+=(-H 'Content-Type: application/json' --data-binary "@$TMP/request")
  fi
  local h
  for h in "$@"; do args+=(-H "$h"); done
  : >"$TMP/body"
  STATUS=$(curl "${args[@]}" "$BASE$path") || STATUS=000
}

# ---- the database, made with the CLI ---------------------------------------------------------

cli() { "$BIN" "${GLOBAL[@]}" "$@"; }

check "agency add" cli agency add zrzy --name 区自然资源局 --short 自然资源
check "second agency add" cli agency add fgw --name 区发展和改革委员会 --short 发改

declare -A TOKEN USER_ID
for role in registrar handler reviewer supervisor auditor; do
  out=$(cli user add --name "e2e-$role" --role "$role" --agency zrzy 2>/dev/null) ||
    fatal "user add $role"
  TOKEN[$role]=$(sed -n 's/^token \(dsk_[0-9a-f]*\)$/\1/p' <<<"$out")
  USER_ID[$role]=$(sed -n 's/^user \([0-9]*\) .*/\1/p' <<<"$out")
  [[ ${TOKEN[$role]} =~ ^dsk_[0-9a-f]{64}$ && -n ${USER_ID[$role]} ]] ||
    fatal "user add $role printed no token line: $out"
done
out=$(cli user add --name e2e-fgw --role registrar --agency fgw 2>/dev/null) || fatal "user add fgw"
TOKEN[fgw]=$(sed -n 's/^token \(dsk_[0-9a-f]*\)$/\1/p' <<<"$out")
check "user add prints tokens" test -n "${TOKEN[fgw]}"

# ---- the server --------------------------------------------------------------------------------

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
# `timeout` bounds the server's whole life, so no wait below can hang. With --foreground it passes
# SIGTERM to the server alone and exits with the server's status (without it, timeout signals its
# whole process group as well, and the server gets SIGTERM twice).
timeout --foreground -k 5 120 "$BIN" "${GLOBAL[@]}" serve --listen "127.0.0.1:$PORT" >"$TMP/serve.log" 2>&1 &
SERVER_PID=$!

# Ready within about 10 s: curl retries refused connections, once a second at most.
if ! curl -sS -o /dev/null --max-time 2 --retry 10 --retry-delay 1 --retry-max-time 10 \
  --retry-connrefused --fail "$BASE/readyz"; then
  fatal "server ready on $BASE within 10 s"
fi
check "server ready" kill -0 "$SERVER_PID"

# Dates: the server's clock is the wall clock at +08:00 (the default); every `on` is that day.
TODAY=$(python3 -c 'import datetime as d; print(d.datetime.now(d.timezone(d.timedelta(hours=8))).date())')

# ---- checks ------------------------------------------------------------------------------------

req GET /healthz "" ""
check "GET /healthz 200 without a token" status_is 200
req GET /readyz "" ""
check "GET /readyz 200" status_is 200
req GET /api/v1/cases "" ""
check "GET /api/v1/cases without a token is 401" status_is 401
check "401 body is an error" is 'd["error"]["code"]' unauthenticated
req GET /api/v1/me "dsk_$(printf '0%.0s' {1..64})" ""
check "unknown token is 401" status_is 401
req GET /api/v1/me "${TOKEN[registrar]}" ""
check "GET /me" is 'd["role"]' registrar
req GET /api/v1/cases/999999 "${TOKEN[registrar]}" ""
check "unknown case is 404" status_is 404
check "404 body is an error" is 'd["error"]["code"]' not_found
req GET "/api/v1/calendar/due?from=2025-09-26&working_days=20" "${TOKEN[auditor]}" ""
check "calendar due 2025-09-26 + 20 wd" is 'd["due_on"]' 2025-10-30

REGISTRATION='{"workflow": "gov-info-disclosure", "agency": "zrzy", "channel": "online",
  "received_on": "'$TODAY'", "receipt_evidence": "平台确认回执",
  "applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                "id_number": "370302199001011234", "phone": "13800000000"},
  "request": {"description": "2024年某地块征收补偿方案", "form": "electronic", "delivery": "email"},
  "tags": ["征地拆迁"]}'
req POST /api/v1/cases "${TOKEN[registrar]}" "$REGISTRATION"
check "register is 201" status_is 201
CASE_ID=$(json 'd["id"]' 2>/dev/null) || fatal "registration answered no case id"
check "registered state" is 'd["state"]' registered
check "case number" is 'd["number"]' "${TODAY:0:4}-自然资源-0001"
check "ETag is the version" header_is ETag '"1"'
check "Location" header_is Location "/api/v1/cases/$CASE_ID"
check "reply deadline running" is '[x["status"] for x in d["deadlines"] if x["kind"] == "reply"][0]' running

req POST /api/v1/cases "${TOKEN[handler]}" "$REGISTRATION"
check "a handler may not register (403)" status_is 403

CASE=/api/v1/cases/$CASE_ID
act() {  # act ACTION ROLE INPUT EXPECTED_STATE
  req POST "$CASE/actions/$1" "${TOKEN[$2]}" "$3"
  check "$1 as $2 is 200" status_is 200
  check "$1 → $4" is 'd["state"]' "$4"
}
act submit_review registrar '{}' review
act accept reviewer '{"assignee": "u:'"${USER_ID[handler]}"'"}' handling
req POST "$CASE/actions/note" "${TOKEN[auditor]}" '{"text": "审计"}'
check "an auditor may not act (403)" status_is 403
req POST "$CASE/actions/approve_reply" "${TOKEN[reviewer]}" '{}'
check "approve_reply in handling is 409" status_is 409
check "409 code" is 'd["error"]["code"]' not_allowed_in_state
req POST "$CASE/actions/note" "${TOKEN[handler]}" '{"text": "x"}' 'If-Match: "1"'
check "stale If-Match is 409" status_is 409
check "409 names the current version" is 'd["error"]["current_version"]' 3
req POST "$CASE/actions/note" "${TOKEN[handler]}" '{"text": 5}'
check "wrong type is 400" status_is 400
check "400 names the field" is 'd["error"]["field"]' text
act draft_reply handler '{"determination": "granted", "basis": "条例第三十六条第（一）项", "reasons": "予以公开"}' replying
act approve_reply reviewer '{}' delivering
act record_delivery registrar '{"method": "electronic", "on": "'"$TODAY"'"}' closed
check "outcome granted" is 'd["outcome"]["determination"]' granted
act archive registrar '{}' archived
check "ETag after archive" header_is ETag '"7"'

req GET "$CASE" "${TOKEN[auditor]}" ""
check "GET case 200" status_is 200
check "auditor sees the phone masked" is 'd["registration"]["applicant"]["phone"]' '138****0000'
req GET "$CASE" "${TOKEN[fgw]}" ""
check "another agency's case is 404" status_is 404

req GET "$CASE/history" "${TOKEN[supervisor]}" ""
check "history 200" status_is 200
check "history has 7 events" is 'len(d["events"])' 7
check "history types" is '",".join(e["type"] for e in d["events"])' \
  register,submit_review,accept,draft_reply,approve_reply,record_delivery,archive
check "history is hash-chained" is \
  'all(d["events"][i]["prev_hash"] == d["events"][i-1]["hash"] for i in range(1, len(d["events"])))' true
req GET "$CASE/clock" "${TOKEN[auditor]}" ""
check "clock explains the reply deadline" is '[x["status"] for x in d["deadlines"] if x["kind"] == "reply"][0]' met

# Idempotent registration: one case, the same answer twice.
req POST /api/v1/cases "${TOKEN[registrar]}" "$REGISTRATION" 'Idempotency-Key: e2e-intake-1'
check "idempotent register 201" status_is 201
FIRST_ID=$(json 'd["id"]' 2>/dev/null)
req POST /api/v1/cases "${TOKEN[registrar]}" "$REGISTRATION" 'Idempotency-Key: e2e-intake-1'
check "replayed register 201" status_is 201
check "replay answers the same case" is 'd["id"]' "$FIRST_ID"
check "replay is marked" header_is Idempotent-Replayed true
req GET "/api/v1/cases?limit=1" "${TOKEN[registrar]}" ""
check "page of one" is 'len(d["cases"])' 1
check "a next page exists" is 'd["next_cursor"] is not None' true
req GET "/api/v1/cases?open=true" "${TOKEN[registrar]}" ""
check "exactly one open case" is '[c["id"] for c in d["cases"]]' "[$FIRST_ID]"
check "lists mask the ID number" is 'd["cases"][0]["registration"]["applicant"]["id_number"]' \
  '370302********1234'

req DELETE /api/v1/cases "${TOKEN[registrar]}" ""
check "DELETE /api/v1/cases is 405" status_is 405
req GET /api/v1/openapi.json "" ""
check "openapi.json is served" is 'd["openapi"]' 3.0.3
req GET /metrics "" ""
check "metrics 200" status_is 200
check "metrics has disclose_open_cases" grep -q '^disclose_open_cases{state="registered"} 1' "$TMP/body"

# ---- stop --------------------------------------------------------------------------------------

kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
RC=$?
SERVER_PID=
check "server exits 0 on SIGTERM (got $RC)" test "$RC" -eq 0
check "server said it stopped" grep -q "disclose: stopped" "$TMP/serve.log"
STATUS=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/healthz" 2>/dev/null) || true
check "nothing listens after stop" test "$STATUS" = 000

finish
