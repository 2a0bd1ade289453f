// Working-day arithmetic over the bundled calendars (2024–2026 official; later years provisional).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "bench_support.h"

namespace disclose::bench {
namespace {

constexpr size_t kInputs = 4096;  // a power of two, cycled through with a mask

struct DayCount {
  Date from;
  int n;
};

// Random start dates in [first, last] and counts in [1, max_n] (fixed seed: same inputs each run).
std::vector<DayCount> day_counts(const char* first, const char* last, int max_n) {
  std::mt19937 rng(20250303);
  std::uniform_int_distribution<int32_t> day(date(first).days(), date(last).days());
  std::uniform_int_distribution<int> count(1, max_n);
  std::vector<DayCount> inputs(kInputs);
  for (auto& input : inputs) input = {Date::from_days(day(rng)), count(rng)};
  return inputs;
}

void add_working_days(benchmark::State& state, const char* first, const char* last) {
  const WorkingCalendar& calendar = World::get().calendar();
  const auto inputs = day_counts(first, last, static_cast<int>(state.range(0)));
  size_t i = 0;
  for (auto _ : state) {
    const DayCount& input = inputs[i++ & (kInputs - 1)];
    benchmark::DoNotOptimize(calendar.add_working_days(input.from, input.n));
  }
  state.SetItemsProcessed(state.iterations());
}

// Start dates inside the official years.
void BM_AddWorkingDays_Official(benchmark::State& state) {
  add_working_days(state, "2024-01-01", "2026-10-31");
}
BENCHMARK(BM_AddWorkingDays_Official)->Arg(20)->Arg(250);

// Start dates after the official data: weekends only, provisional results.
void BM_AddWorkingDays_Provisional(benchmark::State& state) {
  add_working_days(state, "2027-01-01", "2035-12-31");
}
BENCHMARK(BM_AddWorkingDays_Provisional)->Arg(20)->Arg(250);

// Start dates anywhere from 2024 to 2030, so many results cross the end of the official span.
void BM_AddWorkingDays_Mixed(benchmark::State& state) {
  add_working_days(state, "2024-01-01", "2030-12-31");
}
BENCHMARK(BM_AddWorkingDays_Mixed)->Arg(60);

void BM_WorkingDaysBetween(benchmark::State& state) {
  const WorkingCalendar& calendar = World::get().calendar();
  // Pairs (from, from + span) with span up to range(0) calendar days.
  const auto inputs = day_counts("2024-01-01", "2027-12-31", static_cast<int>(state.range(0)));
  size_t i = 0;
  for (auto _ : state) {
    const DayCount& input = inputs[i++ & (kInputs - 1)];
    benchmark::DoNotOptimize(calendar.working_days_between(input.from, input.from + input.n));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WorkingDaysBetween)->Arg(60)->Arg(1000);

}  // namespace
}  // namespace disclose::bench
