// Applies an action's declared clock effects (workflow `effects:`) to a case's deadline clocks.
#pragma once

#include <optional>

#include <boost/json/object.hpp>

#include "disclose/calendar.h"
#include "disclose/case.h"
#include "disclose/result.h"
#include "disclose/workflow.h"

namespace disclose {

struct ClockContext {
  const Workflow& workflow;
  const WorkingCalendar& calendar;
  const boost::json::object& input;  // validated input
  Date on;                           // the action's business date (its `on`, else today)
  Date today;
  int64_t event_version;  // the version the event will produce
};

// Mutates `next.clocks` (and `next.flags` for late flags) and records what changed under
// effects["clocks"]. Returns an error when an effect's rule refuses (extension cap, extension
// after the deadline, due date before the action date, clock not running); `next` is then
// unspecified and must be discarded.
std::optional<ActionError> apply_clock_effects(const ActionSpec& action,
                                               const ClockContext& context, Case& next,
                                               boost::json::object& effects);

}  // namespace disclose
