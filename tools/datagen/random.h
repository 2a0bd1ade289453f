// Deterministic random draws for the data generator. The engine is std::mt19937_64, whose output
// the C++ standard fixes; the distributions are our own, built on raw 64-bit draws, because
// std::uniform_int_distribution and friends may give other numbers with another standard library.
// So the same seed gives the same database on every platform.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace datagen {

// Combines a seed with a stream number (a case index, a pool slot) into an independent seed
// (SplitMix64's finaliser), so each case draws from its own sequence and can be generated alone.
uint64_t mix_seed(uint64_t seed, uint64_t stream);

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  uint64_t next() { return engine_(); }
  // Uniform in [0, n) without modulo bias; n must be > 0.
  uint64_t below(uint64_t n);
  // Uniform in [low, high], both included; low <= high.
  int between(int low, int high);
  // Uniform in [0, 1) with 53 bits.
  double unit();
  bool chance(double probability) { return unit() < probability; }
  // An index drawn with the given non-negative integer weights (at least one positive).
  size_t weighted(const std::vector<int>& weights);

  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }
  // A string of `count` decimal digits.
  std::string digits(int count);

 private:
  std::mt19937_64 engine_;
};

}  // namespace datagen
