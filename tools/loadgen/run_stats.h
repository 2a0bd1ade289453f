// What one connection saw, merged over all connections at the end of a run and printed.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

#include "loadgen/latency_histogram.h"

namespace loadgen {

struct RunStats {
  int64_t requests = 0;  // requests attempted (including those that never got an answer)
  std::map<int, int64_t> by_status;
  int64_t version_conflicts = 0;    // 409 version_conflict (If-Match lost a race)
  int64_t state_conflicts = 0;      // other 409s: the action is not allowed in the case's state
  int64_t not_sent = 0;             // no connection: the request cannot have reached the server
  int64_t unknown = 0;              // sent, no response: outcome unknown
  int64_t writes_acknowledged = 0;  // 2xx case writes: durable actions
  int64_t cases_registered = 0;
  int64_t cases_archived = 0;
  int64_t cases_abandoned = 0;   // given up after repeated unexpected answers
  int64_t unexpected = 0;        // 5xx, and 4xx other than 409 (a bug on one side or the other)
  std::string first_unexpected;  // status and body of the first one, for the report
  LatencyHistogram reads;
  LatencyHistogram writes;

  void merge(const RunStats& other);
  int64_t server_errors() const;  // responses with a 5xx status
};

// Prints the summary: counts, statuses, throughput over `seconds`, and latency percentiles.
void print_report(std::ostream& out, const RunStats& stats, double seconds);

}  // namespace loadgen
