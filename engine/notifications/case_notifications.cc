#include "disclose/case_notifications.h"

#include <algorithm>
#include <utility>

#include "disclose/case_view.h"

namespace disclose {

namespace json = boost::json;

namespace {

// A case's assignee is stored as the user id's text; accept the actor form "u:12" as well.
bool is_assignee(const User& user, const std::string& assignee) {
  if (assignee.empty()) return false;
  std::string id = std::to_string(user.id);
  return assignee == id || assignee == "u:" + id;
}

}  // namespace

std::vector<User> resolve_recipients(const std::vector<std::string>& entries, const Case& a_case,
                                     const std::vector<User>& agency_users) {
  std::vector<User> out;
  auto add = [&out](const User& user) {
    bool seen = std::any_of(out.begin(), out.end(), [&](const User& u) { return u.id == user.id; });
    if (!seen) out.push_back(user);
  };
  for (const std::string& entry : entries) {
    for (const User& user : agency_users) {
      if (!user.active) continue;
      if (entry == "assignee" ? is_assignee(user, a_case.assignee) : user.role == entry) add(user);
    }
  }
  return out;
}

json::object recipient_json(const User& user) {
  return json::object{{"user_id", user.id},
                      {"name", user.name},
                      {"role", user.role},
                      {"mobile", user.mobile},
                      {"wecom_userid", user.wecom_userid},
                      {"dingtalk_userid", user.dingtalk_userid},
                      {"feishu_user_id", user.feishu_user_id}};
}

CaseNotifications::CaseNotifications(const Engine& engine, std::string public_url)
    : engine_(engine), public_url_(std::move(public_url)) {
  while (!public_url_.empty() && public_url_.back() == '/') public_url_.pop_back();
}

json::object CaseNotifications::case_summary(const Case& a_case,
                                             const std::optional<Agency>& agency) const {
  const Workflow* workflow = engine_.workflows().find(a_case.workflow);
  return json::object{
      {"id", a_case.id},
      {"number", a_case.number},
      {"workflow", a_case.workflow},
      {"state", a_case.state},
      {"state_label", workflow ? workflow->state_label(a_case.state) : a_case.state},
      {"agency", a_case.agency},
      {"agency_name", agency ? agency->name : a_case.agency},
      {"assignee", a_case.assignee},
      {"received_on", a_case.registration.received_on.str()}};
}

std::vector<Notification> CaseNotifications::for_event(
    const Case& stored, const Event& event, const std::optional<Agency>& agency,
    const std::vector<User>& agency_users, Moment now,
    const std::function<bool(const std::string& type)>& wanted) const {
  const Workflow* workflow = engine_.workflows().find(stored.workflow);
  const StateSpec* to_state = workflow != nullptr ? workflow->state(event.to_state) : nullptr;

  // Which notifications the event makes, and for whom, before any is composed.
  struct Pending {
    const char* type;
    std::vector<std::string> recipients;  // resolve_recipients entries
  };
  std::vector<Pending> pending;
  const bool registered = event.from_state.empty() && event.seq == 1;
  const bool state_changed = !registered && event.from_state != event.to_state;
  const bool closed_by_system =
      state_changed && event.actor == Actor::system().id && to_state != nullptr && !to_state->open;
  if (registered) {
    pending.push_back({"case.registered", {"registrar"}});
  } else if (closed_by_system) {
    pending.push_back({"case.auto_closed", {"assignee"}});
  } else if (state_changed) {
    pending.push_back({"case.transitioned", {"assignee"}});
  }
  if (event.effects.contains("assignee")) pending.push_back({"case.assigned", {"assignee"}});
  if (event.type == "deadline.recomputed") pending.push_back({"deadline.recomputed", {"assignee"}});
  if (wanted) {
    std::erase_if(pending, [&](const Pending& p) { return !wanted(p.type); });
  }
  if (pending.empty()) return {};

  json::object event_json{
      {"type", event.type},
      {"seq", event.seq},
      {"actor", event.actor},
      {"from", event.from_state},
      {"to", event.to_state},
      {"action_label", workflow ? workflow->action_label(event.type) : event.type}};
  if (event.on) event_json["on"] = event.on->str();

  json::array deadlines;
  for (const DeadlineView& view : engine_.deadlines(stored, now.today)) {
    json::object d = deadline_json(view);
    d["label"] = workflow ? workflow->deadline_label(view.kind) : view.kind;
    deadlines.push_back(std::move(d));
  }
  // The nearest running deadline, so a robot message can say what is due next.
  const json::object* nearest = nullptr;
  for (const json::value& d : deadlines) {
    const json::object& o = d.as_object();
    if (o.at("status") != "running" || !o.contains("due_on") || o.at("due_on").is_null()) continue;
    if (nearest == nullptr || o.at("due_on").as_string() < nearest->at("due_on").as_string())
      nearest = &o;
  }

  std::vector<Notification> out;
  for (const Pending& p : pending) {
    Notification n;
    n.type = p.type;
    n.timestamp = event.recorded_at;
    n.data["case"] = case_summary(stored, agency);
    n.data["event"] = event_json;
    n.data["deadlines"] = deadlines;
    if (nearest != nullptr) n.data["deadline"] = *nearest;
    json::array people;
    for (const User& user : resolve_recipients(p.recipients, stored, agency_users))
      people.push_back(recipient_json(user));
    n.data["recipients"] = std::move(people);
    n.data["link"] = public_url_ + "/cases/" + std::to_string(stored.id);
    out.push_back(std::move(n));
  }
  return out;
}

Notification CaseNotifications::for_reminder(const Case& a_case, const DueReminder& reminder,
                                             const std::optional<Agency>& agency,
                                             const std::vector<User>& agency_users,
                                             Moment now) const {
  Notification n;
  n.type = reminder.event_type;
  n.timestamp = now.at;
  n.data["case"] = case_summary(a_case, agency);
  const Clock* clock = a_case.clock(reminder.deadline);
  n.data["deadline"] =
      json::object{{"kind", reminder.deadline},
                   {"label", reminder.deadline_label},
                   {"due_on", reminder.due_on.str()},
                   {"remaining_wd", reminder.remaining_wd},
                   {"status", clock != nullptr ? to_string(clock->status) : "running"},
                   {"epoch", reminder.epoch},
                   {"offset_wd", reminder.offset_wd}};
  json::array people;
  for (const User& user : resolve_recipients(reminder.recipients, a_case, agency_users))
    people.push_back(recipient_json(user));
  n.data["recipients"] = std::move(people);
  n.data["link"] = public_url_ + "/cases/" + std::to_string(a_case.id);
  return n;
}

}  // namespace disclose
