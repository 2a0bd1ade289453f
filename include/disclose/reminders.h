// Reminder planning (DESIGN.md §5, issue #4): which timers a case needs, and what is due now.
//
// Pure and deterministic: the same case, reminder ledger and moment always give the same answer.
// The rules come from the workflow file (`reminders:` and each deadline's `on_expiry`); nothing
// here knows a deadline kind by name.
//
// The model. Every running clock has a schedule of reminder *occurrences*: one per offset of its
// rule (working days from the due day: −5 and −2 before, 0 on the day, +1 after), then, with
// `repeat_overdue`, one on every following working day. Each occurrence has a ledger key
// (case, deadline, clock epoch, offset); the ledger records the keys that were sent, so each
// occurrence is sent at most once, and a new epoch (restart, extension, override) is a new
// schedule. At any moment at most one occurrence per clock is *due*: the latest one whose send
// time has passed, if it was not sent. Earlier unsent occurrences are superseded, never sent late:
// after downtime, or when a case is registered close to its deadline, staff get one reminder at
// once, the one that fits the situation now, not a burst of stale ones.
//
// Paused clocks send no reminders (the due date is provisional while a third party holds the
// case); stopped, met and missed clocks neither. A clock whose deadline has an `on_expiry`
// action also gets an expiry timer at 00:00 local time on the day after its due date.
//
// The corners, decided here:
// - Rule: the first rule naming the clock's kind, else the first "*" rule; none → no reminders
//   (the expiry timer does not depend on a rule).
// - Dates, from the due date D as the engine computes it (deadline_clock.h): offset o < 0 is
//   the |o|-th working day before D, o > 0 the o-th working day after D. Offset 0 is D; when D
//   is not a working day (an Art. 35 date may be) and `working_days_only`, it is the last
//   working day before D. Two offsets on one day (−1 and 0 then) keep only the later offset.
// - Repeats start after max(largest offset, 0), so they only ever run while overdue, and carry
//   the next offsets: with `working_days_only`, offset n is the n-th working day after D; without
//   it, one a calendar day after the last fixed occurrence (or D), numbered on from there.
// - Send time: `send_at` local (an unparsable time in a rule built in code falls back to 09:00).
//   An occurrence is passed when its send instant ≤ now.at; a sent later offset of the same
//   (deadline, epoch) supersedes every earlier one, also in plan() (so a due date moved later by
//   a new calendar year does not re-send what was already said).
// - remaining_wd is measured from now.today, as Engine::deadlines() does; `now.today` should be
//   the local date of `now.at`.
// - Closed means a state with `open: false` or `terminal`, or a state the workflow does not know.
// - Provisional due dates (outside the official calendar years) are planned like any other.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "disclose/calendar.h"
#include "disclose/case.h"
#include "disclose/time_source.h"
#include "disclose/workflow.h"

namespace disclose {

enum class TimerPurpose { reminder, expiry };
const char* to_string(TimerPurpose purpose);
std::optional<TimerPurpose> timer_purpose_from(std::string_view text);

// The event types a reminder produces (also the notification types, see notification.h).
inline constexpr const char* kReminderDueSoon = "reminder.due_soon";    // offset < 0
inline constexpr const char* kReminderDueToday = "reminder.due_today";  // offset = 0
inline constexpr const char* kReminderOverdue = "reminder.overdue";     // offset > 0

// "r:<case>:<deadline>:<epoch>:<offset>" — the reminder ledger's key.
std::string reminder_ledger_key(CaseId case_id, const std::string& deadline, int epoch,
                                int offset_wd);

// One pending wake-up of a case. The store keeps these as rows; the scheduler sleeps until the
// earliest `fire_at`. A timer only says *when to look*: what happens then is decided afresh by
// ReminderPlanner::due() at that moment, so a stale or duplicated timer is harmless.
struct PlannedTimer {
  TimerPurpose purpose = TimerPurpose::reminder;
  std::string deadline;  // the clock's kind
  int epoch = 1;
  int offset_wd = 0;  // reminder: working days from the due day; expiry: 0
  Date fire_on;       // local date of fire_at
  Instant fire_at{};  // send time on fire_on (reminder); 00:00 local the day after due (expiry)
};

// A reminder to send now.
struct DueReminder {
  std::string deadline;
  std::string deadline_label;  // 中文, from the workflow
  int epoch = 1;
  int offset_wd = 0;
  std::string event_type;  // kReminderDueSoon | kReminderDueToday | kReminderOverdue
  Date due_on;
  int remaining_wd = 0;  // working days from today to due_on; negative when overdue
  // The rule's recipients for this offset: `recipients` before and on the due day,
  // `overdue_recipients` after it. Entries are "assignee" or role names ("supervisor").
  std::vector<std::string> recipients;
  std::string ledger_key;
};

// A system action to apply now because a window ran out (correction_expired, fee_expired, …).
struct DueExpiry {
  std::string deadline;
  int epoch = 1;
  std::string action;  // the deadline's on_expiry
  Date on;             // the day after the due date (the action's `on` input)
};

struct DueWork {
  std::vector<DueReminder> reminders;
  std::vector<DueExpiry> expiries;
  bool empty() const { return reminders.empty() && expiries.empty(); }
};

class ReminderPlanner {
 public:
  // Both must outlive the planner. `utc_offset_minutes` turns local send times into instants
  // (China: +08:00, no daylight saving).
  ReminderPlanner(const WorkflowRegistry& workflows, const WorkingCalendar& calendar,
                  int utc_offset_minutes = 8 * 60);

  // The case's pending timers as of `now`, given the ledger keys already sent for this case:
  // per running clock with a rule, the next occurrence not sent (a due one keeps its past
  // fire_at, so the scheduler fires it at once); per running clock whose deadline has an
  // on_expiry action, its expiry. Closed cases and unknown workflows have none.
  std::vector<PlannedTimer> plan(const Case& a_case, const std::set<std::string>& sent,
                                 Moment now) const;

  // What is due at `now` (see the model above).
  DueWork due(const Case& a_case, const std::set<std::string>& sent, Moment now) const;

 private:
  const WorkflowRegistry& workflows_;
  const WorkingCalendar& calendar_;
  int utc_offset_minutes_;
};

}  // namespace disclose
