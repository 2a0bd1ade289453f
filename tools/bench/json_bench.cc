// JSON encode/decode of a case's stored document (case_json.h + Boost.JSON).
#include <benchmark/benchmark.h>

#include <string>

#include "bench_support.h"
#include "disclose/case_json.h"

namespace disclose::bench {
namespace {

// A case after a note, a consultation and an extension: paused/resumed and extended clocks.
const Case& worked_case() {
  static const Case c = World::get().worked_case();
  return c;
}

void BM_CaseToJson(benchmark::State& state) {
  const Case& c = worked_case();
  for (auto _ : state) benchmark::DoNotOptimize(to_json(c));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CaseToJson);

void BM_CaseSerialize(benchmark::State& state) {
  const Case& c = worked_case();
  size_t bytes = 0;
  for (auto _ : state) {
    std::string text = json::serialize(to_json(c));
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_CaseSerialize);

void BM_CaseFromJson(benchmark::State& state) {
  const json::value document = to_json(worked_case());
  for (auto _ : state) benchmark::DoNotOptimize(case_from_json(document));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CaseFromJson);

void BM_CaseParse(benchmark::State& state) {
  const std::string text = json::serialize(to_json(worked_case()));
  for (auto _ : state) benchmark::DoNotOptimize(case_from_json(json::parse(text)));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_CaseParse);

}  // namespace
}  // namespace disclose::bench
