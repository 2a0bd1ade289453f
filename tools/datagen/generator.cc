#include "datagen/generator.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <ostream>
#include <utility>

#include "datagen/case_planner.h"
#include "datagen/intake.h"
#include "datagen/plan_driver.h"
#include "datagen/staff_setup.h"

namespace datagen {
namespace {

using Clock = std::chrono::steady_clock;

// Asia/Shanghai, as the disclose binary (cli_context.cc).
constexpr int kUtcOffsetMinutes = 8 * 60;
constexpr size_t kProblemsKept = 10;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool is_open_state(const disclose::Engine& engine, const std::string& workflow,
                   const std::string& state) {
  const disclose::Workflow* w = engine.workflows().find(workflow);
  const disclose::StateSpec* spec = w ? w->state(state) : nullptr;
  return spec && spec->open && !spec->terminal;
}

void add_fired(disclose::FireReport& total, const disclose::FireReport& round) {
  total.cases += round.cases;
  total.reminders += round.reminders;
  total.expiries += round.expiries;
  total.refused += round.refused;
  total.conflicts += round.conflicts;
}

}  // namespace

GenerationSummary generate(disclose::cli::Context& context, const GeneratorOptions& options,
                           std::ostream* progress) {
  disclose::Store& store = context.store();
  disclose::Engine& engine = context.engine();
  disclose::TimerService& timers = context.timers();  // installs the store's write hook
  const disclose::WorkingCalendar& calendar = engine.calendar();

  std::vector<AgencyProfile> agencies = agency_catalogue(options.agencies);
  std::vector<AgencyStaff> staff;
  store.batch([&] { staff = ensure_staff(store, agencies, options.seed); });

  IntakeSchedule intake(calendar, options.today, options.years, options.cases, options.seed);
  CasePlanner planner(engine.workflows(), agencies, intake, calendar, options.seed, options.today);
  disclose::ReminderPlanner reminders(engine.workflows(), calendar, kUtcOffsetMinutes);
  PlanDriver driver(store, engine, reminders, staff, options.today, kUtcOffsetMinutes);

  GenerationSummary summary;
  // Open cases are looked at again after the timers fired (an expiry may have closed them).
  std::vector<std::pair<disclose::CaseId, std::string>> open_cases;
  const Clock::time_point start = Clock::now();
  Clock::time_point last_report = start;
  for (int64_t begin = 0; begin < options.cases; begin += options.batch) {
    int64_t end = std::min<int64_t>(options.cases, begin + options.batch);
    store.batch([&] {
      for (int64_t index = begin; index < end; ++index) {
        CasePlan plan = planner.plan(index);
        DriveOutcome outcome = driver.drive(plan);
        if (!outcome.problem.empty()) {
          ++summary.problems;
          if (summary.first_problems.size() < kProblemsKept)
            summary.first_problems.push_back("case #" + std::to_string(index) + " (" +
                                             plan.workflow + "): " + outcome.problem);
        }
        if (outcome.id == 0) continue;
        ++summary.cases;
        summary.events += outcome.events;
        if (summary.first_id == 0) summary.first_id = outcome.id;
        summary.last_id = outcome.id;
        if (outcome.stopped_by_today) ++summary.resting_before_end;
        if (is_open_state(engine, plan.workflow, outcome.state)) {
          open_cases.emplace_back(outcome.id, plan.workflow);
        } else {
          ++summary.states[plan.workflow][outcome.state];
        }
      }
    });
    if (progress && (seconds_since(last_report) >= 5 || end == options.cases)) {
      last_report = Clock::now();
      double elapsed = seconds_since(start);
      *progress << "datagen: " << end << "/" << options.cases << " cases, "
                << static_cast<int64_t>(double(end) / elapsed) << " cases/s, "
                << static_cast<int64_t>(double(summary.events) / elapsed) << " events/s\n"
                << std::flush;
    }
  }
  summary.generate_seconds = seconds_since(start);

  if (options.fire_due) {
    const Clock::time_point fire_start = Clock::now();
    timers.set_problem_sink([&](const std::string& message) {
      ++summary.timer_problems;
      if (summary.first_problems.size() < kProblemsKept)
        summary.first_problems.push_back("timers: " + message);
    });
    disclose::Moment noon{local_instant(options.today, 12 * 60, kUtcOffsetMinutes), options.today};
    // Each round settles up to a batch of cases in one transaction; a settled case has no timer
    // due any more, so rounds end when nothing is due (the bound only guards against a loop).
    const int64_t max_rounds = options.cases / options.batch + 1000;
    for (int64_t round = 0; round < max_rounds; ++round) {
      disclose::FireReport fired;
      store.batch([&] { fired = timers.fire_due(noon, options.batch); });
      add_fired(summary.fired, fired);
      if (fired.cases == 0) break;
    }
    timers.set_problem_sink(nullptr);
    summary.fire_seconds = seconds_since(fire_start);
  }

  for (const auto& [id, workflow] : open_cases) {
    std::optional<disclose::Case> now = store.load_case(id);
    if (now) ++summary.states[workflow][now->state];
  }
  return summary;
}

}  // namespace datagen
