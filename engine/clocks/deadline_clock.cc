#include "clocks/deadline_clock.h"

#include <algorithm>

namespace disclose {

int paused_working_days(const Clock& clock, const WorkingCalendar& calendar, Date today) {
  int total = 0;
  for (const Pause& pause : clock.pauses) {
    Date until = pause.to ? *pause.to : std::max(today, pause.from);
    total += calendar.working_days_between(pause.from, until);
  }
  return total;
}

CountedDate due_date(const Clock& clock, const WorkingCalendar& calendar, Date today) {
  if (clock.override_due) {
    return {*clock.override_due, calendar.is_provisional(clock.start, *clock.override_due)};
  }
  // A clock that has ended is judged as it stood when it ended.
  Date as_of = clock.ended_on ? *clock.ended_on : today;
  int count = clock.working_days + clock.extension_wd + paused_working_days(clock, calendar, as_of);
  return calendar.add_working_days(clock.start, count);
}

int remaining_working_days(const WorkingCalendar& calendar, Date today, Date due) {
  if (due >= today) return calendar.working_days_between(today, due);
  return -calendar.working_days_between(due, today);
}

DeadlineView view_deadline(const Clock& clock, const WorkingCalendar& calendar, Date today) {
  DeadlineView view;
  view.kind = clock.kind;
  view.status = clock.status;
  view.epoch = clock.epoch;
  if (clock.status == ClockStatus::stopped) return view;
  CountedDate due = due_date(clock, calendar, today);
  view.due_on = due.date;
  view.provisional = due.provisional;
  if (clock.status == ClockStatus::running || clock.status == ClockStatus::paused) {
    view.remaining_wd = remaining_working_days(calendar, today, due.date);
    view.overdue = today > due.date;
    if (view.overdue)
      view.provisional = view.provisional || calendar.is_provisional(due.date, today);
  }
  return view;
}

}  // namespace disclose
