// The timer service (issue #4, DESIGN.md §5): keeps every case's timer rows in step with the case
// and fires what falls due. It decides; the Store persists; nothing here sleeps or touches a
// socket (the Asio loop that calls fire_due lives in adapters/scheduler).
//
// Two duties:
//  - write_hook(): installed in the store, so every case write (API, CLI, calendar import,
//    expiry) replans that case's timers and queues its event notifications in the same
//    transaction as the event.
//  - fire_due(now): for each case with a timer due by `now`, applies the expiry actions the
//    workflow names (as `system`, recorded like any event) and sends the due reminders through
//    the reminder ledger, so firing twice, or after a crash, sends nothing twice.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "disclose/case_notifications.h"
#include "disclose/engine.h"
#include "disclose/reminders.h"
#include "disclose/store.h"

namespace disclose {

struct FireReport {
  int cases = 0;      // cases looked at
  int reminders = 0;  // reminders newly sent (queued)
  int expiries = 0;   // expiry actions applied
  int refused = 0;    // expiry actions the engine refused (logged via `on_problem`)
  int conflicts = 0;  // version conflicts retried
};

class TimerService {
 public:
  // All must outlive the service.
  TimerService(Store& store, const Engine& engine, const ReminderPlanner& planner,
               const CaseNotifications& notifications, int utc_offset_minutes = 8 * 60);

  // The hook for Store::set_case_write_hook. `now` for planning is the event's recorded_at.
  CaseWriteHook write_hook() const;

  // Fires everything due at `now`, case by case, until no timer is due (at most `max_cases`).
  FireReport fire_due(Moment now, int max_cases = 100000);

  // Replans one case's timers without writing an event (e.g. after a calendar change that moved
  // no due date but did move a reminder day).
  void replan(CaseId id, Moment now);
  // Replans every open case (after an upgrade from a version without timers, or to repair);
  // returns how many cases were replanned.
  int64_t replan_open_cases(Moment now);

  // Called with a message when something could not be done (an expiry the engine refused, a
  // case that vanished); the scheduler logs it.
  void set_problem_sink(std::function<void(const std::string&)> sink) {
    problem_ = std::move(sink);
  }

 private:
  // Active staff by agency, read once per round rather than once per fired case.
  using StaffByAgency = std::map<std::string, std::vector<User>>;
  void fire_case(CaseId id, Moment now, const StaffByAgency& staff, FireReport& report);
  StaffByAgency active_staff() const;

  Store& store_;
  const Engine& engine_;
  const ReminderPlanner& planner_;
  const CaseNotifications& notifications_;
  int utc_offset_minutes_;
  std::function<void(const std::string&)> problem_;
};

}  // namespace disclose
