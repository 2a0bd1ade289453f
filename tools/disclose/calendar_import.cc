#include "disclose/calendar_import.h"

namespace disclose::cli {

CalendarImportSummary import_calendar_years(Context& context,
                                            const std::vector<CalendarYear>& years) {
  // Keep the calendar as it was so every open case's deadlines can be compared.
  WorkingCalendar before = context.calendar();
  std::vector<CalendarYear> merged = merge_calendar_years(before.years(), years);
  WorkingCalendar check(merged);  // refuse data the calendar cannot hold before saving it
  context.store().save_calendar_years(years);
  context.reload_calendar_in_place();
  Engine& engine = context.engine();
  Moment now = context.now();
  CalendarImportSummary summary;
  CaseFilter filter;
  filter.open_only = true;
  filter.limit = 500;
  for (;;) {
    auto page = context.store().list_cases(filter);
    if (page.empty()) break;
    for (const Case& c : page) {
      ++summary.cases_checked;
      if (auto decision = engine.recompute_deadlines(c, before, now)) {
        context.store().append_event(decision->next, decision->event, c.version,
                                     engine.deadlines(decision->next, now.today));
        ++summary.cases_changed;
      } else {
        // Due dates stayed, but a reminder counted in working days before one may have moved.
        context.timers().replan(c.id, now);
      }
    }
    filter.after_id = page.back().id;
  }
  summary.calendar_version = context.calendar().version();
  return summary;
}

}  // namespace disclose::cli
