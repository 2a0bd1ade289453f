// A case (one request for government information) and the events that made it.
//
// Three things are kept apart (DESIGN.md §2): the small process `state`, the `outcome`
// (determination with reasons) and timer-derived flags (due soon / overdue), which are computed
// when a case is read and never stored. Stored flags are only those an action sets
// (e.g. late_correction_notice).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "disclose/date.h"

namespace disclose {

using CaseId = int64_t;

// Art. 29: who asks. `kind` is one of the annual report's six columns.
struct Applicant {
  std::string
      kind;  // natural_person | commercial | research | public_welfare | legal_service | other_org
  std::string name;
  std::string id_type;  // resident_id | passport | … ; for organisations: uscc (统一社会信用代码)
  std::string id_number;
  std::string phone;
  std::string address;
  std::string email;
  std::string contact_person;  // organisations: 联系人
};

// What is asked for and how it should be provided.
struct RequestDetails {
  std::string description;
  std::string form;      // paper | electronic | other
  std::string delivery;  // in_person | post | email | online | fax | other
  std::string purpose;   // optional, free text
};

// Art. 31: how and when the request arrived.
struct Registration {
  std::string channel;  // in_person | mail_signed | mail_plain | online | fax
  Date received_on;
  std::string receipt_evidence;
  Applicant applicant;
  RequestDetails request;
  std::vector<std::string> tags;
};

enum class ClockStatus { running, paused, stopped, met, missed };
const char* to_string(ClockStatus status);
std::optional<ClockStatus> clock_status_from(std::string_view text);

// One line of a deadline's explanation: what changed it, when, and by which event.
struct ClockStep {
  int64_t event_version = 0;  // the case version of the event that made this step
  std::string what;  // start | pause | resume | restart | extend | override | stop | met | missed
  Date on;
  int working_days = 0;  // start/restart: the count; extend: the days added; resume: days paused
  std::optional<Date> due_on;  // override: the new date
  std::string note;            // reason, party, …
};

struct Pause {
  Date from;
  std::optional<Date> to;  // open while the clock is paused
};

// A deadline clock. The due date is not stored: it is derived from these facts and the calendar,
// so a new calendar year recomputes it (DESIGN.md §3).
struct Clock {
  std::string kind;
  Date start;            // counting starts the day after
  int working_days = 0;  // base count
  int extension_wd = 0;  // added by extensions
  int extensions = 0;    // how many extensions were granted
  std::vector<Pause> pauses;
  std::optional<Date> override_due;  // Art. 35: replaces the computed date
  ClockStatus status = ClockStatus::running;
  std::optional<Date> ended_on;  // met/missed/stopped on
  int epoch = 1;                 // +1 on every restart/extension/override: a new schedule
  std::vector<ClockStep> steps;
};

// A deadline as shown to staff (DESIGN.md §7).
struct DeadlineView {
  std::string kind;
  std::optional<Date> due_on;       // none while stopped
  std::optional<int> remaining_wd;  // working days from today to due; negative when overdue
  ClockStatus status = ClockStatus::running;
  bool provisional = false;
  bool overdue = false;  // running or paused, and today is after due_on
  int epoch = 1;
};

struct Outcome {
  std::string determination;  // a workflow determination code (DESIGN.md §4)
  std::string basis;          // legal basis
  std::string reasons;
};

struct Delivery {
  std::string method;  // direct | post | electronic | entrusted
  Date on;
  std::string tracking_no;
};

struct Remedy {
  Date on;
  std::string kind;    // review | suit_direct | suit_after_review
  std::string result;  // upheld | corrected | other | pending
};

struct Fee {
  Date on;
  std::string method;  // per_item | per_page
  long long amount_yuan = 0;
  bool paid = false;
};

struct Case {
  CaseId id = 0;
  std::string number;  // human number, e.g. 2025-自然资源-0042 (assigned by the store)
  std::string workflow;
  std::string agency;
  std::string state;
  int64_t version = 0;  // +1 per event
  Registration registration;
  std::string assignee;  // user id, "" when unassigned
  std::vector<Clock> clocks;
  std::set<std::string> flags;
  std::optional<Outcome> outcome;
  std::optional<Date> closed_on;  // the business date the case closed (annual report 三)
  std::optional<Delivery> delivery;
  std::vector<Remedy> remedies;
  std::vector<Fee> fees;
  std::optional<Date> last_dated_on;  // the latest `on` of any event (dates may not go back)
  Instant created_at{};
  Instant updated_at{};

  const Clock* clock(const std::string& kind) const;
  Clock* clock(const std::string& kind);
};

// One entry of a case's append-only history. `seq` equals the case version it produced.
struct Event {
  CaseId case_id = 0;
  int64_t seq = 0;
  std::string type;   // the action name, or a system event such as deadline.recomputed
  std::string actor;  // "u:<id>", "cli:<os user>", "system"
  Instant recorded_at{};
  std::optional<Date> on;  // the business date the action happened
  std::string from_state;  // "" for the registering event
  std::string to_state;
  boost::json::object input;
  boost::json::object effects;  // what changed: clocks, flags, assignee, outcome

  // Chain fields, filled by the store (see audit.h).
  // The canonical body the hash covers (event_body), as sealed or as read back: exports hand
  // over these stored bytes instead of re-deriving them. Empty on an event not yet sealed.
  // It is a copy of the fields above, not kept in step with them: code that edits a sealed or
  // read event must clear it (or seal again), or an export would show the old body.
  std::string body;
  std::string prev_hash;
  std::string hash;
  int64_t global_seq = 0;
  std::string global_prev_hash;
  std::string global_hash;
};

}  // namespace disclose
