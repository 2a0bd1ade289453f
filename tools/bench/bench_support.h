// Shared set-up for the micro-benchmarks: the bundled workflows and calendars behind one Engine,
// actors, fixed moments, and cases built through the engine itself (as the store would see them).
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <boost/json.hpp>

#include "disclose/calendar.h"
#include "disclose/case.h"
#include "disclose/date.h"
#include "disclose/engine.h"
#include "disclose/time_source.h"
#include "disclose/workflow.h"

namespace disclose::bench {

namespace json = boost::json;

inline Date date(const char* text) {
  auto parsed = Date::parse(text);
  if (!parsed) throw std::invalid_argument(std::string("bad bench date ") + text);
  return *parsed;
}

// 10:00 at +08:00 on the local date `today`.
inline Moment moment(Date today) {
  return Moment{Instant{std::chrono::seconds{int64_t{today.days()} * 86400 + 2 * 3600}}, today};
}

inline Actor staff(const char* id, const char* role) {
  return Actor{id, {role}, "zrzy", false};
}

// The bundled workflows and calendars (DISCLOSE_SOURCE_WORKFLOWS), loaded once per process.
class World {
 public:
  static const World& get() {
    static const World world;
    return world;
  }
  const Engine& engine() const { return engine_; }
  const WorkingCalendar& calendar() const { return calendar_; }

  // Applies one action; throws when the engine refuses (a benchmark set-up bug).
  Decision apply(const Case& current, const std::string& action, const json::value& input,
                 const Actor& actor, Date today) const {
    auto result = engine_.apply(current, action, input, actor, moment(today));
    if (!result.ok())
      throw std::runtime_error(action + " refused in '" + current.state +
                               "': " + result.error().message);
    return std::move(result.value());
  }

  // A gov-info-disclosure case received 2025-03-03, accepted and assigned: state `handling`.
  Case handling_case() const {
    auto registered = engine_.register_case(registration(), staff("u:1", "registrar"),
                                            moment(date("2025-03-03")));
    if (!registered.ok())
      throw std::runtime_error("register refused: " + registered.error().message);
    Case c = registered.value().next;
    c.id = 1;  // as the store would assign
    c = apply(c, "submit_review", json::object{}, staff("u:1", "registrar"), date("2025-03-03"))
            .next;
    c = apply(c, "accept", json::parse(R"({"assignee": "u:2"})"), staff("u:3", "reviewer"),
              date("2025-03-04"))
            .next;
    return c;
  }

  // The same case after a consultation and an extension, with notes: a fuller document.
  Case worked_case() const {
    Case c = handling_case();
    c = apply(c, "note", json::parse(R"({"text": "已电话联系申请人，确认所需信息范围"})"),
              staff("u:2", "handler"), date("2025-03-05"))
            .next;
    c = apply(c, "consult", json::parse(R"({"on": "2025-03-05", "party": "third_party",
                "party_name": "某开发公司", "party_received_on": "2025-03-06"})"),
              staff("u:2", "handler"), date("2025-03-05"))
            .next;
    c = apply(c, "consultation_done", json::parse(R"({"on": "2025-03-14", "opinion": "object"})"),
              staff("u:2", "handler"), date("2025-03-14"))
            .next;
    c = apply(c, "extend", json::parse(R"({"on": "2025-03-20", "working_days": 10,
                "reason": "涉及第三方，需进一步核实"})"),
              staff("u:4", "supervisor"), date("2025-03-20"))
            .next;
    return c;
  }

  static json::object registration() {
    return json::parse(R"({
      "workflow": "gov-info-disclosure", "agency": "zrzy", "channel": "online",
      "received_on": "2025-03-03", "receipt_evidence": "平台确认回执 2025-03-03",
      "applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                    "id_number": "370302199001011234", "phone": "13800000000",
                    "address": "青岛市市南区香港中路1号", "email": "zhangsan@example.cn"},
      "request": {"description": "2024年某地块征收补偿方案", "form": "electronic",
                  "delivery": "email"},
      "tags": ["征地拆迁"]})")
        .as_object();
  }

 private:
  World()
      : workflows_(WorkflowRegistry::load_dir(DISCLOSE_SOURCE_WORKFLOWS)),
        calendar_(load_calendar_dir(std::string(DISCLOSE_SOURCE_WORKFLOWS) + "/calendars")),
        engine_(workflows_, calendar_) {}

  WorkflowRegistry workflows_;
  WorkingCalendar calendar_;
  Engine engine_;
};

}  // namespace disclose::bench
