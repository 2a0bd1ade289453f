// Applies a case plan through the real engine and store, exactly as `disclose case create` and
// `disclose case act` do: Engine::register_case / Engine::apply with a Moment on the step's
// business date (so the engine's own checks — dates not in the future, not before the previous
// dated event, extensions before the deadline — hold), then Store::create_case /
// Store::append_event with Engine::deadlines on that date. The store's write hook plans each
// case's timers as the server would. Nothing is written any other way, so hash chains, deadlines
// and timers are the real ones.
//
// Dates: each step's date is the previous one plus its delay in working days; a step waiting for
// a window is moved to the window's due date at the latest; an expiry happens at 00:00 local on
// the day after the due date, with the action and `on` the reminder planner names (as the
// server's timers apply it). The first step whose date is after `today` ends the case's run:
// it rests where it is.
#pragma once

#include <string>
#include <vector>

#include "datagen/case_plan.h"
#include "datagen/staff_setup.h"
#include "disclose/engine.h"
#include "disclose/reminders.h"
#include "disclose/store.h"

namespace datagen {

struct DriveOutcome {
  disclose::CaseId id = 0;  // 0 when the registration itself was refused
  std::string state;
  int events = 0;
  bool stopped_by_today = false;  // a step was still to come after today
  std::string problem;            // a step the engine refused (a bug in the model), else ""
};

// Local time (minutes after midnight) at the deployment's UTC offset, as an instant.
disclose::Instant local_instant(disclose::Date day, int minutes, int utc_offset_minutes);

class PlanDriver {
 public:
  // All must outlive the driver; `staff` is indexed like the plans' agency.
  PlanDriver(disclose::Store& store, const disclose::Engine& engine,
             const disclose::ReminderPlanner& reminders, const std::vector<AgencyStaff>& staff,
             disclose::Date today, int utc_offset_minutes);

  DriveOutcome drive(const CasePlan& plan) const;

 private:
  disclose::Store& store_;
  const disclose::Engine& engine_;
  const disclose::ReminderPlanner& reminders_;
  const std::vector<AgencyStaff>& staff_;
  disclose::Date today_;
  int utc_offset_minutes_;
};

}  // namespace datagen
