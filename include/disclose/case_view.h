// The case as staff see it (DESIGN.md §7): the stored case plus its deadlines on a given day,
// timer-derived flags and the actions the caller may take now. Shared by the CLI and the API.
#pragma once

#include <boost/json/object.hpp>

#include "disclose/engine.h"

namespace disclose {

// A deadline with fewer working days left than this is `due_soon`.
inline constexpr int kDueSoonWorkingDays = 2;

boost::json::object deadline_json(const DeadlineView& deadline);

struct ViewOptions {
  bool show_pii = true;  // false: ID number and phone masked
};

boost::json::object case_view(const Engine& engine, const Case& a_case, const Actor& viewer,
                              Date today, const ViewOptions& options = {});

// The explanation of one deadline as JSON (start, steps, paused days, calendar version).
boost::json::object explanation_json(const DeadlineExplanation& explanation);

}  // namespace disclose
