// Validation of an action's input against the inputs its workflow declares. Unknown keys are
// refused (a misspelt `window_wd` must not silently fall back to the default); defaults are
// filled in so the recorded event says exactly what was decided.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "disclose/case.h"
#include "disclose/result.h"
#include "disclose/time_source.h"
#include "disclose/workflow.h"

namespace disclose {

// Returns the normalised input object, or the first problem with the field it concerns.
// `on` (the business date of the action) may not lie in the future nor before the case's
// previous dated event.
Result<boost::json::object> validate_action_input(const Workflow& workflow,
                                                  const ActionSpec& action,
                                                  const boost::json::value& input,
                                                  const Case& current, Date today);

// Reads a validated date input; nullopt when absent.
std::optional<Date> date_input(const boost::json::object& input, const std::string& name);
// Reads a validated string input; "" when absent.
std::string string_input(const boost::json::object& input, const std::string& name);
// Reads a validated integer input; nullopt when absent.
std::optional<long long> integer_input(const boost::json::object& input, const std::string& name);

}  // namespace disclose
