#include "disclose/timer_service.h"

#include <algorithm>
#include <set>
#include <utility>

#include <boost/json/object.hpp>

namespace disclose {

TimerService::TimerService(Store& store, const Engine& engine, const ReminderPlanner& planner,
                           const CaseNotifications& notifications, int utc_offset_minutes)
    : store_(store),
      engine_(engine),
      planner_(planner),
      notifications_(notifications),
      utc_offset_minutes_(utc_offset_minutes) {}

CaseWriteHook TimerService::write_hook() const {
  return [this](const Case& stored, const Event& event, const CaseWriteContext& context) {
    // Plan as of the event, not the wall clock: a CLI run with --now, or a replayed import,
    // plans exactly what it would have planned on that day.
    Moment now{event.recorded_at, local_date(event.recorded_at, utc_offset_minutes_)};
    CaseWriteEffects effects;
    effects.timers = planner_.plan(stored, context.sent_reminders, now);
    // Composed only for the types some subscription takes: nothing else would be queued.
    auto wanted = [&](const std::string& type) {
      return std::any_of(
          context.subscriptions.begin(), context.subscriptions.end(),
          [&](const Subscription& s) { return subscription_wants(s, type, stored.agency); });
    };
    effects.notifications =
        notifications_.for_event(stored, event, context.agency, context.agency_users, now, wanted);
    return effects;
  };
}

TimerService::StaffByAgency TimerService::active_staff() const {
  StaffByAgency out;
  for (User& user : store_.users()) {
    if (user.active) out[user.agency].push_back(std::move(user));
  }
  return out;
}

FireReport TimerService::fire_due(Moment now, int max_cases) {
  FireReport report;
  std::set<CaseId> done;
  std::optional<StaffByAgency> staff;  // read when the first case is due
  while (report.cases < max_cases) {
    std::vector<CaseId> batch = store_.cases_with_due_timers(now.at, 100);
    if (!batch.empty() && !staff) staff = active_staff();
    bool progressed = false;
    for (CaseId id : batch) {
      // A case whose timers could not be settled (persistent conflicts) is not retried in this
      // round; the next wake-up or sweep tries again.
      if (!done.insert(id).second) continue;
      progressed = true;
      fire_case(id, now, *staff, report);
      if (report.cases >= max_cases) break;
    }
    if (!progressed) break;
  }
  return report;
}

void TimerService::fire_case(CaseId id, Moment now, const StaffByAgency& staff,
                             FireReport& report) {
  ++report.cases;
  std::set<std::string> refused;  // expiries the engine refused: deadline + epoch
  constexpr int kAttempts = 8;    // each expiry applied or conflict retried counts one
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    std::optional<Case> current = store_.load_case(id);
    if (!current) {
      if (problem_) problem_("timer for case " + std::to_string(id) + ", which does not exist");
      return;
    }
    std::set<std::string> sent = store_.sent_reminders(id);
    DueWork due = planner_.due(*current, sent, now);

    // Expiries first: each is an event, and the write hook replans the case, so look again
    // after every one (a closed case has no reminders left to send).
    bool applied = false;
    bool conflict = false;
    for (const DueExpiry& expiry : due.expiries) {
      std::string key = expiry.deadline + "#" + std::to_string(expiry.epoch);
      if (refused.count(key) != 0) continue;
      boost::json::object input{{"on", expiry.on.str()}};
      Result<Decision> decision =
          engine_.apply(*current, expiry.action, input, Actor::system(), now);
      if (!decision) {
        refused.insert(key);
        ++report.refused;
        if (problem_) {
          problem_("case " + current->number + ": expiry action " + expiry.action +
                   " refused: " + decision.error().message);
        }
        continue;
      }
      const Case& next = decision.value().next;
      try {
        store_.append_event(next, decision.value().event, current->version,
                            engine_.deadlines(next, now.today));
        ++report.expiries;
        applied = true;
      } catch (const VersionConflict&) {
        ++report.conflicts;
        conflict = true;
      }
      break;
    }
    if (applied || conflict) continue;

    std::optional<Agency> agency = store_.find_agency(current->agency);
    static const std::vector<User> kNobody;
    auto found = staff.find(current->agency);
    const std::vector<User>& users = found != staff.end() ? found->second : kNobody;
    ReminderFiring firing;
    firing.case_id = id;
    firing.expected_version = current->version;
    firing.fired_at = now.at;
    std::set<std::string> after = sent;
    for (const DueReminder& reminder : due.reminders) {
      firing.reminders.push_back(
          {reminder.ledger_key,
           notifications_.for_reminder(*current, reminder, agency, users, now)});
      after.insert(reminder.ledger_key);
    }
    // Everything due by now was handled just above (or refused), so only later timers remain;
    // dropping past ones is what keeps a refused expiry from firing in a loop.
    for (PlannedTimer& timer : planner_.plan(*current, after, now)) {
      if (timer.fire_at > now.at) firing.timers.push_back(std::move(timer));
    }
    try {
      report.reminders += store_.record_reminders(firing);
      return;
    } catch (const VersionConflict&) {
      ++report.conflicts;
    }
  }
  if (problem_) problem_("case " + std::to_string(id) + ": timers not settled after retries");
}

void TimerService::replan(CaseId id, Moment now) {
  std::optional<Case> current = store_.load_case(id);
  if (!current) return;
  store_.replace_timers(id, current->version,
                        planner_.plan(*current, store_.sent_reminders(id), now));
}

}  // namespace disclose

namespace disclose {

int64_t TimerService::replan_open_cases(Moment now) {
  int64_t count = 0;
  CaseFilter filter;
  filter.open_only = true;
  filter.limit = 500;
  for (;;) {
    std::vector<Case> page = store_.list_cases(filter);
    if (page.empty()) break;
    for (const Case& c : page) {
      try {
        store_.replace_timers(c.id, c.version, planner_.plan(c, store_.sent_reminders(c.id), now));
        ++count;
      } catch (const VersionConflict&) {
        // Moved meanwhile: that write planned its timers itself.
      }
    }
    filter.after_id = page.back().id;
  }
  return count;
}

}  // namespace disclose
