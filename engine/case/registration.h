// The registration document of a new request (DESIGN.md §7): who asks (Art. 29), how and when it
// arrived (Art. 31), what is asked for. The registrar enters the receipt date; the engine only
// checks that it is a real date and not in the future.
#pragma once

#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "disclose/case.h"
#include "disclose/result.h"

namespace disclose {

struct RegistrationInput {
  std::string workflow;
  std::string agency;
  Registration registration;
  boost::json::object normalised;  // what is recorded in the registering event
};

// Field names in errors are paths such as "applicant.kind".
Result<RegistrationInput> parse_registration(const boost::json::value& document, Date today);

// The allowed values, in the order of the annual report's columns / DESIGN.md §7.
const std::vector<std::string>& applicant_kinds();
const std::vector<std::string>& receipt_channels();

}  // namespace disclose
