// Engine::apply on a case in `handling`: a note (no clock moves) and the clock-moving actions.
#include <benchmark/benchmark.h>

#include "bench_support.h"

namespace disclose::bench {
namespace {

void apply_action(benchmark::State& state, const char* action, const char* input_text,
                  const Actor& actor, const char* today) {
  const World& world = World::get();
  const Engine& engine = world.engine();
  const Case current = world.handling_case();
  const json::value input = json::parse(input_text);
  const Moment now = moment(date(today));
  for (auto _ : state) {
    auto result = engine.apply(current, action, input, actor, now);
    if (!result.ok()) {
      state.SkipWithError(result.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Apply_Note(benchmark::State& state) {
  apply_action(state, "note", R"({"text": "已电话联系申请人，确认所需信息范围"})",
               staff("u:2", "handler"), "2025-03-05");
}
BENCHMARK(BM_Apply_Note);

void BM_Apply_Extend(benchmark::State& state) {
  apply_action(state, "extend",
               R"({"on": "2025-03-20", "working_days": 20, "reason": "涉及第三方，需进一步核实"})",
               staff("u:4", "supervisor"), "2025-03-20");
}
BENCHMARK(BM_Apply_Extend);

void BM_Apply_Consult(benchmark::State& state) {
  apply_action(state, "consult",
               R"({"on": "2025-03-05", "party": "third_party", "party_name": "某开发公司",
                   "party_received_on": "2025-03-06"})",
               staff("u:2", "handler"), "2025-03-05");
}
BENCHMARK(BM_Apply_Consult);

// Registration: validation of the §7 document and the first clocks.
void BM_RegisterCase(benchmark::State& state) {
  const Engine& engine = World::get().engine();
  const json::value document = World::registration();
  const Actor registrar = staff("u:1", "registrar");
  const Moment now = moment(date("2025-03-03"));
  for (auto _ : state) {
    auto result = engine.register_case(document, registrar, now);
    if (!result.ok()) {
      state.SkipWithError(result.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RegisterCase);

}  // namespace
}  // namespace disclose::bench
