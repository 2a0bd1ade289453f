// Fuzzes the workflow YAML loader: parse_workflow never throws and reports bad content as
// file:line errors. A workflow it accepts must then be safe to run: the engine registers a case
// under it and tries each of its actions with an empty input (refusals are fine, crashes not),
// and the Graphviz export renders it.
#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/json.hpp>

#include "fuzz_support.h"

namespace {

// A registration for `workflow_name` that the bundled workflow would accept.
boost::json::object registration(const std::string& workflow_name) {
  boost::json::object doc = boost::json::parse(R"({
    "workflow": "", "agency": "zrzy", "channel": "online", "received_on": "2025-09-26",
    "applicant": {"kind": "natural_person", "name": "张三"},
    "request": {"description": "某地块征收补偿方案"}})")
                                .as_object();
  doc["workflow"] = workflow_name;
  return doc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace disclose;
  std::string text(reinterpret_cast<const char*>(data), size);
  WorkflowLoad load = parse_workflow(text, "fuzz.yaml");
  if (load.workflow.has_value() != load.errors.empty())
    fuzz::finding("a workflow together with errors, or neither");
  for (const WorkflowError& e : load.errors) {
    if (e.message.empty()) fuzz::finding("an error without a message");
    (void)e.str();
  }
  if (!load.workflow) return 0;

  const Workflow& workflow = *load.workflow;
  (void)workflow_dot(workflow);
  WorkflowRegistry registry;
  registry.add(workflow);
  WorkingCalendar weekends_only;
  Engine engine(registry, weekends_only);
  Moment now = fuzz::fixed_moment();
  Actor registrar{"u:1", {"registrar"}, "zrzy", false};
  auto registered = engine.register_case(registration(workflow.name), registrar, now);
  if (!registered.ok()) return 0;
  const Case& a_case = registered.value().next;
  (void)engine.deadlines(a_case, now.today);
  for (const ActionSpec& action : workflow.actions) {
    for (const std::string& role : action.roles) {
      Actor actor = role == "system" ? Actor::system() : Actor{"u:2", {role}, "zrzy", false};
      auto applied = engine.apply(a_case, action.name, boost::json::object{}, actor, now);
      if (applied.ok()) (void)engine.deadlines(applied.value().next, now.today);
    }
  }
  return 0;
}
