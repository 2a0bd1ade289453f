// Fuzzes the JSON that staff send to create and move cases, and the stored case documents.
// The first byte picks what the rest (a JSON text) is fed to:
//   0      parse_registration, then Engine::register_case (the body of POST /cases)
//   1      case_from_json (a stored case document), which must round-trip through to_json
//   2      event_from_json (a stored event document)
//   3..255 the input of one gov-info-disclosure action (byte → action) on a case walked to a
//          state that action starts from, as a role that may take it (POST …/actions/{name})
// Bad documents must come back as refusals (Result errors or std::invalid_argument naming the
// field); an accepted one must give a case whose deadlines and explanations can be computed
// and whose stored form round-trips.
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "case/registration.h"
#include "disclose/case_json.h"
#include "fuzz_support.h"

namespace disclose::fuzz {
namespace {

namespace json = boost::json;

const std::string kWorkflow = "gov-info-disclosure";

Actor actor(const std::string& role) {
  if (role == "system") return Actor::system();
  return Actor{"u:" + role, {role}, "zrzy", false};
}

// The stored form must come back unchanged, and the store's direct writer must print it.
void check_round_trip(const Case& c) {
  const std::string stored = json::serialize(to_json(c));
  Case again;
  try {
    again = case_from_json(json::parse(stored));
  } catch (const std::exception& e) {
    finding(std::string("a case's own stored form does not load: ") + e.what() + "\n" + stored);
  }
  if (json::serialize(to_json(again)) != stored)
    finding("the stored form of a case does not round-trip:\n" + stored);
  if (case_document(c) != stored)
    finding("case_document differs from the serialised tree:\n" + case_document(c) + "\n" + stored);
}

void check_case(const Engine& engine, const Case& c, Date today) {
  for (const DeadlineView& d : engine.deadlines(c, today)) (void)engine.explain(c, d.kind, today);
  check_round_trip(c);
}

// Cases in the states the gov-info-disclosure actions start from, walked with valid inputs.
class Walked {
 public:
  explicit Walked(const Engine& engine) {
    const Moment now = fixed_moment();
    json::object doc = json::parse(R"({
      "workflow": "gov-info-disclosure", "agency": "zrzy", "channel": "online",
      "received_on": "2025-09-26", "receipt_evidence": "平台确认回执",
      "applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                    "id_number": "370302199001011234", "phone": "13800000000"},
      "request": {"description": "某地块征收补偿方案", "form": "electronic", "delivery": "email"}})")
                           .as_object();
    Case c = must(engine.register_case(doc, actor("registrar"), now), "register");
    keep(c);
    auto step = [&](const Case& from, const char* action, const char* role, const char* input) {
      return must(engine.apply(from, action, json::parse(input), actor(role), now), action);
    };
    Case review = keep(step(c, "submit_review", "registrar", "{}"));
    keep(step(review, "request_correction", "registrar",
              R"({"on": "2025-09-30", "items": ["请明确地块位置"], "window_wd": 15})"));
    Case handling = keep(step(review, "accept", "reviewer", R"({"assignee": "u:handler"})"));
    keep(step(handling, "consult", "handler",
              R"({"on": "2025-10-20", "party": "third_party", "party_name": "某公司",
                  "party_received_on": "2025-10-21"})"));
    keep(step(handling, "fee_notice", "handler",
              R"({"on": "2025-10-20", "method": "per_item", "amount_yuan": 100,
                  "applicant_received_on": "2025-10-21"})"));
    Case replying = keep(step(handling, "draft_reply", "handler",
                              R"({"determination": "granted", "basis": "条例第三十六条",
                                  "reasons": "属于公开范围"})"));
    Case delivering = keep(step(replying, "approve_reply", "reviewer", "{}"));
    Case closed = keep(step(delivering, "record_delivery", "registrar",
                            R"({"method": "post", "on": "2025-10-27", "tracking_no": "EMS1"})"));
    keep(step(closed, "archive", "registrar", "{}"));
  }

  const Case* in_state(const std::string& state) const {
    auto it = by_state_.find(state);
    return it == by_state_.end() ? nullptr : &it->second;
  }

 private:
  static Case must(Result<Decision> r, const char* what) {
    if (!r.ok())
      throw std::runtime_error(std::string("fuzz setup: ") + what +
                               " refused: " + r.error().message);
    return r.value().next;
  }
  Case keep(Case c) {
    by_state_.emplace(c.state, c);
    return c;
  }
  std::map<std::string, Case> by_state_;
};

void fuzz_action(const Engine& engine, const Walked& walked, uint8_t selector,
                 const json::value& input) {
  const Workflow* workflow = engine.workflows().find(kWorkflow);
  const ActionSpec& action = workflow->actions[selector % workflow->actions.size()];
  const Moment now = fixed_moment();
  for (const std::string& from : action.from) {
    const Case* current = walked.in_state(from);
    if (!current) continue;
    auto result = engine.apply(*current, action.name, input, actor(action.roles.front()), now);
    if (result.ok()) {
      check_case(engine, result.value().next, now.today);
      (void)json::serialize(to_json(result.value().event));
    } else if (result.error().message.empty()) {
      finding("a refusal without a message for " + action.name);
    }
    return;  // one starting state is enough per input
  }
}

}  // namespace
}  // namespace disclose::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace disclose;
  namespace json = boost::json;
  if (size < 1) return 0;
  const Engine& engine = fuzz::BundledEngine::shared().engine();
  static const fuzz::Walked walked(engine);
  const uint8_t mode = data[0];
  boost::system::error_code ec;
  json::value doc =
      json::parse(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), ec);
  if (ec) return 0;  // Boost.JSON's own parser is not what is fuzzed here
  const Moment now = fuzz::fixed_moment();

  switch (mode) {
    case 0: {
      auto parsed = parse_registration(doc, now.today);
      if (!parsed.ok()) {
        if (parsed.error().field.empty() && doc.is_object())
          fuzz::finding("a registration refusal that names no field: " + parsed.error().message);
        return 0;
      }
      (void)json::serialize(to_json(parsed.value().registration));
      auto registered = engine.register_case(doc, fuzz::actor("registrar"), now);
      if (registered.ok()) fuzz::check_case(engine, registered.value().next, now.today);
      return 0;
    }
    case 1: {
      Case c;
      try {
        c = case_from_json(doc);
      } catch (const std::invalid_argument&) {
        return 0;
      }
      fuzz::check_round_trip(c);
      return 0;
    }
    case 2: {
      try {
        Event e = event_from_json(doc);
        (void)json::serialize(to_json(e));
      } catch (const std::invalid_argument&) {
      }
      return 0;
    }
    default:
      fuzz::fuzz_action(engine, walked, mode, doc);
      return 0;
  }
}
