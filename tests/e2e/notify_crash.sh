#!/usr/bin/env bash
# Crash test of reminders and webhook delivery (issue #4): cases whose deadlines passed while
# the server was down, a webhook receiver on 127.0.0.1, and `disclose serve` killed with SIGKILL
# at random moments while it catches up and delivers, then restarted, several times over.
#
# Afterwards it checks what a receiver and an auditor care about:
#   - every queued notification was delivered in the end (at least once);
#   - a message id that arrived twice arrived with the same body both times;
#   - each case got exactly one overdue reminder (the reminder ledger held across crashes);
#   - every delivery's Standard Webhooks signature verifies;
#   - `disclose audit verify` passes and the server starts cleanly every time.
#
# Usage: tests/e2e/notify_crash.sh PATH/TO/disclose [TEMP_DIR]
# Needs bash and python3. Prints "N passed, M failed"; exits non-zero on any failure.
# shellcheck disable=SC2317
set -u -o pipefail

BIN=${1:?usage: notify_crash.sh PATH/TO/disclose [TEMP_DIR]}
if [[ $# -ge 2 ]]; then
  TMP=$2
  rm -rf "$TMP"
  mkdir -p "$TMP"
  OWN_TMP=0
else
  TMP=$(mktemp -d /tmp/disclose-crash-XXXXXX)
  OWN_TMP=1
fi
DB=$TMP/crash.db
GLOBAL=(--db "$DB")
if [[ -n ${DISCLOSE_WORKFLOWS:-} ]]; then GLOBAL+=(--workflows "$DISCLOSE_WORKFLOWS"); fi
CASES=${CRASH_CASES:-25}
KILLS=${CRASH_KILLS:-6}

PASSED=0
FAILED=0
SERVER_PID=
RECEIVER_PID=
cleanup() {
  for pid in $SERVER_PID $RECEIVER_PID; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
    fi
  done
  if [[ $OWN_TMP == 1 ]]; then rm -rf "$TMP"; fi
}
trap cleanup EXIT

check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then
    PASSED=$((PASSED + 1))
    echo "ok - $what"
  else
    FAILED=$((FAILED + 1))
    echo "not ok - $what"
  fi
}

d() { "$BIN" "${GLOBAL[@]}" "$@"; }

# --- the receiver: records every request as one JSON line, answers 200 after a short delay so
# kills land mid-delivery ------------------------------------------------------------------------
cat >"$TMP/receiver.py" <<'PYEOF'
import http.server, json, random, sys, threading, time
log = open(sys.argv[1], "a", buffering=1)
lock = threading.Lock()
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
        time.sleep(random.uniform(0.05, 0.25))
        with lock:
            log.write(json.dumps({"id": self.headers.get("webhook-id"),
                                  "timestamp": self.headers.get("webhook-timestamp"),
                                  "signature": self.headers.get("webhook-signature"),
                                  "body": body}) + "\n")
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
open(sys.argv[2], "w").write(str(server.server_address[1]))
server.serve_forever()
PYEOF
python3 "$TMP/receiver.py" "$TMP/received.jsonl" "$TMP/receiver.port" &
RECEIVER_PID=$!
for _ in $(seq 100); do [[ -s $TMP/receiver.port ]] && break; python3 -c 'import time; time.sleep(0.05)'; done
PORT=$(cat "$TMP/receiver.port")

# --- data: cases received two months ago, never answered: all overdue now ----------------------
today=$(date -u +%F)
received=$(python3 -c "import datetime; print(datetime.date.today() - datetime.timedelta(days=60))")
d --now "$received" agency add zrzy --name 区自然资源局 --short 自然资源 >/dev/null
d --now "$received" user add --name 李办理 --role handler --agency zrzy >/dev/null
d --now "$received" user add --name 王主任 --role supervisor --agency zrzy >/dev/null
SECRET=$(d subscription add --url "http://127.0.0.1:$PORT/hook" --kind webhook 2>/dev/null |
  awk '/^secret /{print $2}')
check "subscription created with a generated secret" test -n "$SECRET"
for i in $(seq "$CASES"); do
  d --now "$received" case create --quiet --json - >/dev/null <<JSON
{"workflow": "gov-info-disclosure", "agency": "zrzy", "channel": "online",
 "received_on": "$received", "receipt_evidence": "平台确认回执",
 "applicant": {"kind": "natural_person", "name": "申请人$i", "id_type": "resident_id",
               "id_number": "370302199001011234", "phone": "13800000000"},
 "request": {"description": "第$i件申请", "form": "electronic", "delivery": "email"}}
JSON
done

# Short timeouts and leases, so a row that was being sent when the server died is sent again
# within the test's patience; fast retries for the same reason.
cat >"$TMP/serve.yaml" <<'YAML'
notifications:
  timeout_seconds: 2
  lease_seconds: 4
  retry_base_seconds: 1
timers:
  sweep_seconds: 5
YAML

start_server() {
  : >"$TMP/serve.out"
  "$BIN" "${GLOBAL[@]}" serve --config "$TMP/serve.yaml" --listen 127.0.0.1:0 \
    >"$TMP/serve.out" 2>>"$TMP/serve.log" &
  SERVER_PID=$!
  for _ in $(seq 200); do
    grep -q "listening on" "$TMP/serve.out" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || return 1
    python3 -c 'import time; time.sleep(0.02)'
  done
  return 1
}

starts=0
for k in $(seq "$KILLS"); do
  if start_server; then starts=$((starts + 1)); fi
  python3 -c "import random, time; time.sleep(random.uniform(0.2, 1.5))"
  kill -KILL "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
done
check "the server started cleanly after every SIGKILL ($starts of $KILLS)" test "$starts" -eq "$KILLS"

# A last, undisturbed run until nothing is pending.
start_server
pending=1
for _ in $(seq 600); do
  pending=$(d notification list --status pending --limit 100000 | wc -l)
  [[ $pending -eq 0 ]] && break
  python3 -c 'import time; time.sleep(0.1)'
done
check "nothing left pending" test "$pending" -eq 0
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
check "SIGTERM stops the server with status 0" test $? -eq 0

d notification list --limit 100000 >"$TMP/outbox.txt"
total=$(wc -l <"$TMP/outbox.txt")
delivered=$(grep -c $'\tdelivered\t' "$TMP/outbox.txt")
check "every notification delivered ($delivered of $total)" test "$delivered" -eq "$total"
overdue_rows=$(grep -c $'\treminder.overdue\t' "$TMP/outbox.txt")
# Each case runs two clocks from registration (the reply and the 补正 notice), both long overdue.
check "one overdue reminder per case and deadline ($overdue_rows for $CASES cases)" \
  test "$overdue_rows" -eq $((2 * CASES))

python3 - "$TMP/received.jsonl" "$TMP/outbox.txt" "$SECRET" "$CASES" >"$TMP/receiver_check.txt" <<'PYEOF'
import base64, collections, hashlib, hmac, json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
outbox_ids = {l.split("\t")[4] for l in open(sys.argv[2]) if l.strip()}
key = base64.b64decode(sys.argv[3][len("whsec_"):])
cases = int(sys.argv[4])
bodies = collections.defaultdict(set)
bad_signatures = 0
for r in lines:
    bodies[r["id"]].add(r["body"])
    mac = hmac.new(key, f'{r["id"]}.{r["timestamp"]}.{r["body"]}'.encode(), hashlib.sha256).digest()
    if r["signature"] != "v1," + base64.b64encode(mac).decode():
        bad_signatures += 1
conflicting = [i for i, b in bodies.items() if len(b) > 1]
overdue_cases = collections.Counter()
for i, b in bodies.items():
    body = json.loads(next(iter(b)))
    if body["type"] == "reminder.overdue":
        overdue_cases[(body["data"]["case"]["id"], body["data"]["deadline"]["kind"])] += 1
print("received", len(lines), "requests,", len(bodies), "distinct ids,",
      len(lines) - len(bodies), "redelivered")
print("conflicting", len(conflicting))
print("bad_signatures", bad_signatures)
print("missing", len(outbox_ids - set(bodies)))
print("unknown", len(set(bodies) - outbox_ids))
print("overdue_reminders", len(overdue_cases), "max_per_case_and_deadline",
      max(overdue_cases.values(), default=0))
PYEOF
cat "$TMP/receiver_check.txt"
check "no message id arrived with two different bodies" grep -q "^conflicting 0$" "$TMP/receiver_check.txt"
check "every signature verifies" grep -q "^bad_signatures 0$" "$TMP/receiver_check.txt"
check "every queued notification reached the receiver" grep -q "^missing 0$" "$TMP/receiver_check.txt"
check "the receiver got nothing the outbox does not know" grep -q "^unknown 0$" "$TMP/receiver_check.txt"
check "each overdue reminder arrived under one message id" \
  grep -q "^overdue_reminders $((2 * CASES)) max_per_case_and_deadline 1$" "$TMP/receiver_check.txt"
check "audit chain intact" d audit verify

echo "$PASSED passed, $FAILED failed"
if [[ $FAILED -ne 0 ]]; then
  echo "--- server log (tail) ---"
  tail -n 30 "$TMP/serve.log"
fi
[[ $FAILED -eq 0 ]]
