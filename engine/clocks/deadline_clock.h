// Deadline arithmetic over a Clock's facts (DESIGN.md §3). The due date is always derived, never
// stored: start + base + extension + the working days spent paused, or the Art. 35 override.
#pragma once

#include "disclose/calendar.h"
#include "disclose/case.h"

namespace disclose {

// Working days removed from the count by pauses: for a pause from P to R, the working days d with
// P < d <= R. An open pause counts up to `today`.
int paused_working_days(const Clock& clock, const WorkingCalendar& calendar, Date today);

// The due date as it stands on `today` (an open pause is taken to end today).
CountedDate due_date(const Clock& clock, const WorkingCalendar& calendar, Date today);

// The staff view of a clock on `today`.
DeadlineView view_deadline(const Clock& clock, const WorkingCalendar& calendar, Date today);

// Signed working days from `today` to `due`: positive ahead, 0 on the day, negative when overdue.
int remaining_working_days(const WorkingCalendar& calendar, Date today, Date due);

}  // namespace disclose
