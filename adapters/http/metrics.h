// Request counters and a latency histogram, rendered in the Prometheus text format. Recorded by the
// server for every request; the API adds its gauges (open cases, overdue, outbox) at render time.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace disclose::http {

class Metrics {
 public:
  // Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  void record(const std::string& route, const std::string& method, int status, double seconds);
  void connection_opened();
  void connection_closed();
  void connection_rejected();  // over the connection cap

  // Every series in Prometheus text exposition format (# HELP / # TYPE lines included).
  // `gauges` are (name{labels}, value) lines added verbatim after their HELP/TYPE.
  std::string render(const std::vector<std::pair<std::string, double>>& gauges = {}) const;

 private:
  struct Latency {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;  // route, method, status
  std::map<std::string, Latency> latency_;                                  // by route
  int64_t open_connections_ = 0;
  uint64_t rejected_connections_ = 0;
};

}  // namespace disclose::http
