// The registration document (DESIGN.md §7) of a generated request: applicant, channel, receipt
// evidence, what is asked for. Pure: all variety comes from the Rng.
#pragma once

#include <string>

#include <boost/json/object.hpp>

#include "datagen/agency_catalogue.h"
#include "datagen/random.h"
#include "disclose/date.h"

namespace datagen {

// An applicant kind (the annual report's six columns) in the mix district reports show:
// mostly natural persons, then companies, law firms, other organisations.
std::string gov_info_applicant_kind(Rng& rng);
// Public data is asked for mostly by companies and researchers.
std::string public_data_applicant_kind(Rng& rng);

// The `applicant` member: name, ID (resident ID or 统一社会信用代码 with valid check
// characters), phone, address, email, and a contact person for organisations.
boost::json::object make_applicant(const std::string& kind, Rng& rng);

// How the request arrived (Art. 31). Requests dated on a weekend or holiday came online or by
// fax; the others by every channel.
std::string receipt_channel(bool working_day, Rng& rng);

struct RegistrationDraft {
  std::string workflow;  // gov-info-disclosure | public-data-open
  std::string agency;    // code
  std::string topic;     // one of the agency's topics (gov-info)
  disclose::Date received_on;
  std::string channel;
  boost::json::object applicant;
};

// The whole registration document.
boost::json::object registration_document(const RegistrationDraft& draft, Rng& rng);

// Check characters, exposed for the tests.
char resident_id_check(const std::string& first17);
char credit_code_check(const std::string& first17);

}  // namespace datagen
