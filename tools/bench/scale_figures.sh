#!/usr/bin/env bash
# tools/bench/scale_figures.sh DB [YEAR [EXPORT_FROM EXPORT_TO]] — the scale figures of issue #6
# on a database filled by tools/datagen (e.g. 1,000,000 cases), measured over HTTP against a
# real `disclose serve`:
#
#   ready     wall time from exec to the first 200 of /readyz (polled every 5 ms)
#   rss       the server's resident memory once ready, and its peak (VmHWM) at the end
#   overdue   GET /api/v1/cases?overdue=true (the first page): the first request, then the
#             median and max of 20 more
#   report    GET /api/v1/reports/annual?year=YEAR (default: last year): 3 runs
#   export    GET /api/v1/exports/cases?received_from=…&received_to=… streamed to /dev/null,
#             with the number of case lines (pick a range holding ~100,000 cases)
#
# Prints one line per figure; never part of the test suite. Builds nothing: set DISCLOSE to the
# binary (default build/release/disclose). The server runs on 127.0.0.1 with a kernel-chosen
# port, timers and notifications on, and is stopped at the end.
set -euo pipefail

db="${1:?usage: tools/bench/scale_figures.sh DB [YEAR [EXPORT_FROM EXPORT_TO]]}"
year="${2:-$(($(date +%Y) - 1))}"
export_from="${3:-${year}-01-01}"
export_to="${4:-${year}-04-10}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bin="${DISCLOSE:-$root/build/release/disclose}"
[ -x "$bin" ] || { echo "scale_figures: no $bin (run tools/dev build)" >&2; exit 2; }
[ -f "$db" ] || { echo "scale_figures: no database $db" >&2; exit 2; }

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A district-wide supervisor's token for the measurements (a user row is added to the database).
agency=$(sqlite3 "$db" 'SELECT code FROM agencies ORDER BY code LIMIT 1')
token=$("$bin" --db "$db" user add --name 规模测量 --role supervisor --agency "$agency" --scope all |
          awk '$1 == "token" { print $2 }')
[ -n "$token" ] || { echo "scale_figures: could not create an admin token" >&2; exit 1; }

now_ms() { date +%s%3N; }

sync
start=$(now_ms)
"$bin" --db "$db" serve --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!
url=""
while [ -z "$url" ]; do
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" || true)
  [ -n "$url" ] || sleep 0.005
done
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" = "200" ]; do sleep 0.005; done
ready=$(now_ms)
rss_ready=$(awk '/VmRSS/ { print $2 }' "/proc/$server_pid/status")
echo "ready      $((ready - start)) ms after exec (listening and /readyz 200)"
echo "rss        ${rss_ready} KB once ready"

auth=(-H "Authorization: Bearer $token")
timed() {  # timed URL → seconds for the whole response
  curl -s -o /dev/null -w '%{time_total}\n' "${auth[@]}" "$1"
}
summary() {  # reads seconds, prints median and max in ms
  sort -n | awk '{ v[NR] = $1 * 1000 } END { printf "median %.1f ms, max %.1f ms (%d runs)\n", v[int((NR + 1) / 2)], v[NR], NR }'
}

first=$(timed "$url/api/v1/cases?overdue=true")
echo "overdue    first page: first request $(awk -v s="$first" 'BEGIN { printf "%.1f", s * 1000 }') ms, then $(for _ in $(seq 20); do timed "$url/api/v1/cases?overdue=true"; done | summary)"
curl -s "${auth[@]}" "$url/api/v1/cases?overdue=true&limit=1" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print("           (page has cases:", len(d["cases"]) > 0, ")")'

echo "report     annual $year: $(for _ in 1 2 3; do timed "$url/api/v1/reports/annual?year=$year"; done | summary)"

export_start=$(now_ms)
lines=$(curl -s "${auth[@]}" "$url/api/v1/exports/cases?received_from=$export_from&received_to=$export_to" | wc -l)
export_end=$(now_ms)
# The export is a header line, one line per case and a manifest line.
echo "export     $((lines - 2)) case histories (received $export_from … $export_to) in $((export_end - export_start)) ms"

rss_peak=$(awk '/VmHWM/ { print $2 }' "/proc/$server_pid/status")
rss_now=$(awk '/VmRSS/ { print $2 }' "/proc/$server_pid/status")
echo "rss        ${rss_now} KB at the end, peak ${rss_peak} KB"
echo "database   $(du -h "$db" | cut -f1) ($(sqlite3 "$db" 'SELECT COUNT(*) FROM cases') cases, $(sqlite3 "$db" "SELECT COUNT(*) FROM timers WHERE fired_at IS NULL") pending timers)"
