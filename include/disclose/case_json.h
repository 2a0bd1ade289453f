// JSON forms of the domain types (DESIGN.md §7 shapes). The stored form of a case is the same
// document, so these must round-trip exactly: from_json(to_json(c)) == c.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "disclose/case.h"
#include "disclose/json_text.h"

namespace disclose {

boost::json::object to_json(const Registration& registration);
boost::json::object to_json(const Clock& clock);
boost::json::object to_json(const Case& a_case);  // full stored document
boost::json::object to_json(const Event& event);  // without chain fields

// The stored case document as text: byte for byte json::serialize(to_json(a_case)), written
// without building the tree first (the store writes one for every action).
std::string case_document(const Case& a_case);
// The same for remedies_and_fees_to_json.
std::string remedies_and_fees_document(const std::vector<Remedy>& remedies,
                                       const std::vector<Fee>& fees);

// What write_case_members shows of a case. The defaults write the stored document's members;
// the staff's view (case_view.h) leaves the raw clocks out, adds flags of the day and may show
// a masked applicant.
struct CaseMembers {
  bool clocks = true;
  const Applicant* applicant = nullptr;        // instead of the registration's; null: as is
  std::vector<std::string_view> more_flags{};  // after the case's own
};
// Writes a case's members, in to_json's order, into an object `out` has open.
void write_case_members(JsonText& out, const Case& a_case, const CaseMembers& shown = {});

// A case's remedies and fees as its document holds them: {"remedies": [...], "fees": [...]}.
// The store keeps this beside the document for the annual report (store.h).
boost::json::object remedies_and_fees_to_json(const std::vector<Remedy>& remedies,
                                              const std::vector<Fee>& fees);
// Appends what `document` holds; throws std::invalid_argument naming the field when malformed.
void remedies_and_fees_from_json(const boost::json::value& document, std::vector<Remedy>& remedies,
                                 std::vector<Fee>& fees);

// Throws std::invalid_argument naming the field on malformed stored documents.
Case case_from_json(const boost::json::value& document);
Event event_from_json(const boost::json::value& document);
// The same from JSON text, for the store's read paths: the text is parsed into a scratch arena
// that is dropped before returning (what the result keeps is copied out), so reading a page of
// cases or a history does not allocate each node of each document. Throws what json::parse or
// the decoder above throws.
Case case_from_text(std::string_view document);
Event event_from_text(std::string_view document);

// Applicant details with the ID number and phone masked (370302********1234, 138****0000).
boost::json::object masked_applicant(const Applicant& applicant);
std::string mask_id_number(const std::string& id_number);
std::string mask_phone(const std::string& phone);

}  // namespace disclose
