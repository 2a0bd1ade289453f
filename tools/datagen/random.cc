#include "datagen/random.h"

#include <stdexcept>

namespace datagen {

uint64_t mix_seed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t Rng::below(uint64_t n) {
  if (n == 0) throw std::invalid_argument("Rng::below(0)");
  // Reject the top partial block of 2^64 so every remainder is equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  for (;;) {
    uint64_t x = next();
    if (x < limit) return x % n;
  }
}

int Rng::between(int low, int high) {
  if (high < low) throw std::invalid_argument("Rng::between: empty range");
  return low + static_cast<int>(below(static_cast<uint64_t>(high - low) + 1));
}

double Rng::unit() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

size_t Rng::weighted(const std::vector<int>& weights) {
  uint64_t total = 0;
  for (int w : weights) total += static_cast<uint64_t>(w > 0 ? w : 0);
  if (total == 0) throw std::invalid_argument("Rng::weighted: no positive weight");
  uint64_t x = below(total);
  for (size_t i = 0; i < weights.size(); ++i) {
    uint64_t w = static_cast<uint64_t>(weights[i] > 0 ? weights[i] : 0);
    if (x < w) return i;
    x -= w;
  }
  return weights.size() - 1;  // not reached
}

std::string Rng::digits(int count) {
  std::string out;
  out.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) out.push_back(static_cast<char>('0' + below(10)));
  return out;
}

}  // namespace datagen
