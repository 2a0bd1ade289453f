#include "loadgen/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace loadgen {

namespace {

// Bucket 0 holds the values 0…255 one by one; every further power of two [2^k, 2^(k+1)) for
// k ≥ 8 is split into 128 equal sub-buckets.
constexpr int kExact = 256;
constexpr int kSubBuckets = 128;
constexpr int kMaxShift = 56;  // enough for any int64 value
constexpr int kBuckets = kExact + kMaxShift * kSubBuckets;

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBuckets, 0) {}

int LatencyHistogram::index_of(uint64_t value) {
  if (value < uint64_t(kExact)) return int(value);
  int shift = std::bit_width(value) - 8;  // value >> shift lies in [128, 256)
  int top = int(value >> shift);
  return kExact + (shift - 1) * kSubBuckets + (top - kSubBuckets);
}

uint64_t LatencyHistogram::highest_in_bucket(int index) {
  if (index < kExact) return uint64_t(index);
  int shift = (index - kExact) / kSubBuckets + 1;
  uint64_t top = uint64_t((index - kExact) % kSubBuckets + kSubBuckets);
  return ((top + 1) << shift) - 1;
}

void LatencyHistogram::record(int64_t micros) {
  uint64_t value = micros < 0 ? 0 : uint64_t(micros);
  ++counts_[size_t(index_of(value))];
  ++count_;
  max_ = std::max(max_, int64_t(value));
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

int64_t LatencyHistogram::percentile(double percent) const {
  if (count_ == 0) return 0;
  auto rank = int64_t(std::ceil(percent / 100.0 * double(count_)));
  rank = std::clamp<int64_t>(rank, 1, count_);
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min<int64_t>(int64_t(highest_in_bucket(int(i))), max_);
  }
  return max_;
}

}  // namespace loadgen
