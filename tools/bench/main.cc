// `bench`: micro-benchmarks of the pure engine (never part of ctest). Run through `tools/dev bench`
// for release figures; Google Benchmark flags pass through (e.g. --benchmark_filter=Apply).
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
