#include "loadgen/run_stats.h"

#include <cstdio>

namespace loadgen {

void RunStats::merge(const RunStats& other) {
  requests += other.requests;
  for (const auto& [status, n] : other.by_status) by_status[status] += n;
  version_conflicts += other.version_conflicts;
  state_conflicts += other.state_conflicts;
  not_sent += other.not_sent;
  unknown += other.unknown;
  writes_acknowledged += other.writes_acknowledged;
  cases_registered += other.cases_registered;
  cases_archived += other.cases_archived;
  cases_abandoned += other.cases_abandoned;
  unexpected += other.unexpected;
  if (first_unexpected.empty()) first_unexpected = other.first_unexpected;
  reads.merge(other.reads);
  writes.merge(other.writes);
}

int64_t RunStats::server_errors() const {
  int64_t n = 0;
  for (const auto& [status, count] : by_status)
    if (status >= 500) n += count;
  return n;
}

namespace {

std::string ms(int64_t micros) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", double(micros) / 1000.0);
  return text;
}

void latency_line(std::ostream& out, const char* what, const LatencyHistogram& h) {
  if (h.count() == 0) return;
  out << "latency " << what << " (ms, " << h.count() << " responses): p50 " << ms(h.percentile(50))
      << "  p90 " << ms(h.percentile(90)) << "  p99 " << ms(h.percentile(99)) << "  p99.9 "
      << ms(h.percentile(99.9)) << "  max " << ms(h.max()) << "\n";
}

std::string rate(int64_t n, double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", seconds > 0 ? double(n) / seconds : 0.0);
  return text;
}

}  // namespace

void print_report(std::ostream& out, const RunStats& s, double seconds) {
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.2f", seconds);
  out << "elapsed " << elapsed << " s\n";
  out << "requests " << s.requests << " (" << rate(s.requests, seconds) << " req/s)\n";
  out << "actions " << s.writes_acknowledged << " acknowledged case writes ("
      << rate(s.writes_acknowledged, seconds) << " actions/s); cases registered "
      << s.cases_registered << ", archived " << s.cases_archived << ", abandoned "
      << s.cases_abandoned << "\n";
  out << "status";
  for (const auto& [status, n] : s.by_status) out << "  " << status << ": " << n;
  out << "\n";
  out << "conflicts 409 version " << s.version_conflicts << ", 409 state " << s.state_conflicts
      << "\n";
  out << "errors unexpected status " << s.unexpected << ", 5xx " << s.server_errors()
      << ", no connection " << s.not_sent << ", no response (outcome unknown) " << s.unknown
      << "\n";
  if (!s.first_unexpected.empty()) out << "first unexpected: " << s.first_unexpected << "\n";
  latency_line(out, "reads", s.reads);
  latency_line(out, "writes", s.writes);
}

}  // namespace loadgen
