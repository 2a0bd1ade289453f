// The engine: a pure decision over (case, action, input, actor, now) → the next case and the
// event that records it, or a typed error. It touches no database, file or network; persisting
// the result is the Store's job, in one transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "disclose/calendar.h"
#include "disclose/case.h"
#include "disclose/result.h"
#include "disclose/time_source.h"
#include "disclose/workflow.h"

namespace disclose {

struct Actor {
  std::string id;  // "u:12", "cli:alice", "system"
  std::vector<std::string> roles;
  std::string agency;      // "" only with scope_all
  bool scope_all = false;  // sees every agency (the district OGI office)

  bool has_role(const std::string& role) const;
  bool can_see(const std::string& case_agency) const { return scope_all || agency == case_agency; }
  static Actor system();
};

struct Decision {
  Case next;
  Event event;
};

// Why a deadline falls where it does: start, each pause/restart/extension, calendar version.
struct DeadlineExplanation {
  DeadlineView view;
  Date start;
  int working_days = 0;
  int extension_wd = 0;
  int paused_wd = 0;
  std::optional<Date> override_due;
  std::vector<ClockStep> steps;
  std::string calendar_version;
};

class Engine {
 public:
  // Both must outlive the engine.
  Engine(const WorkflowRegistry& workflows, const WorkingCalendar& calendar);

  // Registers a new case from the DESIGN.md §7 registration document. The result's case has
  // id 0 and no number; the store assigns both.
  Result<Decision> register_case(const boost::json::value& registration, const Actor& actor,
                                 Moment now) const;

  // Applies one action. `input` must be a JSON object (or null for {}).
  Result<Decision> apply(const Case& current, const std::string& action,
                         const boost::json::value& input, const Actor& actor, Moment now) const;

  // When the calendar changed (a new year's notice was loaded), the event that records how this
  // case's deadlines moved compared with `previous`; nullopt when none moved.
  std::optional<Decision> recompute_deadlines(const Case& a_case, const WorkingCalendar& previous,
                                              Moment now) const;

  std::vector<DeadlineView> deadlines(const Case& a_case, Date today) const;
  std::optional<DeadlineExplanation> explain(const Case& a_case, const std::string& kind,
                                             Date today) const;
  // Actions this actor may take now (state and role allow it; inputs are not checked).
  std::vector<std::string> available_actions(const Case& a_case, const Actor& actor) const;

  const WorkingCalendar& calendar() const { return calendar_; }
  const WorkflowRegistry& workflows() const { return workflows_; }

 private:
  const WorkflowRegistry& workflows_;
  const WorkingCalendar& calendar_;
};

}  // namespace disclose
