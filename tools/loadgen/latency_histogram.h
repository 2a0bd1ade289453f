// A latency histogram in the manner of HdrHistogram: values (microseconds) are counted in
// log-linear buckets, exact below 256 µs and within 1/128 (< 0.8 %) of the value above, so a run
// of millions of requests needs a few thousand counters instead of a sample per request.
// Histograms of different connections merge by adding counters.
//
// Not thread-safe: each connection owns one and the results are merged at the end.
#pragma once

#include <cstdint>
#include <vector>

namespace loadgen {

class LatencyHistogram {
 public:
  LatencyHistogram();

  void record(int64_t micros);  // negative values count as 0
  void merge(const LatencyHistogram& other);

  int64_t count() const { return count_; }
  int64_t max() const { return max_; }
  // The smallest recorded value v such that at least `percent` % of the values are ≤ v, reported
  // as the upper end of v's bucket (never above the exact maximum). 0 when empty.
  int64_t percentile(double percent) const;

 private:
  static int index_of(uint64_t value);
  static uint64_t highest_in_bucket(int index);

  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t max_ = 0;
};

}  // namespace loadgen
