// The reminder planner (include/disclose/reminders.h).
//
// A clock's schedule is a short list of fixed occurrences (one per offset of its rule) followed,
// with repeat_overdue, by an endless run of repeats. The repeats are never enumerated: the one
// that matters at a moment (the latest already passed, or the first still ahead) is computed
// directly from working-day counts, so every query is a bounded amount of work however long a
// case has been overdue.
#include "disclose/reminders.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string_view>

#include "clocks/deadline_clock.h"

namespace disclose {

namespace {

// Offsets beyond this (about 400 years of working days) are treated as corrupt ledger data
// rather than fed to the calendar.
constexpr long long kMaxOffsetWd = 100000;

struct Occurrence {
  int offset_wd = 0;
  Date on;
};

// Minutes after local midnight for "HH:MM"; the loader rejects anything else, so a rule built in
// code with a malformed time falls back to the documented default rather than losing reminders.
int minutes_of_day(const std::string& send_at) {
  constexpr int kDefault = 9 * 60;
  if (send_at.size() != 5 || send_at[2] != ':') return kDefault;
  for (int i : {0, 1, 3, 4}) {
    if (send_at[i] < '0' || send_at[i] > '9') return kDefault;
  }
  const int hours = (send_at[0] - '0') * 10 + (send_at[1] - '0');
  const int minutes = (send_at[3] - '0') * 10 + (send_at[4] - '0');
  if (hours > 23 || minutes > 59) return kDefault;
  return hours * 60 + minutes;
}

// The instant of `minutes` past local midnight on `day`.
Instant local_instant(Date day, int minutes, int utc_offset_minutes) {
  return Instant{std::chrono::sys_days{std::chrono::days{day.days()}}} +
         std::chrono::minutes{minutes - utc_offset_minutes};
}

// The occurrences of one rule for one due date.
class Schedule {
 public:
  Schedule(const ReminderRule& rule, Date due, const WorkingCalendar& calendar,
           int utc_offset_minutes)
      : calendar_(calendar),
        due_(due),
        send_minutes_(minutes_of_day(rule.send_at)),
        utc_offset_minutes_(utc_offset_minutes),
        working_days_only_(rule.working_days_only),
        repeats_(rule.repeat_overdue) {
    // The loader sorts and de-duplicates offsets; a rule built in code may not be.
    std::vector<int> offsets = rule.offsets_wd;
    std::sort(offsets.begin(), offsets.end());
    offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
    for (int offset : offsets) {
      Date on = fixed_date(offset);
      // Two offsets can land on one day (−1 and 0 when the due day is not a working day). Only
      // the later offset is kept: it is the one that describes the situation on that day.
      if (!fixed_.empty() && fixed_.back().on >= on) fixed_.pop_back();
      fixed_.push_back({offset, on});
    }
    const int last_fixed = offsets.empty() ? 0 : offsets.back();
    // Repeats begin once overdue, after the last positive offset.
    repeat_base_offset_ = std::max(last_fixed, 0);
    repeat_base_date_ = repeat_base_offset_ > 0 ? fixed_date(repeat_base_offset_) : due_;
  }

  Instant send_instant(Date on) const {
    return local_instant(on, send_minutes_, utc_offset_minutes_);
  }

  // The latest occurrence whose send time is at or before `at`.
  std::optional<Occurrence> latest_by(Instant at) const {
    const Date last_day = last_send_day(at);
    if (repeats_) {
      // Repeats come after every fixed occurrence, so a passed repeat is the latest.
      long long offset = repeats_passed_by(last_day);
      if (offset >= first_repeat_offset()) return repeat(offset);
    }
    for (auto it = fixed_.rbegin(); it != fixed_.rend(); ++it) {
      if (it->on <= last_day) return *it;
    }
    return std::nullopt;
  }

  // The first occurrence whose send time is after `at` and whose offset is above `floor` (the
  // highest offset already sent: anything at or below it is superseded).
  std::optional<Occurrence> first_after(Instant at, std::optional<int> floor) const {
    const Date last_day = last_send_day(at);
    auto above_floor = [&](long long offset) { return !floor || offset > *floor; };
    for (const Occurrence& occurrence : fixed_) {
      if (occurrence.on > last_day && above_floor(occurrence.offset_wd)) return occurrence;
    }
    if (!repeats_) return std::nullopt;
    long long offset = std::max(first_repeat_offset(), repeats_passed_by(last_day) + 1);
    if (floor) offset = std::max(offset, static_cast<long long>(*floor) + 1);
    if (offset > kMaxOffsetWd) return std::nullopt;
    return repeat(offset);
  }

 private:
  Date fixed_date(int offset) const {
    if (offset < 0) return calendar_.subtract_working_days(due_, -offset).date;
    if (offset > 0) return calendar_.add_working_days(due_, offset).date;
    // A due day that is not a working day (an Art. 35 date may be one) is announced on the last
    // working day before it, when staff can still act.
    if (working_days_only_ && !calendar_.is_working_day(due_))
      return calendar_.subtract_working_days(due_, 1).date;
    return due_;
  }

  long long first_repeat_offset() const { return repeat_base_offset_ + 1; }

  // The offset a repeat on the latest day up to `last_day` would carry; below
  // first_repeat_offset() when no repeat day has passed yet.
  long long repeats_passed_by(Date last_day) const {
    if (working_days_only_) {
      // Offsets count working days after the due day, so the n-th working day is offset n.
      return calendar_.working_days_between(due_, last_day);
    }
    return repeat_base_offset_ + std::max(0, last_day - repeat_base_date_);
  }

  Occurrence repeat(long long offset) const {
    const int offset_wd = static_cast<int>(std::min(offset, kMaxOffsetWd));
    if (working_days_only_) return {offset_wd, calendar_.add_working_days(due_, offset_wd).date};
    // Calendar-day repeats are numbered on from the last fixed offset, one per day, so each
    // still has its own ledger key.
    return {offset_wd, repeat_base_date_ + (offset_wd - repeat_base_offset_)};
  }

  // The latest local day whose send time is at or before `at`.
  Date last_send_day(Instant at) const {
    Date today = local_date(at, utc_offset_minutes_);
    return send_instant(today) <= at ? today : today - 1;
  }

  const WorkingCalendar& calendar_;
  Date due_;
  int send_minutes_;
  int utc_offset_minutes_;
  bool working_days_only_;
  bool repeats_;
  std::vector<Occurrence> fixed_;  // ascending by date and offset
  int repeat_base_offset_ = 0;
  Date repeat_base_date_;
};

const ReminderRule* rule_for(const Workflow& workflow, const std::string& kind) {
  const ReminderRule* wildcard = nullptr;
  for (const ReminderRule& rule : workflow.reminders) {
    if (rule.deadline == kind) return &rule;
    if (rule.deadline == "*" && !wildcard) wildcard = &rule;
  }
  return wildcard;
}

// The highest offset sent for this (case, deadline, epoch), if any.
std::optional<int> highest_sent_offset(const std::set<std::string>& sent, CaseId case_id,
                                       const std::string& deadline, int epoch) {
  const std::string prefix =
      "r:" + std::to_string(case_id) + ":" + deadline + ":" + std::to_string(epoch) + ":";
  std::optional<int> highest;
  // Keys sort by prefix, so the matching ones are one contiguous run.
  for (auto it = sent.lower_bound(prefix); it != sent.end(); ++it) {
    std::string_view key = *it;
    if (!key.starts_with(prefix)) break;
    std::string_view rest = key.substr(prefix.size());
    int offset = 0;
    auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), offset);
    // Another deadline whose kind extends this one ("a" vs "a:1") shares the prefix; its rest
    // is not a bare integer.
    if (error != std::errc{} || end != rest.data() + rest.size()) continue;
    if (offset > kMaxOffsetWd || offset < -kMaxOffsetWd) continue;
    if (!highest || offset > *highest) highest = offset;
  }
  return highest;
}

const char* event_type_for(int offset_wd) {
  if (offset_wd < 0) return kReminderDueSoon;
  if (offset_wd == 0) return kReminderDueToday;
  return kReminderOverdue;
}

// The workflow of a case that can still have timers, or nullptr.
const Workflow* open_workflow(const WorkflowRegistry& workflows, const Case& a_case) {
  const Workflow* workflow = workflows.find(a_case.workflow);
  if (!workflow) return nullptr;
  const StateSpec* state = workflow->state(a_case.state);
  // An unknown state means the case and its workflow disagree; staying silent is safer than
  // reminding about a case nobody can act on.
  if (!state || !state->open || state->terminal) return nullptr;
  return workflow;
}

}  // namespace

const char* to_string(TimerPurpose purpose) {
  switch (purpose) {
    case TimerPurpose::reminder:
      return "reminder";
    case TimerPurpose::expiry:
      return "expiry";
  }
  return "reminder";
}

std::optional<TimerPurpose> timer_purpose_from(std::string_view text) {
  if (text == "reminder") return TimerPurpose::reminder;
  if (text == "expiry") return TimerPurpose::expiry;
  return std::nullopt;
}

std::string reminder_ledger_key(CaseId case_id, const std::string& deadline, int epoch,
                                int offset_wd) {
  return "r:" + std::to_string(case_id) + ":" + deadline + ":" + std::to_string(epoch) + ":" +
         std::to_string(offset_wd);
}

ReminderPlanner::ReminderPlanner(const WorkflowRegistry& workflows, const WorkingCalendar& calendar,
                                 int utc_offset_minutes)
    : workflows_(workflows), calendar_(calendar), utc_offset_minutes_(utc_offset_minutes) {}

std::vector<PlannedTimer> ReminderPlanner::plan(const Case& a_case,
                                                const std::set<std::string>& sent,
                                                Moment now) const {
  std::vector<PlannedTimer> timers;
  const Workflow* workflow = open_workflow(workflows_, a_case);
  if (!workflow) return timers;
  for (const Clock& clock : a_case.clocks) {
    if (clock.status != ClockStatus::running) continue;
    const Date due = due_date(clock, calendar_, now.today).date;
    if (const ReminderRule* rule = rule_for(*workflow, clock.kind)) {
      Schedule schedule(*rule, due, calendar_, utc_offset_minutes_);
      std::optional<int> floor = highest_sent_offset(sent, a_case.id, clock.kind, clock.epoch);
      std::optional<Occurrence> next = schedule.latest_by(now.at);
      // A due occurrence keeps its past time so the scheduler fires it at once.
      if (!next || (floor && next->offset_wd <= *floor)) next = schedule.first_after(now.at, floor);
      if (next) {
        timers.push_back({TimerPurpose::reminder, clock.kind, clock.epoch, next->offset_wd,
                          next->on, schedule.send_instant(next->on)});
      }
    }
    const DeadlineSpec* spec = workflow->deadline(clock.kind);
    if (spec && !spec->on_expiry.empty()) {
      const Date day_after = due + 1;
      timers.push_back({TimerPurpose::expiry, clock.kind, clock.epoch, 0, day_after,
                        local_instant(day_after, 0, utc_offset_minutes_)});
    }
  }
  return timers;
}

DueWork ReminderPlanner::due(const Case& a_case, const std::set<std::string>& sent,
                             Moment now) const {
  DueWork work;
  const Workflow* workflow = open_workflow(workflows_, a_case);
  if (!workflow) return work;
  for (const Clock& clock : a_case.clocks) {
    if (clock.status != ClockStatus::running) continue;
    const Date due = due_date(clock, calendar_, now.today).date;
    const DeadlineSpec* spec = workflow->deadline(clock.kind);
    if (const ReminderRule* rule = rule_for(*workflow, clock.kind)) {
      Schedule schedule(*rule, due, calendar_, utc_offset_minutes_);
      std::optional<int> floor = highest_sent_offset(sent, a_case.id, clock.kind, clock.epoch);
      std::optional<Occurrence> latest = schedule.latest_by(now.at);
      if (latest && (!floor || latest->offset_wd > *floor)) {
        DueReminder reminder;
        reminder.deadline = clock.kind;
        reminder.deadline_label = workflow->deadline_label(clock.kind);
        reminder.epoch = clock.epoch;
        reminder.offset_wd = latest->offset_wd;
        reminder.event_type = event_type_for(latest->offset_wd);
        reminder.due_on = due;
        reminder.remaining_wd = remaining_working_days(calendar_, now.today, due);
        reminder.recipients = latest->offset_wd > 0 ? rule->overdue_recipients : rule->recipients;
        reminder.ledger_key =
            reminder_ledger_key(a_case.id, clock.kind, clock.epoch, latest->offset_wd);
        work.reminders.push_back(std::move(reminder));
      }
    }
    if (spec && !spec->on_expiry.empty()) {
      const Date day_after = due + 1;
      if (now.at >= local_instant(day_after, 0, utc_offset_minutes_)) {
        work.expiries.push_back({clock.kind, clock.epoch, spec->on_expiry, day_after});
      }
    }
  }
  return work;
}

}  // namespace disclose
