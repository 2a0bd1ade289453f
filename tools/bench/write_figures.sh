#!/usr/bin/env bash
# tools/bench/write_figures.sh [BUILD_DIR ...] — durable case writes over HTTP (issue #6), with
# what each action costs the server, for one build or several compared run by run.
#
# For each run and each build in turn (alternating, so that a slow spell of the machine hits
# every build alike): a fresh database with one agency and an admin token, `disclose serve` on
# 127.0.0.1 with a kernel-chosen port, the load generator, then one line:
#
#   actions/s     acknowledged case writes per second (loadgen)
#   p50 / p99     their latency in ms (loadgen)
#   group         writes per commit (/metrics: disclose_committed_writes_total / commits_total)
#   cpu           the server's user + system CPU time per acknowledged write, in µs — the
#                 figure that binds on a 2-core machine, and steadier than actions/s when the
#                 machine's speed drifts
#   written, read bytes the server wrote and read through system calls per write, in KB
#                 (/proc/PID/io wchar, rchar: WAL frames, checkpoints, sockets)
#   loadgen       the load generator's CPU time per acknowledged write, in µs: it shares the
#                 machine, so server + loadgen per write bounds actions/s (with PROFILE_SECONDS
#                 it includes perf's own time)
#
# Settings by environment: RUNS (default 3), LOADGEN_ARGS (default "--scenario lifecycle -c 64
# --duration 15"). BUILD_DIR holds disclose and tools/loadgen/loadgen (default build/release).
# With PROFILE_SECONDS=N, each run also records the server with perf for N seconds from 3 s into
# the load (PERF_ARGS, default "-F 999"; add "-g" for call graphs) and prints the share of each
# thread (disclose-io, disclose-commit, disclose-bg; "disclose" is the main io thread and any
# handler threads) and each thread's top functions (self time, % of all samples); perf.data is
# kept in PROFILE_DIR (default /tmp). Never part of the test suite; needs curl (and perf).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${RUNS:-3}"
read -r -a loadgen_args <<<"${LOADGEN_ARGS:---scenario lifecycle -c 64 --duration 15}"
builds=("$@")
[ ${#builds[@]} -gt 0 ] || builds=("$root/build/release")
for build in "${builds[@]}"; do
  for bin in "$build/disclose" "$build/tools/loadgen/loadgen"; do
    [ -x "$bin" ] || { echo "write_figures: no $bin (run tools/dev build)" >&2; exit 2; }
  done
done

work=""
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  [ -z "$work" ] || rm -rf "$work"
  server_pid=""
  work=""
}
trap cleanup EXIT

# The value of a /metrics line "NAME VALUE".
metric() { awk -v name="$1" '$1 == name { print $2 }' "$work/metrics"; }

one_run() {
  local build="$1"
  work="$(mktemp -d)"
  local db="$work/bench.db" bin="$build/disclose"
  "$bin" --db "$db" agency add district --name 区政府信息公开办公室 --short 区公开办 >/dev/null
  local token
  token=$("$bin" --db "$db" user add --name 测量 --role admin --agency district --scope all \
            2>"$work/user.err" | awk '$1 == "token" { print $2 }') || true
  [ -n "$token" ] || { echo "write_figures: no admin token:" >&2; cat "$work/user.err" >&2; exit 1; }
  "$bin" --db "$db" serve --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.log" &
  server_pid=$!
  local url="" tries=0
  until [ -n "$url" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" = "200" ]; do
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    tries=$((tries + 1))
    [ "$tries" -le 1000 ] || { echo "write_figures: server not ready after 10 s" >&2; cat "$work/serve.log" >&2; exit 1; }
    [ -n "$url" ] || url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" || true)
    sleep 0.01
  done
  local perf_pid=""
  if [ -n "${PROFILE_SECONDS:-}" ]; then
    read -r -a perf_args <<<"${PERF_ARGS:--F 999}"
    perf_data="${PROFILE_DIR:-/tmp}/write_figures.$(basename "$build").$run.perf.data"
    (sleep 3; exec perf record -q "${perf_args[@]}" -p "$server_pid" -o "$perf_data" \
       -- sleep "$PROFILE_SECONDS") >"$work/perf.log" 2>&1 &
    perf_pid=$!
  fi
  times >"$work/times.before"  # a builtin in this shell: $(times) would ask a subshell
  DISCLOSE_TOKEN="$token" "$build/tools/loadgen/loadgen" --url "$url" "${loadgen_args[@]}" \
    >"$work/loadgen.out" 2>&1 || { cat "$work/loadgen.out" >&2; exit 1; }
  times >"$work/times.after"
  local loadgen_cpu
  loadgen_cpu=$(children_cpu_between "$work/times.before" "$work/times.after")
  if [ -n "$perf_pid" ]; then
    wait "$perf_pid" || { cat "$work/perf.log" >&2; exit 1; }
  fi
  curl -s "$url/metrics" >"$work/metrics"
  local cpu_ticks io
  cpu_ticks=$(awk '{ print $14 + $15 }' "/proc/$server_pid/stat")
  io=$(awk '$1 == "wchar:" { w = $2 } $1 == "rchar:" { r = $2 } END { print w, r }' "/proc/$server_pid/io")
  awk -v build="$build" -v ticks="$cpu_ticks" -v hz="$(getconf CLK_TCK)" -v io="$io" -v lg="$loadgen_cpu" \
      -v commits="$(metric disclose_commits_total)" -v writes="$(metric disclose_committed_writes_total)" '
    /acknowledged case writes/ { acked = $2; rate = $0; sub(/.*\(/, "", rate); sub(/ actions.*/, "", rate) }
    /^latency writes/ { for (i = 1; i < NF; ++i) { if ($i == "p50") p50 = $(i + 1); if ($i == "p99") p99 = $(i + 1) } }
    END {
      if (acked == 0 || commits == 0) { print build ": no acknowledged writes or no commits" > "/dev/stderr"; exit 1 }
      split(io, rw, " ")
      printf "%-28s %8.1f actions/s  p50 %6.2f  p99 %6.2f ms  group %5.1f  cpu %6.1f us  written %5.1f  read %5.1f KB  loadgen %5.1f us\n",
             build, rate, p50, p99, writes / commits, 1e6 * ticks / hz / acked, rw[1] / acked / 1024, rw[2] / acked / 1024,
             1e6 * lg / acked
    }' "$work/loadgen.out" || { cat "$work/loadgen.out" >&2; exit 1; }
  [ -z "$perf_pid" ] || profile_summary "$perf_data"
  cleanup
}

# User + system CPU seconds this shell's finished children took between two outputs of bash's
# `times` (second line: "1m2.345s 0m0.678s"): here, the load generator's.
children_cpu_between() {
  awk 'FNR == 2 { split($1, u, "m"); split($2, s, "m"); sub(/s/, "", u[2]); sub(/s/, "", s[2])
                  t = u[1] * 60 + u[2] + s[1] * 60 + s[2]; if (NR == FNR) before = t; else after = t }
       END { print after - before }' "$1" "$2"
}

# Each thread's share of the samples, then its top functions by self time.
profile_summary() {
  local data="$1" comm
  echo "  profile $data — samples by thread:"
  perf report -i "$data" --stdio --no-children --sort comm -q 2>/dev/null | sed 's/^/   /'
  for comm in disclose disclose-io disclose-commit; do
    echo "  top functions of $comm (self, % of all samples):"
    # (head closes the pipe early: perf's SIGPIPE is not a failure here.)
    perf report -i "$data" --stdio --no-children --comms "$comm" --sort sym -q \
      --percentage absolute 2>/dev/null | head -15 | sed 's/^/   /' || true
  done
}

perf_data=""
for run in $(seq "$runs"); do
  for build in "${builds[@]}"; do one_run "$build"; done
done
