#include "case/registration.h"

#include <algorithm>
#include <initializer_list>

namespace disclose {
namespace {

namespace json = boost::json;

ActionError invalid(const std::string& field, const std::string& message) {
  return {ErrorCode::invalid_input, field + ": " + message, field};
}
ActionError missing(const std::string& field) {
  return {ErrorCode::missing_input, field + ": required", field};
}

bool one_of(const std::string& value, const std::vector<std::string>& allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

// Reads the string members of an object, refusing unknown keys and non-strings.
class Fields {
 public:
  Fields(const json::object& object, std::string prefix) : object_(object), prefix_(prefix) {}

  std::optional<ActionError> only(std::initializer_list<const char*> allowed) const {
    for (const auto& member : object_) {
      // A plain name, not a structured binding: clang 14 (the fuzz build) cannot capture those.
      const json::string_view key = member.key();
      bool known = std::any_of(allowed.begin(), allowed.end(),
                               [&](const char* name) { return key == name; });
      // An empty key still gets a name the message and the field can show.
      if (!known)
        return invalid(prefix_ + (key.empty() ? "\"\"" : std::string(key)), "unknown field");
    }
    return std::nullopt;
  }

  // Returns an error, or sets `out` ("" when absent and optional).
  std::optional<ActionError> text(const char* name, bool required, std::string& out,
                                  size_t max_bytes = 2000) const {
    auto it = object_.find(name);
    if (it == object_.end() || it->value().is_null()) {
      if (required) return missing(prefix_ + name);
      return std::nullopt;
    }
    if (!it->value().is_string()) return invalid(prefix_ + name, "expected a string");
    out = std::string(it->value().get_string());
    if (required && out.empty()) return invalid(prefix_ + name, "must not be empty");
    if (out.size() > max_bytes)
      return invalid(prefix_ + name, "longer than " + std::to_string(max_bytes) + " bytes");
    return std::nullopt;
  }

 private:
  const json::object& object_;
  std::string prefix_;
};

#define DISCLOSE_TRY(expr) \
  if (auto error_ = (expr); error_) return *error_

}  // namespace

const std::vector<std::string>& applicant_kinds() {
  static const std::vector<std::string> kinds = {"natural_person", "commercial",    "research",
                                                 "public_welfare", "legal_service", "other_org"};
  return kinds;
}

const std::vector<std::string>& receipt_channels() {
  static const std::vector<std::string> channels = {"in_person", "mail_signed", "mail_plain",
                                                    "online", "fax"};
  return channels;
}

Result<RegistrationInput> parse_registration(const json::value& document, Date today) {
  if (!document.is_object()) return invalid("", "the registration must be a JSON object");
  const json::object& root = document.get_object();
  Fields top(root, "");
  DISCLOSE_TRY(top.only({"workflow", "agency", "channel", "received_on", "receipt_evidence",
                         "applicant", "request", "tags"}));

  RegistrationInput out;
  Registration& reg = out.registration;
  DISCLOSE_TRY(top.text("workflow", true, out.workflow, 100));
  DISCLOSE_TRY(top.text("agency", true, out.agency, 100));
  DISCLOSE_TRY(top.text("channel", true, reg.channel, 100));
  if (!one_of(reg.channel, receipt_channels()))
    return invalid("channel", "must be one of: " + joined(receipt_channels()));
  std::string received;
  DISCLOSE_TRY(top.text("received_on", true, received, 100));
  auto received_on = Date::parse(received);
  if (!received_on) return invalid("received_on", "not a valid date YYYY-MM-DD");
  if (*received_on > today)
    return ActionError{ErrorCode::date_in_future, "received_on: " + received + " is in the future",
                       "received_on"};
  reg.received_on = *received_on;
  DISCLOSE_TRY(top.text("receipt_evidence", false, reg.receipt_evidence));

  auto applicant_it = root.find("applicant");
  if (applicant_it == root.end() || applicant_it->value().is_null()) return missing("applicant");
  if (!applicant_it->value().is_object()) return invalid("applicant", "expected an object");
  Fields applicant(applicant_it->value().get_object(), "applicant.");
  DISCLOSE_TRY(applicant.only(
      {"kind", "name", "id_type", "id_number", "phone", "address", "email", "contact_person"}));
  Applicant& a = reg.applicant;
  DISCLOSE_TRY(applicant.text("kind", true, a.kind, 100));
  if (!one_of(a.kind, applicant_kinds()))
    return invalid("applicant.kind", "must be one of: " + joined(applicant_kinds()));
  DISCLOSE_TRY(applicant.text("name", true, a.name, 500));
  DISCLOSE_TRY(applicant.text("id_type", false, a.id_type, 100));
  DISCLOSE_TRY(applicant.text("id_number", false, a.id_number, 100));
  DISCLOSE_TRY(applicant.text("phone", false, a.phone, 100));
  DISCLOSE_TRY(applicant.text("address", false, a.address));
  DISCLOSE_TRY(applicant.text("email", false, a.email, 500));
  DISCLOSE_TRY(applicant.text("contact_person", false, a.contact_person, 500));

  auto request_it = root.find("request");
  if (request_it == root.end() || request_it->value().is_null()) return missing("request");
  if (!request_it->value().is_object()) return invalid("request", "expected an object");
  Fields request(request_it->value().get_object(), "request.");
  DISCLOSE_TRY(request.only({"description", "form", "delivery", "purpose"}));
  DISCLOSE_TRY(request.text("description", true, reg.request.description, 100000));
  DISCLOSE_TRY(request.text("form", false, reg.request.form, 100));
  DISCLOSE_TRY(request.text("delivery", false, reg.request.delivery, 100));
  DISCLOSE_TRY(request.text("purpose", false, reg.request.purpose, 100000));

  if (auto tags_it = root.find("tags"); tags_it != root.end() && !tags_it->value().is_null()) {
    if (!tags_it->value().is_array()) return invalid("tags", "expected a list of strings");
    for (const auto& tag : tags_it->value().get_array()) {
      if (!tag.is_string() || tag.get_string().empty() || tag.get_string().size() > 200)
        return invalid("tags", "every tag must be a non-empty string of at most 200 bytes");
      reg.tags.emplace_back(tag.get_string());
    }
  }

  out.normalised = root;
  out.normalised["received_on"] = reg.received_on.str();
  return out;
}

}  // namespace disclose
