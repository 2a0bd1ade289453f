// JSON forms of cases and events (DESIGN.md §7). The stored case document is exactly
// to_json(Case), so reading must accept everything writing produces and nothing silently lost.
//
// Conventions: dates are "YYYY-MM-DD", instants RFC 3339 in UTC ("…Z"); empty optionals are
// omitted; every other field is always written so the shape is stable for readers. On reading,
// identity fields are required and the rest default, so a document written before a field
// existed still loads. Errors name the field's path, e.g. "clocks[0].pauses[1].from".
#include "disclose/case_json.h"

#include "disclose/json_text.h"

#include <boost/json.hpp>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace disclose {
namespace json = boost::json;

namespace {

// ---- writing -------------------------------------------------------------------------------

void put_date(json::object& out, std::string_view key, const std::optional<Date>& date) {
  if (date) out[key] = date->str();
}

json::object to_json(const Applicant& a) {
  return {{"kind", a.kind},       {"name", a.name},
          {"id_type", a.id_type}, {"id_number", a.id_number},
          {"phone", a.phone},     {"address", a.address},
          {"email", a.email},     {"contact_person", a.contact_person}};
}

json::object to_json(const RequestDetails& r) {
  return {{"description", r.description},
          {"form", r.form},
          {"delivery", r.delivery},
          {"purpose", r.purpose}};
}

json::object to_json(const ClockStep& s) {
  json::object out{{"event_version", s.event_version},
                   {"what", s.what},
                   {"on", s.on.str()},
                   {"working_days", s.working_days}};
  put_date(out, "due_on", s.due_on);
  out["note"] = s.note;
  return out;
}

json::object to_json(const Pause& p) {
  json::object out{{"from", p.from.str()}};
  put_date(out, "to", p.to);
  return out;
}

// ---- reading -------------------------------------------------------------------------------

[[noreturn]] void malformed(const std::string& path, std::string_view what) {
  throw std::invalid_argument("malformed document: " + (path.empty() ? "(root)" : path) + ": " +
                              std::string(what));
}

// Reads fields of one JSON object, naming each by its path from the document root.
class Fields {
 public:
  Fields(const json::value& value, std::string path) : path_(std::move(path)) {
    if (!value.is_object()) malformed(path_, "expected an object");
    object_ = &value.get_object();
  }

  std::string path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  // The value at `key`; null counts as absent.
  const json::value* find(std::string_view key, bool required) const {
    const json::value* v = object_->if_contains(key);
    if (v && v->is_null()) v = nullptr;
    if (!v && required) malformed(path(key), "missing");
    return v;
  }

  std::string text(std::string_view key, bool required = false) const {
    const json::value* v = find(key, required);
    if (!v) return {};
    if (!v->is_string()) malformed(path(key), "expected a string");
    return std::string(v->get_string());
  }

  int64_t integer(std::string_view key, bool required = false, int64_t fallback = 0) const {
    const json::value* v = find(key, required);
    if (!v) return fallback;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= uint64_t(std::numeric_limits<int64_t>::max())) {
      return static_cast<int64_t>(v->get_uint64());
    }
    malformed(path(key), "expected an integer");
  }

  int small_integer(std::string_view key, bool required = false, int fallback = 0) const {
    int64_t n = integer(key, required, fallback);
    if (n < std::numeric_limits<int>::min() || n > std::numeric_limits<int>::max()) {
      malformed(path(key), "integer out of range");
    }
    return static_cast<int>(n);
  }

  bool boolean(std::string_view key) const {
    const json::value* v = find(key, false);
    if (!v) return false;
    if (!v->is_bool()) malformed(path(key), "expected true or false");
    return v->get_bool();
  }

  std::optional<Date> optional_date(std::string_view key, bool required = false) const {
    const json::value* v = find(key, required);
    if (!v) return std::nullopt;
    std::optional<Date> d;
    if (v->is_string()) d = Date::parse(v->get_string());
    if (!d) malformed(path(key), "expected a YYYY-MM-DD date");
    return d;
  }

  Date date(std::string_view key) const { return *optional_date(key, true); }

  Instant instant(std::string_view key) const {
    const json::value* v = find(key, true);
    std::optional<Instant> at;
    if (v->is_string()) at = parse_instant(v->get_string());
    if (!at) malformed(path(key), "expected an RFC 3339 instant");
    return *at;
  }

  // An array; absent means empty.
  const json::array& array(std::string_view key) const {
    static const json::array kEmpty;
    const json::value* v = find(key, false);
    if (!v) return kEmpty;
    if (!v->is_array()) malformed(path(key), "expected an array");
    return v->get_array();
  }

  json::object object(std::string_view key) const {
    const json::value* v = find(key, false);
    if (!v) return {};
    if (!v->is_object()) malformed(path(key), "expected an object");
    // Copied into the default resource: the document may live in a scratch arena.
    return json::object(v->get_object(), json::storage_ptr());
  }

  Fields nested(std::string_view key, bool required = true) const {
    static const json::value kEmpty = json::object();
    const json::value* v = find(key, required);
    return Fields(v ? *v : kEmpty, path(key));
  }

  // Each element of the array at `key` with its indexed path, e.g. "clocks[2]".
  template <class F>
  void each(std::string_view key, F&& f) const {
    const json::array& items = array(key);
    for (size_t i = 0; i < items.size(); ++i) {
      f(items[i], path(key) + "[" + std::to_string(i) + "]");
    }
  }

 private:
  const json::object* object_ = nullptr;
  std::string path_;
};

std::string element_text(const json::value& v, const std::string& path) {
  if (!v.is_string()) malformed(path, "expected a string");
  return std::string(v.get_string());
}

Applicant applicant_from(const Fields& f) {
  Applicant a;
  a.kind = f.text("kind");
  a.name = f.text("name");
  a.id_type = f.text("id_type");
  a.id_number = f.text("id_number");
  a.phone = f.text("phone");
  a.address = f.text("address");
  a.email = f.text("email");
  a.contact_person = f.text("contact_person");
  return a;
}

RequestDetails request_from(const Fields& f) {
  RequestDetails r;
  r.description = f.text("description");
  r.form = f.text("form");
  r.delivery = f.text("delivery");
  r.purpose = f.text("purpose");
  return r;
}

Registration registration_from(const Fields& f) {
  Registration r;
  r.channel = f.text("channel");
  r.received_on = f.date("received_on");
  r.receipt_evidence = f.text("receipt_evidence");
  r.applicant = applicant_from(f.nested("applicant", false));
  r.request = request_from(f.nested("request", false));
  f.each("tags", [&](const json::value& v, const std::string& path) {
    r.tags.push_back(element_text(v, path));
  });
  return r;
}

Clock clock_from(const Fields& f) {
  Clock c;
  c.kind = f.text("kind", true);
  c.start = f.date("start");
  c.working_days = f.small_integer("working_days");
  c.extension_wd = f.small_integer("extension_wd");
  c.extensions = f.small_integer("extensions");
  f.each("pauses", [&](const json::value& v, const std::string& path) {
    Fields p(v, path);
    c.pauses.push_back(Pause{p.date("from"), p.optional_date("to")});
  });
  c.override_due = f.optional_date("override_due");
  std::string status = f.text("status", true);
  std::optional<ClockStatus> parsed = clock_status_from(status);
  if (!parsed) malformed(f.path("status"), "unknown clock status '" + status + "'");
  c.status = *parsed;
  c.ended_on = f.optional_date("ended_on");
  c.epoch = f.small_integer("epoch", false, 1);
  f.each("steps", [&](const json::value& v, const std::string& path) {
    Fields s(v, path);
    ClockStep step;
    step.event_version = s.integer("event_version");
    step.what = s.text("what", true);
    step.on = s.date("on");
    step.working_days = s.small_integer("working_days");
    step.due_on = s.optional_date("due_on");
    step.note = s.text("note");
    c.steps.push_back(std::move(step));
  });
  return c;
}

// The "remedies" and "fees" members of a case document (absent or null: none).
void read_remedies_and_fees(const Fields& f, std::vector<Remedy>& remedies,
                            std::vector<Fee>& fees) {
  f.each("remedies", [&](const json::value& v, const std::string& path) {
    Fields r(v, path);
    remedies.push_back(Remedy{r.date("on"), r.text("kind", true), r.text("result")});
  });
  f.each("fees", [&](const json::value& v, const std::string& path) {
    Fields x(v, path);
    fees.push_back(
        Fee{x.date("on"), x.text("method"), x.integer("amount_yuan"), x.boolean("paid")});
  });
}

}  // namespace

// ---- public --------------------------------------------------------------------------------

json::object to_json(const Registration& r) {
  json::array tags;
  for (const std::string& t : r.tags) tags.emplace_back(t);
  return {{"channel", r.channel},
          {"received_on", r.received_on.str()},
          {"receipt_evidence", r.receipt_evidence},
          {"applicant", to_json(r.applicant)},
          {"request", to_json(r.request)},
          {"tags", std::move(tags)}};
}

json::object to_json(const Clock& c) {
  json::array pauses, steps;
  for (const Pause& p : c.pauses) pauses.emplace_back(to_json(p));
  for (const ClockStep& s : c.steps) steps.emplace_back(to_json(s));
  json::object out{{"kind", c.kind},
                   {"start", c.start.str()},
                   {"working_days", c.working_days},
                   {"extension_wd", c.extension_wd},
                   {"extensions", c.extensions},
                   {"pauses", std::move(pauses)}};
  put_date(out, "override_due", c.override_due);
  out["status"] = to_string(c.status);
  put_date(out, "ended_on", c.ended_on);
  out["epoch"] = c.epoch;
  out["steps"] = std::move(steps);
  return out;
}

json::object remedies_and_fees_to_json(const std::vector<Remedy>& remedies,
                                       const std::vector<Fee>& fees) {
  json::array remedy_list, fee_list;
  for (const Remedy& r : remedies) {
    remedy_list.emplace_back(
        json::object{{"on", r.on.str()}, {"kind", r.kind}, {"result", r.result}});
  }
  for (const Fee& f : fees) {
    fee_list.emplace_back(json::object{{"on", f.on.str()},
                                       {"method", f.method},
                                       {"amount_yuan", f.amount_yuan},
                                       {"paid", f.paid}});
  }
  return {{"remedies", std::move(remedy_list)}, {"fees", std::move(fee_list)}};
}

void remedies_and_fees_from_json(const json::value& document, std::vector<Remedy>& remedies,
                                 std::vector<Fee>& fees) {
  read_remedies_and_fees(Fields(document, ""), remedies, fees);
}

json::object to_json(const Case& c) {
  json::array clocks, flags;
  for (const Clock& k : c.clocks) clocks.emplace_back(to_json(k));
  for (const std::string& f : c.flags) flags.emplace_back(f);
  json::object out{{"id", c.id},
                   {"number", c.number},
                   {"workflow", c.workflow},
                   {"agency", c.agency},
                   {"state", c.state},
                   {"version", c.version},
                   {"registration", to_json(c.registration)},
                   {"assignee", c.assignee},
                   {"clocks", std::move(clocks)},
                   {"flags", std::move(flags)}};
  if (c.outcome) {
    out["outcome"] = json::object{{"determination", c.outcome->determination},
                                  {"basis", c.outcome->basis},
                                  {"reasons", c.outcome->reasons}};
  }
  put_date(out, "closed_on", c.closed_on);
  if (c.delivery) {
    out["delivery"] = json::object{{"method", c.delivery->method},
                                   {"on", c.delivery->on.str()},
                                   {"tracking_no", c.delivery->tracking_no}};
  }
  json::object remedies_and_fees = remedies_and_fees_to_json(c.remedies, c.fees);
  out["remedies"] = std::move(remedies_and_fees["remedies"]);
  out["fees"] = std::move(remedies_and_fees["fees"]);
  put_date(out, "last_dated_on", c.last_dated_on);
  out["created_at"] = format_instant(c.created_at, 0);
  out["updated_at"] = format_instant(c.updated_at, 0);
  return out;
}

// ---- the stored document as text -----------------------------------------------------------
// case_document writes what json::serialize(to_json(c)) prints, member for member in the same
// order; the CaseJson tests and the case_json fuzz target compare the two byte for byte.

namespace {

void write_date(JsonText& out, std::string_view key, const std::optional<Date>& date) {
  if (date) out.field(key, date->str());
}

void write_clock(JsonText& out, const Clock& c) {
  out.begin_object()
      .field("kind", c.kind)
      .field("start", c.start.str())
      .field("working_days", c.working_days)
      .field("extension_wd", c.extension_wd)
      .field("extensions", c.extensions)
      .key("pauses")
      .begin_array();
  for (const Pause& p : c.pauses) {
    out.begin_object().field("from", p.from.str());
    write_date(out, "to", p.to);
    out.end_object();
  }
  out.end_array();
  write_date(out, "override_due", c.override_due);
  out.field("status", to_string(c.status));
  write_date(out, "ended_on", c.ended_on);
  out.field("epoch", c.epoch).key("steps").begin_array();
  for (const ClockStep& s : c.steps) {
    out.begin_object()
        .field("event_version", s.event_version)
        .field("what", s.what)
        .field("on", s.on.str())
        .field("working_days", s.working_days);
    write_date(out, "due_on", s.due_on);
    out.field("note", s.note).end_object();
  }
  out.end_array().end_object();
}

void write_registration(JsonText& out, const Registration& r, const Applicant& a) {
  const RequestDetails& q = r.request;
  out.begin_object()
      .field("channel", r.channel)
      .field("received_on", r.received_on.str())
      .field("receipt_evidence", r.receipt_evidence)
      .key("applicant")
      .begin_object()
      .field("kind", a.kind)
      .field("name", a.name)
      .field("id_type", a.id_type)
      .field("id_number", a.id_number)
      .field("phone", a.phone)
      .field("address", a.address)
      .field("email", a.email)
      .field("contact_person", a.contact_person)
      .end_object()
      .key("request")
      .begin_object()
      .field("description", q.description)
      .field("form", q.form)
      .field("delivery", q.delivery)
      .field("purpose", q.purpose)
      .end_object()
      .key("tags")
      .begin_array();
  for (const std::string& t : r.tags) out.string(t);
  out.end_array().end_object();
}

void write_remedies(JsonText& out, const std::vector<Remedy>& remedies) {
  out.begin_array();
  for (const Remedy& r : remedies)
    out.begin_object()
        .field("on", r.on.str())
        .field("kind", r.kind)
        .field("result", r.result)
        .end_object();
  out.end_array();
}

void write_fees(JsonText& out, const std::vector<Fee>& fees) {
  out.begin_array();
  for (const Fee& f : fees)
    out.begin_object()
        .field("on", f.on.str())
        .field("method", f.method)
        .field("amount_yuan", f.amount_yuan)
        .field("paid", f.paid)
        .end_object();
  out.end_array();
}

}  // namespace

void write_case_members(JsonText& out, const Case& c, const CaseMembers& shown) {
  out.field("id", c.id)
      .field("number", c.number)
      .field("workflow", c.workflow)
      .field("agency", c.agency)
      .field("state", c.state)
      .field("version", c.version)
      .key("registration");
  write_registration(out, c.registration,
                     shown.applicant ? *shown.applicant : c.registration.applicant);
  out.field("assignee", c.assignee);
  if (shown.clocks) {
    out.key("clocks").begin_array();
    for (const Clock& k : c.clocks) write_clock(out, k);
    out.end_array();
  }
  out.key("flags").begin_array();
  for (const std::string& f : c.flags) out.string(f);
  for (std::string_view f : shown.more_flags) out.string(f);
  out.end_array();
  if (c.outcome) {
    out.key("outcome")
        .begin_object()
        .field("determination", c.outcome->determination)
        .field("basis", c.outcome->basis)
        .field("reasons", c.outcome->reasons)
        .end_object();
  }
  write_date(out, "closed_on", c.closed_on);
  if (c.delivery) {
    out.key("delivery")
        .begin_object()
        .field("method", c.delivery->method)
        .field("on", c.delivery->on.str())
        .field("tracking_no", c.delivery->tracking_no)
        .end_object();
  }
  out.key("remedies");
  write_remedies(out, c.remedies);
  out.key("fees");
  write_fees(out, c.fees);
  write_date(out, "last_dated_on", c.last_dated_on);
  out.field("created_at", format_instant(c.created_at, 0))
      .field("updated_at", format_instant(c.updated_at, 0));
}

std::string case_document(const Case& c) {
  std::string text;
  text.reserve(2048);
  JsonText out(text);
  out.begin_object();
  write_case_members(out, c);
  out.end_object();
  return text;
}

std::string remedies_and_fees_document(const std::vector<Remedy>& remedies,
                                       const std::vector<Fee>& fees) {
  std::string text;
  JsonText out(text);
  out.begin_object().key("remedies");
  write_remedies(out, remedies);
  out.key("fees");
  write_fees(out, fees);
  out.end_object();
  return text;
}

json::object to_json(const Event& e) {
  json::object out{{"case_id", e.case_id},
                   {"seq", e.seq},
                   {"type", e.type},
                   {"actor", e.actor},
                   {"recorded_at", format_instant(e.recorded_at, 0)}};
  put_date(out, "on", e.on);
  out["from_state"] = e.from_state;
  out["to_state"] = e.to_state;
  out["input"] = e.input;
  out["effects"] = e.effects;
  return out;
}

Case case_from_json(const json::value& document) {
  Fields f(document, "");
  Case c;
  c.id = f.integer("id", true);
  c.number = f.text("number");
  c.workflow = f.text("workflow", true);
  c.agency = f.text("agency", true);
  c.state = f.text("state", true);
  c.version = f.integer("version", true);
  c.registration = registration_from(f.nested("registration"));
  c.assignee = f.text("assignee");
  f.each("clocks", [&](const json::value& v, const std::string& path) {
    c.clocks.push_back(clock_from(Fields(v, path)));
  });
  f.each("flags", [&](const json::value& v, const std::string& path) {
    c.flags.insert(element_text(v, path));
  });
  if (f.find("outcome", false)) {
    Fields o = f.nested("outcome");
    c.outcome = Outcome{o.text("determination", true), o.text("basis"), o.text("reasons")};
  }
  c.closed_on = f.optional_date("closed_on");
  if (f.find("delivery", false)) {
    Fields d = f.nested("delivery");
    c.delivery = Delivery{d.text("method"), d.date("on"), d.text("tracking_no")};
  }
  read_remedies_and_fees(f, c.remedies, c.fees);
  c.last_dated_on = f.optional_date("last_dated_on");
  c.created_at = f.instant("created_at");
  c.updated_at = f.instant("updated_at");
  return c;
}

Event event_from_json(const json::value& document) {
  Fields f(document, "");
  Event e;
  e.case_id = f.integer("case_id", true);
  e.seq = f.integer("seq", true);
  e.type = f.text("type", true);
  e.actor = f.text("actor", true);
  e.recorded_at = f.instant("recorded_at");
  e.on = f.optional_date("on");
  e.from_state = f.text("from_state");
  e.to_state = f.text("to_state", true);
  e.input = f.object("input");
  e.effects = f.object("effects");
  return e;
}

namespace {

// Parses `text` into an arena on the stack (spilling to the heap past it) and decodes it; the
// decoders copy every string and object they keep, so nothing refers to the arena afterwards.
template <class Decode>
auto decode_text(std::string_view text, Decode&& decode) {
  unsigned char buffer[8192];
  json::monotonic_resource arena(buffer, sizeof buffer);
  json::value document = json::parse(text, &arena);
  return decode(document);
}

}  // namespace

Case case_from_text(std::string_view document) {
  return decode_text(document, [](const json::value& v) { return case_from_json(v); });
}

Event event_from_text(std::string_view document) {
  return decode_text(document, [](const json::value& v) { return event_from_json(v); });
}

// ---- masking -------------------------------------------------------------------------------

namespace {

// One code point of a UTF-8 string, or one stray byte that is not valid UTF-8.
struct Unit {
  std::string_view bytes;
  bool valid = true;
};

// The length of the sequence a lead byte starts; 0 for a byte that cannot start one.
size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Three- and four-byte forms whose second byte makes them too short, a UTF-16 surrogate or
// beyond U+10FFFF.
bool overlong_or_surrogate(std::string_view seq) {
  auto lead = static_cast<unsigned char>(seq[0]), next = static_cast<unsigned char>(seq[1]);
  return (lead == 0xE0 && next < 0xA0) || (lead == 0xED && next > 0x9F) ||
         (lead == 0xF0 && next < 0x90) || (lead == 0xF4 && next > 0x8F);
}

std::vector<Unit> utf8_units(std::string_view s) {
  std::vector<Unit> units;
  size_t i = 0;
  while (i < s.size()) {
    size_t len = sequence_length(static_cast<unsigned char>(s[i]));
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    }
    if (ok && len > 2) ok = !overlong_or_surrogate(s.substr(i, len));
    if (!ok) len = 1;
    units.push_back(Unit{s.substr(i, len), ok});
    i += len;
  }
  return units;
}

// Keeps `front` code points at the start and `back` at the end, one '*' for each other one.
// Kept stray bytes become U+FFFD so the result is always valid UTF-8.
std::string mask(const std::string& text, size_t front, size_t back) {
  std::vector<Unit> units = utf8_units(text);
  std::string out;
  for (size_t i = 0; i < units.size(); ++i) {
    if (i < front || i + back >= units.size()) {
      out += units[i].valid ? std::string(units[i].bytes) : std::string("\xEF\xBF\xBD");
    } else {
      out += '*';
    }
  }
  return out;
}

size_t length_in_code_points(const std::string& text) {
  return utf8_units(text).size();
}

}  // namespace

// Long numbers (resident IDs, USCC) keep the region prefix and the last four; short ones (such
// as passports) keep only the last two; two characters or fewer reveal nothing.
std::string mask_id_number(const std::string& id_number) {
  size_t n = length_in_code_points(id_number);
  if (n > 10) return mask(id_number, 6, 4);
  if (n > 2) return mask(id_number, 0, 2);
  return mask(id_number, 0, 0);
}

// Mobile numbers keep the carrier prefix and the last four; short ones keep the last two.
std::string mask_phone(const std::string& phone) {
  size_t n = length_in_code_points(phone);
  if (n > 7) return mask(phone, 3, 4);
  if (n > 2) return mask(phone, 0, 2);
  return mask(phone, 0, 0);
}

json::object masked_applicant(const Applicant& applicant) {
  json::object out = to_json(applicant);
  out["id_number"] = mask_id_number(applicant.id_number);
  out["phone"] = mask_phone(applicant.phone);
  return out;
}

}  // namespace disclose
