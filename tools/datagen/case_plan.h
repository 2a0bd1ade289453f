// What one generated case goes through, decided from the seed alone: the registration and the
// list of actions with their inputs and rough timing. Pure (no store, no engine): the driver
// (plan_driver.h) turns the timing into business dates on the working-day calendar and applies
// each action through the real engine and store.
//
// A step's timing is a delay in working days after the previous step. Steps that wait for
// someone outside (a correction, a payment, a third party's opinion, an extension that must be
// approved before the reply deadline) name the deadline they must meet; the driver moves them to
// its due date at the latest, because in reality the window's expiry would have come first.
// Expiries are steps too: nobody acts, the deadline runs out and the system applies the
// workflow's on_expiry action at 00:00 the day after the due date, as the server's timers do.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "disclose/date.h"

namespace datagen {

enum class Role { registrar, handler, reviewer, supervisor, system };
const char* to_string(Role role);

struct PlannedStep {
  std::string action;
  Role role = Role::registrar;
  int delay_wd = 0;  // working days after the previous step; 0 = the same day
  int minute = 0;    // recorded at 08:30 + minute local time (later than the previous step)
  boost::json::object input;  // the action's input without its dates and user ids
  bool dated = false;         // the driver sets input "on" to the step's date
  // A date input counted from the step's date in calendar days: party_received_on,
  // applicant_received_on (the letter arrives a few days later; never after today) or an
  // Art. 35 due_on (in the future by design).
  std::string relative_date_input;
  int relative_days = 0;
  // Happens on or before this deadline's due date (never before the previous step).
  std::string by_deadline;
  // When that due date has already passed: skip the step (an extension can no longer be
  // approved) instead of taking it at once.
  bool skip_when_late = false;
  // Not taken by staff: this deadline runs out and the system applies its on_expiry action.
  std::string expiry_of;
  // ≥ 0: input "assignee" is this handler of the agency, who works the case from then on.
  int assign_handler = -1;
};

struct CasePlan {
  int64_t index = 0;
  std::string workflow;
  int agency = 0;   // index into the agency catalogue
  int handler = 0;  // the agency's handler who works the case
  disclose::Date received_on;
  int register_minute = 0;
  boost::json::object registration;  // the DESIGN.md §7 document
  std::vector<PlannedStep> steps;
  // What the plan aims at (for tests and checks):
  std::string determination;  // the closing determination; "" when the case never closes
  std::string rest_state;     // a state the plan stops in on purpose ("" = runs to its end)
};

}  // namespace datagen
