// Shared helpers for engine tests: the bundled workflows and calendars behind an Engine, one
// Actor per role, fixed moments, the DESIGN.md §7 registration document, and a driver that walks
// a case to a given state through a fixed path of valid actions with valid inputs.
//
// Dates of the gov-info-disclosure path: received 2025-03-03, every later `on` not before the
// previous one, "today" 2025-06-30 unless a test says otherwise.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "disclose/calendar.h"
#include "disclose/engine.h"
#include "disclose/result.h"
#include "disclose/time_source.h"
#include "disclose/workflow.h"

namespace disclose::fixture {

namespace json = boost::json;

inline const std::string kWorkflowDir = DISCLOSE_SOURCE_WORKFLOWS;
inline const std::string kGovInfo = "gov-info-disclosure";
inline const std::string kOpenData = "public-data-open";
inline const std::string kAgency = "zrzy";
inline const std::string kReceivedOn = "2025-03-03";
inline const std::string kToday = "2025-06-30";

inline Date date(const std::string& text) {
  auto parsed = Date::parse(text);
  if (!parsed) throw std::invalid_argument("bad test date '" + text + "'");
  return *parsed;
}

// 10:00 at +08:00 (02:00 UTC) on the local date `today`.
inline Moment moment(const std::string& today = kToday) {
  Date day = date(today);
  return Moment{Instant{std::chrono::seconds{int64_t{day.days()} * 86400 + 2 * 3600}}, day};
}

// The six staff roles of DESIGN.md §1.
inline const std::vector<std::string>& staff_roles() {
  static const std::vector<std::string> roles = {"registrar",  "handler", "reviewer",
                                                 "supervisor", "auditor", "admin"};
  return roles;
}

// Staff roles plus "system" (the actor of automatic actions).
inline const std::vector<std::string>& every_role() {
  static const std::vector<std::string> roles = {"registrar", "handler", "reviewer", "supervisor",
                                                 "auditor",   "admin",   "system"};
  return roles;
}

// A user holding one role in `agency` (not scope_all); "system" gives Actor::system().
inline Actor actor(const std::string& role, const std::string& agency = kAgency) {
  if (role == "system") return Actor::system();
  static const std::map<std::string, std::string> ids = {
      {"registrar", "u:1"},  {"handler", "u:2"}, {"reviewer", "u:3"},
      {"supervisor", "u:4"}, {"auditor", "u:5"}, {"admin", "u:6"}};
  auto it = ids.find(role);
  return Actor{it == ids.end() ? "u:99" : it->second, {role}, agency, false};
}

// The registration document of DESIGN.md §7.
inline json::object registration(const std::string& received_on = kReceivedOn,
                                 const std::string& workflow = kGovInfo) {
  json::object doc = json::parse(R"({
    "workflow": "gov-info-disclosure", "agency": "zrzy", "channel": "online",
    "received_on": "2025-03-03", "receipt_evidence": "平台确认回执 2025-03-03",
    "applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                  "id_number": "370302199001011234", "phone": "13800000000",
                  "address": "青岛市市南区香港中路1号", "email": "zhangsan@example.cn"},
    "request": {"description": "2024年某地块征收补偿方案", "form": "electronic",
                "delivery": "email"},
    "tags": ["征地拆迁"]})")
                         .as_object();
  doc["received_on"] = received_on;
  doc["workflow"] = workflow;
  return doc;
}

inline json::object object(const char* text) {
  return json::parse(text).as_object();
}

// "code (field): message", or "ok".
template <class T>
std::string describe(const Result<T>& result) {
  if (result.ok()) return "ok";
  const ActionError& error = result.error();
  return std::string(to_string(error.code)) + " (field '" + error.field + "'): " + error.message;
}

// The result is an error with this code and, when given, this field.
template <class T>
::testing::AssertionResult refused(const Result<T>& result, ErrorCode code,
                                   const std::string* field = nullptr) {
  if (result.ok())
    return ::testing::AssertionFailure() << "expected " << to_string(code) << ", got ok";
  const ActionError& error = result.error();
  if (error.code != code)
    return ::testing::AssertionFailure()
           << "expected " << to_string(code) << ", got " << describe(result);
  if (field && error.field != *field)
    return ::testing::AssertionFailure()
           << "expected field '" << *field << "', got " << describe(result);
  return ::testing::AssertionSuccess();
}

// The same, naming the field the refusal must name. (Not an std::optional<std::string> default
// argument: GCC 12 warns, wrongly, that such a temporary may be used uninitialised.)
template <class T>
::testing::AssertionResult refused(const Result<T>& result, ErrorCode code,
                                   const std::string& field) {
  return refused(result, code, &field);
}

// One action of a driver path.
struct Step {
  std::string action;
  std::string role;
  json::object input;
};

// The fixed path of valid actions that takes a new gov-info-disclosure case to `state`.
inline std::vector<Step> gov_info_path(const std::string& state) {
  const std::vector<Step> to_review = {{"submit_review", "registrar", {}}};
  const std::vector<Step> to_handling = {{"submit_review", "registrar", {}},
                                         {"accept", "reviewer", object(R"({"assignee": "u:2"})")}};
  auto extended = [](std::vector<Step> path, std::vector<Step> more) {
    path.insert(path.end(), more.begin(), more.end());
    return path;
  };
  const Step draft{"draft_reply", "handler",
                   object(R"({"determination": "granted", "basis": "条例第三十六条第（一）项",
                              "reasons": "属于本机关公开范围"})")};
  const Step approve{"approve_reply", "reviewer", {}};
  const Step deliver{"record_delivery", "registrar",
                     object(R"({"method": "post", "on": "2025-03-07",
                                "tracking_no": "EMS1234567890"})")};
  if (state == "registered") return {};
  if (state == "review") return to_review;
  if (state == "awaiting_correction")
    return extended(to_review, {{"request_correction", "registrar",
                                 object(R"({"on": "2025-03-04", "items": ["申请人身份证明"],
                                            "window_wd": 15})")}});
  if (state == "handling") return to_handling;
  if (state == "consulting")
    return extended(to_handling,
                    {{"consult", "handler", object(R"({"on": "2025-03-05", "party": "third_party",
                                 "party_name": "某开发公司", "party_received_on": "2025-03-06"})")}});
  if (state == "awaiting_fee")
    return extended(to_handling,
                    {{"fee_notice", "handler",
                      object(R"({"on": "2025-03-05", "method": "per_item", "amount_yuan": 100,
                                 "applicant_received_on": "2025-03-06"})")}});
  if (state == "replying") return extended(to_handling, {draft});
  if (state == "delivering") return extended(to_handling, {draft, approve});
  if (state == "closed") return extended(to_handling, {draft, approve, deliver});
  if (state == "archived")
    return extended(to_handling, {draft, approve, deliver, {"archive", "registrar", {}}});
  throw std::invalid_argument("no driver path to state '" + state + "'");
}

// The latest `on` (or receipt date) along gov_info_path(state).
inline std::string gov_info_last_on(const std::string& state) {
  std::string last = kReceivedOn;
  for (const Step& step : gov_info_path(state)) {
    if (auto it = step.input.find("on"); it != step.input.end())
      last = std::string(it->value().as_string());
  }
  return last;
}

// The fixed path for public-data-open (received 2025-09-30; use today 2025-10-20).
inline const std::string kOpenDataReceivedOn = "2025-09-30";
inline const std::string kOpenDataToday = "2025-10-20";
inline std::vector<Step> open_data_path(const std::string& state) {
  const Step accept{"accept", "reviewer", object(R"({"on": "2025-10-09", "assignee": "u:2"})")};
  const Step provide{"provide", "handler", object(R"({"on": "2025-10-13", "means": "download"})")};
  const Step archive{"archive", "registrar", {}};
  if (state == "registered") return {};
  if (state == "providing") return {accept};
  if (state == "closed") return {accept, provide};
  if (state == "archived") return {accept, provide, archive};
  throw std::invalid_argument("no public-data-open path to state '" + state + "'");
}

// Loads the bundled workflows and calendars and builds an Engine over them.
class Harness {
 public:
  Harness()
      : workflows_(WorkflowRegistry::load_dir(kWorkflowDir)),
        calendar_(load_calendar_dir(kWorkflowDir + "/calendars")),
        engine_(workflows_, calendar_) {}
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  // One harness per test program (the engine is pure, so sharing it is safe).
  static const Harness& shared() {
    static const Harness harness;
    return harness;
  }

  const Engine& engine() const { return engine_; }
  const WorkingCalendar& calendar() const { return calendar_; }
  const WorkflowRegistry& workflows() const { return workflows_; }

  // Registers as the registrar; throws when the engine refuses.
  Case register_case(const json::object& document, const std::string& today = kToday) const {
    auto result = engine_.register_case(document, actor("registrar"), moment(today));
    if (!result.ok()) throw std::runtime_error("register refused: " + describe(result));
    return result.value().next;
  }

  // Applies one action; throws when the engine refuses.
  Case step(const Case& current, const Step& s, const std::string& today = kToday) const {
    auto result = engine_.apply(current, s.action, s.input, actor(s.role), moment(today));
    if (!result.ok())
      throw std::runtime_error(s.action + " in '" + current.state +
                               "' refused: " + describe(result));
    return result.value().next;
  }

  // A new gov-info-disclosure case (received 2025-03-03) walked to `state`.
  Case walk_to(const std::string& state) const {
    Case current = register_case(registration());
    for (const Step& s : gov_info_path(state)) current = step(current, s);
    return current;
  }

  // A new public-data-open case (received 2025-09-30) walked to `state`.
  Case walk_open_data_to(const std::string& state) const {
    Case current = register_case(registration(kOpenDataReceivedOn, kOpenData), kOpenDataToday);
    for (const Step& s : open_data_path(state)) current = step(current, s, kOpenDataToday);
    return current;
  }

 private:
  WorkflowRegistry workflows_;
  WorkingCalendar calendar_;
  Engine engine_;
};

}  // namespace disclose::fixture
