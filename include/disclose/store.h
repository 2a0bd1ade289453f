// The Store port: durable agencies, users, cases and their append-only, hash-chained events.
// One call that writes = one transaction. Implemented by adapters/sqlite.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "disclose/audit.h"
#include "disclose/calendar.h"
#include "disclose/case.h"

namespace disclose {

struct Agency {
  std::string code;        // e.g. zrzy
  std::string name;        // e.g. 区自然资源局
  std::string short_name;  // used in case numbers, e.g. 自然资源 (defaults to the code)
};

struct User {
  int64_t id = 0;
  std::string name;
  std::string role;  // registrar | handler | reviewer | supervisor | auditor | admin
  std::string agency;
  bool scope_all = false;
  bool active = true;
};

struct CaseFilter {
  std::optional<std::string> state;
  std::optional<std::string> agency;
  std::optional<std::string> workflow;
  std::optional<std::string> assignee;
  bool open_only = false;
  // Only cases with a running or paused deadline whose due date is before this day.
  std::optional<Date> overdue_on;
  CaseId after_id = 0;  // pagination: ids greater than this
  int limit = 1000;
};

struct AuditReport {
  bool ok = true;
  int64_t events_checked = 0;
  int64_t cases_checked = 0;
  std::optional<ChainBreak> first_break;
  std::string head_hash;
};

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Another writer moved the case first; nothing was written.
class VersionConflict : public StoreError {
 public:
  VersionConflict(CaseId id, int64_t current_version)
      : StoreError("case " + std::to_string(id) + " is at version " +
                   std::to_string(current_version)),
        case_id(id),
        current(current_version) {}
  CaseId case_id;
  int64_t current;
};

class Store {
 public:
  virtual ~Store() = default;

  // Throws StoreError on a duplicate code.
  virtual void add_agency(const Agency& agency) = 0;
  virtual std::optional<Agency> find_agency(const std::string& code) const = 0;
  virtual std::vector<Agency> agencies() const = 0;

  // Creates the user; throws StoreError for an unknown agency.
  virtual User add_user(const User& user) = 0;
  virtual std::optional<User> find_user(int64_t id) const = 0;
  // Issues a new API token (256 random bits); only its hash is kept. Returns the token.
  virtual std::string issue_token(int64_t user_id) = 0;
  virtual std::optional<User> user_by_token(const std::string& token) = 0;

  // Stores a new case with its registering event and its deadline rows; assigns id, number
  // (YYYY-<agency short name>-NNNN, per agency per year of receipt) and chain fields.
  // Returns the stored case. Throws StoreError for an unknown agency.
  virtual Case create_case(Case a_case, Event event,
                           const std::vector<DeadlineView>& deadlines) = 0;
  // Appends one event, the new case and its deadline rows (replacing the old ones) in one
  // transaction, if the stored version is still `expected_version`; otherwise throws
  // VersionConflict and writes nothing. `event.seq` must be expected_version + 1.
  virtual void append_event(const Case& next, Event event, int64_t expected_version,
                            const std::vector<DeadlineView>& deadlines) = 0;
  virtual std::optional<Case> load_case(CaseId id) const = 0;
  virtual std::vector<Event> history(CaseId id) const = 0;
  virtual std::vector<Case> list_cases(const CaseFilter& filter) const = 0;

  // Calendar years imported at run time (they override the bundled files by year).
  virtual void save_calendar_years(const std::vector<CalendarYear>& years) = 0;
  virtual std::vector<CalendarYear> calendar_years() const = 0;

  // Walks every event in global order and every case; names the first broken link.
  virtual AuditReport verify_audit() const = 0;
};

}  // namespace disclose
