#include "datagen/plan_driver.h"

#include <optional>

namespace datagen {
namespace {

namespace json = boost::json;
using disclose::Case;
using disclose::Date;
using disclose::Instant;
using disclose::Moment;

constexpr int kOfficeOpens = 8 * 60 + 30;  // steps are recorded from 08:30 local

std::optional<Date> due_on(const disclose::Engine& engine, const Case& c, const std::string& kind,
                           Date today) {
  for (const disclose::DeadlineView& view : engine.deadlines(c, today)) {
    if (view.kind == kind) return view.due_on;
  }
  return std::nullopt;
}

const disclose::Actor& actor_for(Role role, const AgencyStaff& staff, int handler) {
  static const disclose::Actor system = disclose::Actor::system();
  switch (role) {
    case Role::registrar:
      return staff.registrar;
    case Role::handler:
      return staff.handlers[static_cast<size_t>(handler)];
    case Role::reviewer:
      return staff.reviewer;
    case Role::supervisor:
      return staff.supervisor;
    case Role::system:
      return system;
  }
  return system;
}

// One step made concrete: the action, its input with dates and users, who, and when.
struct Concrete {
  std::string action;
  json::object input;
  const disclose::Actor* actor = nullptr;
  Moment moment;
};

}  // namespace

Instant local_instant(Date day, int minutes, int utc_offset_minutes) {
  return Instant{std::chrono::sys_days{std::chrono::days{day.days()}} +
                 std::chrono::minutes{minutes - utc_offset_minutes}};
}

PlanDriver::PlanDriver(disclose::Store& store, const disclose::Engine& engine,
                       const disclose::ReminderPlanner& reminders,
                       const std::vector<AgencyStaff>& staff, Date today, int utc_offset_minutes)
    : store_(store),
      engine_(engine),
      reminders_(reminders),
      staff_(staff),
      today_(today),
      utc_offset_minutes_(utc_offset_minutes) {}

DriveOutcome PlanDriver::drive(const CasePlan& plan) const {
  DriveOutcome outcome;
  const AgencyStaff& staff = staff_[static_cast<size_t>(plan.agency)];
  Date date = plan.received_on;
  Instant at = local_instant(date, kOfficeOpens + plan.register_minute, utc_offset_minutes_);

  auto registered = engine_.register_case(plan.registration, staff.registrar, Moment{at, date});
  if (!registered) {
    outcome.problem = "register: " + registered.error().message;
    return outcome;
  }
  const Case& first = registered.value().next;
  Case current =
      store_.create_case(first, registered.value().event, engine_.deadlines(first, date));
  outcome.id = current.id;
  outcome.events = 1;

  int handler = plan.handler;
  for (const PlannedStep& step : plan.steps) {
    Concrete next;
    if (!step.expiry_of.empty()) {
      std::optional<Date> due = due_on(engine_, current, step.expiry_of, date);
      if (!due) {
        outcome.problem = step.action + ": no " + step.expiry_of + " deadline to run out";
        break;
      }
      Date fires = *due + 1;
      if (fires > today_) {
        outcome.stopped_by_today = true;
        break;
      }
      // What the server's timer decides at that moment: the on_expiry action and its date.
      Moment moment{local_instant(fires, 0, utc_offset_minutes_), fires};
      disclose::DueWork work = reminders_.due(current, {}, moment);
      const disclose::DueExpiry* expiry = nullptr;
      for (const disclose::DueExpiry& e : work.expiries) {
        if (e.deadline == step.expiry_of) expiry = &e;
      }
      if (!expiry) {
        outcome.problem = step.action + ": the " + step.expiry_of + " deadline has no expiry due";
        break;
      }
      next = Concrete{expiry->action, json::object{{"on", expiry->on.str()}},
                      &actor_for(Role::system, staff, handler), moment};
    } else {
      Date day = engine_.calendar().add_working_days(date, step.delay_wd).date;
      if (!step.by_deadline.empty()) {
        std::optional<Date> due = due_on(engine_, current, step.by_deadline, date);
        if (due && *due < day) day = *due;
        if (day < date) {
          if (step.skip_when_late) continue;
          day = date;
        }
      }
      if (day > today_) {
        outcome.stopped_by_today = true;
        break;
      }
      Instant when = local_instant(day, kOfficeOpens + step.minute, utc_offset_minutes_);
      if (when <= at) when = at + std::chrono::minutes{1};
      next = Concrete{step.action, step.input, &actor_for(step.role, staff, handler),
                      Moment{when, day}};
      if (step.dated) next.input["on"] = day.str();
      if (!step.relative_date_input.empty()) {
        // A due_on is a deadline, in the future by design; the other relative dates say when a
        // letter arrived, which cannot be after today.
        Date relative = day + step.relative_days;
        if (step.relative_date_input != "due_on" && relative > today_) relative = today_;
        next.input[step.relative_date_input] = relative.str();
      }
      if (step.assign_handler >= 0)
        next.input["assignee"] = staff.handler_ids[static_cast<size_t>(step.assign_handler)];
    }

    auto decided = engine_.apply(current, next.action, next.input, *next.actor, next.moment);
    if (!decided) {
      outcome.problem = next.action + " on " + next.moment.today.str() + " in " + current.state +
                        ": " + decided.error().message;
      break;
    }
    disclose::Decision& decision = decided.value();
    store_.append_event(decision.next, decision.event, current.version,
                        engine_.deadlines(decision.next, next.moment.today));
    current = std::move(decision.next);
    date = next.moment.today;
    at = next.moment.at;
    ++outcome.events;
    if (step.assign_handler >= 0) handler = step.assign_handler;
  }
  outcome.state = current.state;
  return outcome;
}

}  // namespace datagen
