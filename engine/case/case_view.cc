#include "disclose/case_view.h"

#include <boost/json/array.hpp>
#include <string_view>
#include <vector>

#include "disclose/case_json.h"

namespace disclose {

namespace json = boost::json;

json::object deadline_json(const DeadlineView& deadline) {
  json::object out{{"kind", deadline.kind}};
  out["due_on"] = deadline.due_on ? json::value(deadline.due_on->str()) : json::value(nullptr);
  out["remaining_wd"] =
      deadline.remaining_wd ? json::value(*deadline.remaining_wd) : json::value(nullptr);
  out["status"] = to_string(deadline.status);
  out["provisional"] = deadline.provisional;
  out["overdue"] = deadline.overdue;
  out["epoch"] = deadline.epoch;
  return out;
}

namespace {

// The flags a view adds to the case's own from its deadlines on the day, in this order.
std::vector<std::string_view> flags_of_the_day(const std::vector<DeadlineView>& deadlines) {
  bool overdue = false, due_soon = false, provisional = false;
  for (const DeadlineView& d : deadlines) {
    overdue = overdue || d.overdue;
    provisional = provisional || d.provisional;
    if (d.remaining_wd && !d.overdue && *d.remaining_wd <= kDueSoonWorkingDays) due_soon = true;
  }
  std::vector<std::string_view> flags;
  if (due_soon) flags.emplace_back("due_soon");
  if (overdue) flags.emplace_back("overdue");
  if (provisional) flags.emplace_back("provisional");
  return flags;
}

}  // namespace

json::object case_view(const Engine& engine, const Case& a_case, const Actor& viewer, Date today,
                       const ViewOptions& options) {
  json::object out = to_json(a_case);
  // The raw clock facts are for storage; staff read `deadlines` (and `case clock` explains them).
  out.erase("clocks");
  if (!options.show_pii) {
    // The applicant sits wherever the stored document keeps it (top level or under registration).
    json::object* holder = &out;
    if (auto* nested = out.if_contains("registration"); nested && nested->is_object())
      holder = &nested->as_object();
    (*holder)["applicant"] = masked_applicant(a_case.registration.applicant);
  }
  json::array deadlines;
  json::array flags;
  for (const auto& flag : a_case.flags) flags.emplace_back(flag);
  const std::vector<DeadlineView> views = engine.deadlines(a_case, today);
  for (const DeadlineView& d : views) deadlines.push_back(deadline_json(d));
  for (std::string_view flag : flags_of_the_day(views)) flags.emplace_back(flag);
  out["deadlines"] = std::move(deadlines);
  out["flags"] = std::move(flags);
  json::array actions;
  for (const auto& name : engine.available_actions(a_case, viewer)) actions.emplace_back(name);
  out["actions"] = std::move(actions);
  return out;
}

void write_case_view_members(JsonText& out, const Engine& engine, const Case& a_case,
                             const Actor& viewer, const std::vector<DeadlineView>& deadlines,
                             const ViewOptions& options) {
  CaseMembers shown;
  shown.clocks = false;
  Applicant masked;
  if (!options.show_pii) {
    masked = a_case.registration.applicant;
    masked.id_number = mask_id_number(masked.id_number);
    masked.phone = mask_phone(masked.phone);
    shown.applicant = &masked;
  }
  shown.more_flags = flags_of_the_day(deadlines);
  write_case_members(out, a_case, shown);

  out.key("deadlines").begin_array();
  for (const DeadlineView& d : deadlines) {
    out.begin_object().field("kind", d.kind).key("due_on");
    if (d.due_on)
      out.string(d.due_on->str());
    else
      out.null();
    out.key("remaining_wd");
    if (d.remaining_wd)
      out.number(*d.remaining_wd);
    else
      out.null();
    out.field("status", to_string(d.status))
        .field("provisional", d.provisional)
        .field("overdue", d.overdue)
        .field("epoch", d.epoch)
        .end_object();
  }
  out.end_array().key("actions").begin_array();
  for (const auto& name : engine.available_actions(a_case, viewer)) out.string(name);
  out.end_array();
}

json::object explanation_json(const DeadlineExplanation& e) {
  json::object out = deadline_json(e.view);
  out["start"] = e.start.str();
  out["working_days"] = e.working_days;
  out["extension_wd"] = e.extension_wd;
  out["paused_wd"] = e.paused_wd;
  if (e.override_due) out["override_due"] = e.override_due->str();
  json::array steps;
  for (const ClockStep& s : e.steps) {
    json::object step{{"event_version", s.event_version}, {"what", s.what}, {"on", s.on.str()}};
    if (s.working_days != 0) step["working_days"] = s.working_days;
    if (s.due_on) step["due_on"] = s.due_on->str();
    if (!s.note.empty()) step["note"] = s.note;
    steps.push_back(std::move(step));
  }
  out["steps"] = std::move(steps);
  out["calendar_version"] = e.calendar_version;
  return out;
}

}  // namespace disclose
