// Hashing an event into the audit chain: the canonical body, then the two SHA-256 links.
#include <benchmark/benchmark.h>

#include <string>

#include "bench_support.h"
#include "disclose/audit.h"

namespace disclose::bench {
namespace {

// A realistic event: an extension recorded on a case in `handling`, with its effects.
Event extend_event() {
  const World& world = World::get();
  Event event = world
                    .apply(world.handling_case(), "extend",
                           json::parse(R"({"on": "2025-03-20", "working_days": 20,
                                           "reason": "涉及第三方，需进一步核实"})"),
                           staff("u:4", "supervisor"), date("2025-03-20"))
                    .event;
  event.case_id = 1;
  event.seq = 4;
  return event;
}

void BM_SealEvent(benchmark::State& state) {
  Event event = extend_event();
  const std::string prev = sha256_hex("previous case link");
  const std::string global_prev = sha256_hex("previous global link");
  for (auto _ : state) {
    seal_event(event, prev, 123456, global_prev);
    benchmark::DoNotOptimize(event.global_hash.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["body_bytes"] = static_cast<double>(event_body(event).size());
}
BENCHMARK(BM_SealEvent);

void BM_EventBody(benchmark::State& state) {
  const Event event = extend_event();
  for (auto _ : state) benchmark::DoNotOptimize(event_body(event));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EventBody);

void BM_ChainHash(benchmark::State& state) {
  const std::string body = event_body(extend_event());
  const std::string prev = sha256_hex("previous case link");
  for (auto _ : state) benchmark::DoNotOptimize(chain_hash(prev, body));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(prev.size() + body.size()));
}
BENCHMARK(BM_ChainHash);

}  // namespace
}  // namespace disclose::bench
