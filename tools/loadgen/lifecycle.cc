#include "loadgen/lifecycle.h"

namespace loadgen {

void CasePlan::applied(const std::string& action) {
  if (action == "request_correction") correction_done = true;
  if (action == "extend") extension_done = true;
}

std::optional<Step> next_step(const std::string& state, const CasePlan& plan,
                              const StepContext& context) {
  const std::string on = "\"" + context.on + "\"";
  if (state == "registered") return Step{"submit_review", Role::registrar, "{}", "review"};
  if (state == "review") {
    if (plan.correction && !plan.correction_done)
      return Step{"request_correction", Role::registrar,
                  "{\"on\":" + on + ",\"items\":[\"请明确所需信息的时间范围\"],\"window_wd\":15}",
                  "awaiting_correction"};
    return Step{"accept", Role::reviewer,
                "{\"assignee\":\"" + std::to_string(context.handler_id) + "\"}", "handling"};
  }
  if (state == "awaiting_correction")
    return Step{"correction_received", Role::registrar, "{\"on\":" + on + "}", "review"};
  if (state == "handling") {
    if (plan.extension && !plan.extension_done)
      return Step{"extend", Role::supervisor,
                  "{\"on\":" + on + ",\"working_days\":10,\"reason\":\"需向多个部门调取档案\"}",
                  "handling"};
    return Step{"draft_reply", Role::handler,
                "{\"determination\":\"partial\",\"basis\":\"条例第三十七条\","
                "\"reasons\":\"涉及第三方商业秘密的部分不予公开\"}",
                "replying"};
  }
  if (state == "replying") return Step{"approve_reply", Role::reviewer, "{}", "delivering"};
  if (state == "delivering")
    return Step{"record_delivery", Role::registrar, "{\"method\":\"electronic\",\"on\":" + on + "}",
                "closed"};
  if (state == "closed") return Step{"archive", Role::registrar, "{}", "archived"};
  return std::nullopt;
}

std::string registration_json(const std::string& agency, const std::string& on, uint64_t serial) {
  std::string n = std::to_string(serial);
  return "{\"workflow\":\"gov-info-disclosure\",\"agency\":\"" + agency +
         "\",\"channel\":\"online\",\"received_on\":\"" + on +
         "\",\"receipt_evidence\":\"平台确认回执 " + on +
         "\",\"applicant\":{\"kind\":\"natural_person\",\"name\":\"压测申请人" + n +
         "\",\"id_type\":\"resident_id\",\"id_number\":\"370302199001011234\","
         "\"phone\":\"13800000000\"},\"request\":{\"description\":\"压测申请第" +
         n +
         "件：某地块征收补偿方案\",\"form\":\"electronic\",\"delivery\":\"email\"},"
         "\"tags\":[\"压测\"]}";
}

}  // namespace loadgen
