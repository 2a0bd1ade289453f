// Putting imported calendar years in force: shared by `disclose calendar import` and the API's
// PUT /api/v1/calendar/{year} under `disclose serve`.
#pragma once

#include <string>
#include <vector>

#include "disclose/calendar.h"
#include "disclose/cli_context.h"

namespace disclose::cli {

struct CalendarImportSummary {
  int cases_checked = 0;
  int cases_changed = 0;  // open cases whose deadlines moved; each got an event
  std::string calendar_version;
};

// Checks that the years merge into a valid calendar (CalendarError otherwise, nothing saved),
// saves them, switches the context's calendar to the new data in place (the engine, the
// reminder planner and whoever holds them keep working, now on the new data), then recomputes
// every open case's deadlines, recording an event where they moved and replanning reminders
// where they did not.
//
// The switch is not synchronised here: nothing else may read the calendar meanwhile. Under
// `serve` the CalendarGate (calendar_gate.h) holds requests and timer rounds back while it runs.
CalendarImportSummary import_calendar_years(Context& context,
                                            const std::vector<CalendarYear>& years);

}  // namespace disclose::cli
