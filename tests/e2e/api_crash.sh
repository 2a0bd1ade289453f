#!/usr/bin/env bash
# Crash test of the HTTP API's writes (issue #6): `loadgen --scenario lifecycle` takes cases
# through their whole lifecycle over many connections while `disclose serve` is killed with
# SIGKILL at random moments and restarted on the same database, several times over. Some cases
# are received 60 days back, so the server's timers send overdue reminders (to a webhook
# receiver on 127.0.0.1) and expire 补正 windows while the kills land.
#
# loadgen keeps going through the kills: a request without an answer has an unknown outcome (not
# acknowledged, not recorded); it reconnects, reads the case back and carries on. Every case
# write the server acknowledged with a 2xx is recorded (--record). Afterwards:
#   - every acknowledged write is in the database: the case's event with the answered version as
#     its seq exists and is that action, and no two acknowledgements name the same event;
#   - `disclose audit verify` passes, and the server started cleanly after every kill;
#   - no timer fired twice: each reminder occurrence (case, deadline, epoch, offset) is in the
#     outbox once per subscription and reached the receiver under one message id; no expiry
#     action was applied more often than its window was opened;
#   - no webhook id arrived with two different bodies, every signature verifies, and the outbox
#     drained completely once the server ran undisturbed.
# The kill times are random; every assertion holds for any of them.
#
# Usage: tests/e2e/api_crash.sh PATH/TO/disclose [TEMP_DIR]   (loadgen: $LOADGEN, else next to
# disclose). Needs bash and python3. Prints "N passed, M failed"; exits non-zero on any failure.
# shellcheck disable=SC2317
set -u -o pipefail

BIN=${1:?usage: api_crash.sh PATH/TO/disclose [TEMP_DIR]}
LOADGEN=${LOADGEN:-$(dirname "$BIN")/loadgen}
if [[ ! -x $LOADGEN ]]; then
  echo "api_crash.sh: no loadgen at $LOADGEN (build the target loadgen, or set LOADGEN)" >&2
  exit 1
fi
if [[ $# -ge 2 ]]; then
  TMP=$2
  rm -rf "$TMP"
  mkdir -p "$TMP"
  OWN_TMP=0
else
  TMP=$(mktemp -d /tmp/disclose-api-crash-XXXXXX)
  OWN_TMP=1
fi
DB=$TMP/api.db
GLOBAL=(--db "$DB")
if [[ -n ${DISCLOSE_WORKFLOWS:-} ]]; then GLOBAL+=(--workflows "$DISCLOSE_WORKFLOWS"); fi
KILLS=${CRASH_KILLS:-5}
SECONDS_OF_LOAD=${CRASH_LOAD_SECONDS:-25}

PASSED=0
FAILED=0
SERVER_PID=
RECEIVER_PID=
LOADGEN_PID=
cleanup() {
  for pid in $LOADGEN_PID $SERVER_PID $RECEIVER_PID; do
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
# A pause of a random length between $1 and $2 seconds (GNU sleep takes fractions; python3 may
# take seconds just to start behind a version manager's shim).
pause() { sleep "$(awk -v a="$1" -v b="$2" -v r="$RANDOM" 'BEGIN { printf "%.3f", a + (b - a) * r / 32767 }')"; }

# --- the webhook receiver: one JSON line per request ---------------------------------------------
cat >"$TMP/receiver.py" <<'PYEOF'
import http.server, json, sys, threading
log = open(sys.argv[1], "a", buffering=1)
lock = threading.Lock()
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
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
for _ in $(seq 100); do [[ -s $TMP/receiver.port ]] && break; pause 0.05 0.05; done
PORT=$(cat "$TMP/receiver.port")

# --- a district admin for loadgen's setup, and a subscription to reminders and auto-closes ------
d agency add district --name 区政府信息公开办公室 --short 区公开办 >/dev/null
TOKEN=$(d user add --name 管理员 --role admin --agency district --scope all 2>/dev/null |
  awk '$1 == "token" { print $2 }')
check "admin token issued" test -n "$TOKEN"
SECRET=$(d subscription add --url "http://127.0.0.1:$PORT/hook" --kind webhook \
  --events reminder.due_soon,reminder.due_today,reminder.overdue,case.auto_closed 2>/dev/null |
  awk '/^secret /{print $2}')
check "subscription created with a generated secret" test -n "$SECRET"

# Short notification timeouts and leases, so rows being sent at a kill are sent again soon.
cat >"$TMP/serve.yaml" <<'YAML'
notifications:
  timeout_seconds: 2
  lease_seconds: 4
  retry_base_seconds: 1
timers:
  sweep_seconds: 5
YAML

# Starts the server on port 0 and publishes its URL in $TMP/url for loadgen (--url-file), which
# reads it again before every connection attempt.
start_server() {
  : >"$TMP/serve.out"
  "$BIN" "${GLOBAL[@]}" serve --config "$TMP/serve.yaml" --listen 127.0.0.1:0 \
    >"$TMP/serve.out" 2>>"$TMP/serve.log" &
  SERVER_PID=$!
  local url
  for _ in $(seq 250); do
    url=$(sed -n 's/^disclose: listening on \(http:\/\/[0-9.]*:[0-9]*\).*/\1/p' "$TMP/serve.out")
    if [[ -n $url ]]; then
      echo "$url" >"$TMP/url.new" && mv "$TMP/url.new" "$TMP/url"
      return 0
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || return 1
    pause 0.02 0.02
  done
  return 1
}

starts=0
if start_server; then starts=$((starts + 1)); fi

"$LOADGEN" --url-file "$TMP/url" --token "$TOKEN" --scenario lifecycle --connections 8 \
  --duration "$SECONDS_OF_LOAD" --record "$TMP/record.tsv" --expect-disconnects \
  --overdue-share 0.3 --correction-share 0.3 --extension-share 0.3 --timeout-ms 3000 \
  --seed "$RANDOM" >"$TMP/loadgen.out" 2>"$TMP/loadgen.err" &
LOADGEN_PID=$!
for _ in $(seq 500); do
  grep -q "loadgen: ready" "$TMP/loadgen.err" 2>/dev/null && break
  kill -0 "$LOADGEN_PID" 2>/dev/null || break
  pause 0.02 0.02
done
check "loadgen set up its agency and staff through the API" grep -q "loadgen: ready" "$TMP/loadgen.err"

# Kills spread over the load: random moments, each followed by a restart on the same database.
spacing=$(awk -v s="$SECONDS_OF_LOAD" -v k="$KILLS" 'BEGIN { print (s - 3) / k }')
for _ in $(seq "$KILLS"); do
  pause "$(awk -v s="$spacing" 'BEGIN { print s * 0.3 }')" "$spacing"
  kill -KILL "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  if start_server; then starts=$((starts + 1)); fi
done
check "the server started cleanly after every SIGKILL ($((starts - 1)) of $KILLS)" \
  test "$starts" -eq $((KILLS + 1))

wait "$LOADGEN_PID"
status=$?
LOADGEN_PID=
cat "$TMP/loadgen.out"
check "loadgen finished without a 5xx or an unexpected status (exit $status)" test "$status" -eq 0
acknowledged=$(wc -l <"$TMP/record.tsv" 2>/dev/null || echo 0)
check "writes were acknowledged and recorded ($acknowledged)" test "$acknowledged" -gt 0

# Let the server run undisturbed until every notification is out, then stop it.
pending=1
for _ in $(seq 300); do
  pending=$(d notification list --status pending --limit 100000 | wc -l)
  [[ $pending -eq 0 ]] && break
  pause 0.1 0.1
done
check "nothing left pending in the outbox" test "$pending" -eq 0
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
check "SIGTERM stops the server with status 0" test $? -eq 0
SERVER_PID=

# --- what the database holds --------------------------------------------------------------------
python3 - "$DB" "$TMP/record.tsv" >"$TMP/db_check.txt" <<'PYEOF'
import collections, json, sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
missing = mismatched = 0
examples = []
acknowledged = collections.Counter()
for line in open(sys.argv[2]):
    method, path, case_id, version, action = line.rstrip("\n").split("\t")
    acknowledged[(case_id, version)] += 1
    row = db.execute("SELECT type FROM events WHERE case_id = ? AND seq = ?",
                     (int(case_id), int(version))).fetchone()
    if row is None:
        missing += 1
        examples.append(f"missing: {line.strip()}")
    elif row[0] != action:
        mismatched += 1
        examples.append(f"mismatched ({row[0]}): {line.strip()}")
print("missing", missing)
print("mismatched", mismatched)
# Two acknowledgements of one event would mean two writes answered as one.
print("acknowledged_twice", sum(1 for n in acknowledged.values() if n > 1))
for e in examples[:10]:
    print("  ", e)
# An expiry action applies once per window opened: never more correction_expired events on a
# case than request_correction events.
counts = collections.defaultdict(collections.Counter)
for case_id, type_ in db.execute("SELECT case_id, type FROM events"):
    counts[case_id][type_] += 1
print("expired_twice", sum(1 for c in counts.values()
                           if c["correction_expired"] > c["request_correction"]))
print("expiries", sum(c["correction_expired"] for c in counts.values()))
# Each reminder occurrence once per subscription in the outbox.
occurrences = collections.Counter()
for sub, case_id, payload in db.execute(
        "SELECT subscription_id, case_id, payload FROM outbox WHERE topic LIKE 'reminder.%'"):
    dl = json.loads(payload)["data"]["deadline"]
    occurrences[(sub, case_id, dl["kind"], dl["epoch"], dl["offset_wd"])] += 1
print("reminders", len(occurrences))
print("reminders_twice", sum(1 for n in occurrences.values() if n > 1))
print("ledger_rows", db.execute("SELECT count(*) FROM reminder_ledger").fetchone()[0])
PYEOF
cat "$TMP/db_check.txt"
check "every acknowledged write is in the database" grep -q "^missing 0$" "$TMP/db_check.txt"
check "each acknowledged write is the event it answered" grep -q "^mismatched 0$" "$TMP/db_check.txt"
check "no event acknowledged to two writes" grep -q "^acknowledged_twice 0$" "$TMP/db_check.txt"
check "no expiry action applied twice" grep -q "^expired_twice 0$" "$TMP/db_check.txt"
check "no reminder occurrence queued twice" grep -q "^reminders_twice 0$" "$TMP/db_check.txt"
check "audit chain intact" d audit verify

# --- what the receiver got ----------------------------------------------------------------------
d notification list --limit 100000 >"$TMP/outbox.txt"
python3 - "$TMP/received.jsonl" "$TMP/outbox.txt" "$SECRET" >"$TMP/receiver_check.txt" <<'PYEOF'
import base64, collections, hashlib, hmac, json, sys
lines = [json.loads(l) for l in open(sys.argv[1])] if open(sys.argv[1]).read() else []
outbox_ids = {l.split("\t")[4] for l in open(sys.argv[2]) if l.strip()}
key = base64.b64decode(sys.argv[3][len("whsec_"):])
bodies = collections.defaultdict(set)
bad_signatures = 0
for r in lines:
    bodies[r["id"]].add(r["body"])
    mac = hmac.new(key, f'{r["id"]}.{r["timestamp"]}.{r["body"]}'.encode(), hashlib.sha256).digest()
    if r["signature"] != "v1," + base64.b64encode(mac).decode():
        bad_signatures += 1
ids_per_reminder = collections.defaultdict(set)
for i, b in bodies.items():
    body = json.loads(next(iter(b)))
    if body["type"].startswith("reminder."):
        dl = body["data"]["deadline"]
        ids_per_reminder[(body["data"]["case"]["id"], dl["kind"], dl["epoch"], dl["offset_wd"])].add(i)
print("received", len(lines), "requests,", len(bodies), "distinct ids,",
      len(lines) - len(bodies), "redelivered,", len(ids_per_reminder), "reminders")
print("conflicting", sum(1 for b in bodies.values() if len(b) > 1))
print("bad_signatures", bad_signatures)
print("missing", len(outbox_ids - set(bodies)))
print("reminders_under_two_ids", sum(1 for s in ids_per_reminder.values() if len(s) > 1))
PYEOF
cat "$TMP/receiver_check.txt"
check "no message id arrived with two different bodies" grep -q "^conflicting 0$" "$TMP/receiver_check.txt"
check "every signature verifies" grep -q "^bad_signatures 0$" "$TMP/receiver_check.txt"
check "every queued notification reached the receiver" grep -q "^missing 0$" "$TMP/receiver_check.txt"
check "no reminder arrived under two message ids" \
  grep -q "^reminders_under_two_ids 0$" "$TMP/receiver_check.txt"

echo "$PASSED passed, $FAILED failed"
if [[ $FAILED -ne 0 ]]; then
  echo "--- loadgen stderr (tail) ---"
  tail -n 20 "$TMP/loadgen.err"
  echo "--- server log (tail) ---"
  tail -n 30 "$TMP/serve.log"
fi
[[ $FAILED -eq 0 ]]
