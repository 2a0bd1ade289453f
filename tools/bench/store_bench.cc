// The SQLite store alone, without HTTP: how many durable actions a second the writing path
// carries when N threads write at once (group commit shares their transactions and fsyncs).
// A file database in $TMPDIR (or /tmp) with WAL and synchronous=FULL, as `disclose serve` runs.
// Each thread takes its own case through `note` actions (the engine decides, the store writes
// the event, the case row and its deadline rows); no write hook, so no timer planning. Wall
// time, since the threads mostly wait for the disk.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "bench_support.h"
#include "disclose/store.h"
#include "sqlite/sqlite_store.h"

namespace disclose::bench {
namespace {

std::string g_dir;
std::unique_ptr<Store> g_store;

void open_store(const benchmark::State&) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/disclose_store_bench_XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  g_dir = pattern;
  g_store = open_sqlite_store({g_dir + "/bench.db", "FULL"});
  g_store->add_agency({"zrzy", "区自然资源局", "自然资源"});
}

void close_store(const benchmark::State&) {
  g_store.reset();
  std::filesystem::remove_all(g_dir);
}

void BM_Store_DurableNote(benchmark::State& state) {
  const World& world = World::get();
  const Engine& engine = world.engine();
  const Date today = date("2025-03-05");
  const Actor handler = staff("u:2", "handler");
  const json::value input = json::parse(R"({"text": "已电话联系申请人，确认所需信息范围"})");
  // This thread's case, stored before the timed loop.
  auto registered = engine.register_case(World::registration(), staff("u:1", "registrar"),
                                         moment(date("2025-03-03")));
  if (!registered.ok()) {
    state.SkipWithError(registered.error().message.c_str());
    return;
  }
  Case current = g_store->create_case(registered.value().next, registered.value().event,
                                      engine.deadlines(registered.value().next, today));
  for (auto _ : state) {
    auto decision = engine.apply(current, "note", input, handler, moment(today));
    if (!decision.ok()) {
      state.SkipWithError(decision.error().message.c_str());
      break;
    }
    Case next = decision.value().next;
    g_store->append_event(next, decision.value().event, current.version,
                          engine.deadlines(next, today));
    current = std::move(next);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Store_DurableNote)
    ->Setup(open_store)
    ->Teardown(close_store)
    ->ThreadRange(1, 64)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace
}  // namespace disclose::bench
