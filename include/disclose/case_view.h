// The case as staff see it (DESIGN.md §7): the stored case plus its deadlines on a given day,
// timer-derived flags and the actions the caller may take now. Shared by the CLI and the API.
#pragma once

#include <boost/json/object.hpp>

#include "disclose/engine.h"
#include "disclose/json_text.h"

namespace disclose {

// A deadline with fewer working days left than this is `due_soon`.
inline constexpr int kDueSoonWorkingDays = 2;

boost::json::object deadline_json(const DeadlineView& deadline);

struct ViewOptions {
  bool show_pii = true;  // false: ID number and phone masked
};

boost::json::object case_view(const Engine& engine, const Case& a_case, const Actor& viewer,
                              Date today, const ViewOptions& options = {});

// The same view written as JSON text, for the API's answers (one per action, one per listed
// case): the members of case_view (in another order), written into an object `out` has open,
// so the caller can add its own members before closing it. `deadlines` are
// engine.deadlines(a_case, today), which a caller that stores the case has in hand already.
void write_case_view_members(JsonText& out, const Engine& engine, const Case& a_case,
                             const Actor& viewer, const std::vector<DeadlineView>& deadlines,
                             const ViewOptions& options = {});

// The explanation of one deadline as JSON (start, steps, paused days, calendar version).
boost::json::object explanation_json(const DeadlineExplanation& explanation);

}  // namespace disclose
