// The state machine: checks an action against its workflow (scope, role, state, inputs), then
// applies the action's declared effects to a copy of the case. No I/O and no global state, so
// replaying a case's events through it reproduces the case.
#include "disclose/engine.h"

#include <algorithm>

#include <boost/json/array.hpp>

#include "case/registration.h"
#include "clocks/deadline_clock.h"
#include "statemachine/action_inputs.h"
#include "statemachine/clock_effects.h"

namespace disclose {
namespace {

namespace json = boost::json;

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool role_permits(const ActionSpec& action, const Actor& actor) {
  return std::any_of(action.roles.begin(), action.roles.end(),
                     [&](const std::string& role) { return actor.has_role(role); });
}

// Applies the action's case records (assignee, outcome, closing, remedies, fees, delivery).
void apply_records(const ActionSpec& action, const json::object& input, Date on, Case& next,
                   json::object& effects) {
  if (!action.assigns_from.empty()) {
    std::string assignee = string_input(input, action.assigns_from);
    if (!assignee.empty() && assignee != next.assignee) {
      effects["assignee"] = json::object{{"from", next.assignee}, {"to", assignee}};
      next.assignee = assignee;
    }
  }
  std::string determination = action.determination;
  if (!action.determination_from.empty())
    determination = string_input(input, action.determination_from);
  if (!determination.empty()) {
    Outcome outcome;
    outcome.determination = determination;
    outcome.basis = string_input(input, "basis");
    outcome.reasons = string_input(input, "reasons");
    next.outcome = outcome;
    effects["determination"] = determination;
  }
  if (action.reopens) {
    next.closed_on.reset();
    next.outcome.reset();
    next.delivery.reset();
    effects["reopened"] = true;
  }
  if (action.records == "remedy") {
    next.remedies.push_back({on, string_input(input, "kind"), string_input(input, "result")});
  } else if (action.records == "fee") {
    next.fees.push_back({on, string_input(input, "method"),
                         integer_input(input, "amount_yuan").value_or(0), false});
  } else if (action.records == "fee_paid") {
    if (!next.fees.empty()) next.fees.back().paid = true;
  } else if (action.records == "delivery") {
    next.delivery = Delivery{string_input(input, "method"), on, string_input(input, "tracking_no")};
  }
  if (action.closes) {
    next.closed_on = on;
    effects["closed_on"] = on.str();
  }
}

}  // namespace

bool Actor::has_role(const std::string& role) const {
  return contains(roles, role);
}

Actor Actor::system() {
  return Actor{"system", {"system"}, "", true};
}

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::unknown_workflow:
      return "unknown_workflow";
    case ErrorCode::unknown_action:
      return "unknown_action";
    case ErrorCode::not_allowed_in_state:
      return "not_allowed_in_state";
    case ErrorCode::role_not_permitted:
      return "role_not_permitted";
    case ErrorCode::out_of_scope:
      return "out_of_scope";
    case ErrorCode::missing_input:
      return "missing_input";
    case ErrorCode::invalid_input:
      return "invalid_input";
    case ErrorCode::date_in_future:
      return "date_in_future";
    case ErrorCode::date_out_of_order:
      return "date_out_of_order";
    case ErrorCode::extension_cap_exceeded:
      return "extension_cap_exceeded";
    case ErrorCode::extension_after_deadline:
      return "extension_after_deadline";
    case ErrorCode::clock_not_running:
      return "clock_not_running";
  }
  return "unknown";
}

Engine::Engine(const WorkflowRegistry& workflows, const WorkingCalendar& calendar)
    : workflows_(workflows), calendar_(calendar) {}

Result<Decision> Engine::register_case(const json::value& registration, const Actor& actor,
                                       Moment now) const {
  auto parsed = parse_registration(registration, now.today);
  if (!parsed) return parsed.error();
  RegistrationInput& in = parsed.value();
  const Workflow* workflow = workflows_.find(in.workflow);
  if (!workflow)
    return ActionError{ErrorCode::unknown_workflow,
                       "workflow: no workflow named '" + in.workflow + "'", "workflow"};
  const ActionSpec* action = workflow->creating_action();
  if (!action)
    return ActionError{ErrorCode::unknown_action, "workflow has no registering action", ""};
  if (!actor.can_see(in.agency))
    return ActionError{ErrorCode::out_of_scope,
                       "agency: you may not register cases for agency '" + in.agency + "'",
                       "agency"};
  if (!role_permits(*action, actor))
    return ActionError{ErrorCode::role_not_permitted,
                       "your role may not take the action '" + action->name + "'", ""};

  Case next;
  next.workflow = in.workflow;
  next.agency = in.agency;
  next.registration = in.registration;
  next.state = action->to.value_or("");
  next.version = 1;
  next.created_at = now.at;
  next.updated_at = now.at;
  next.last_dated_on = in.registration.received_on;

  json::object effects;
  ClockContext context{*workflow, calendar_, in.normalised, in.registration.received_on,
                       now.today, 1};
  if (auto error = apply_clock_effects(*action, context, next, effects)) return *error;

  Event event;
  event.seq = 1;
  event.type = action->name;
  event.actor = actor.id;
  event.recorded_at = now.at;
  event.on = in.registration.received_on;
  event.from_state = "";
  event.to_state = next.state;
  event.input = std::move(in.normalised);
  event.effects = std::move(effects);
  return Decision{std::move(next), std::move(event)};
}

Result<Decision> Engine::apply(const Case& current, const std::string& action_name,
                               const json::value& input, const Actor& actor, Moment now) const {
  const Workflow* workflow = workflows_.find(current.workflow);
  if (!workflow)
    return ActionError{ErrorCode::unknown_workflow,
                       "the case's workflow '" + current.workflow + "' is not loaded", ""};
  const ActionSpec* action = workflow->action(action_name);
  if (!action || action->creates_case)
    return ActionError{ErrorCode::unknown_action,
                       "workflow '" + workflow->name + "' has no action '" + action_name + "'", ""};
  if (!actor.can_see(current.agency))
    return ActionError{ErrorCode::out_of_scope, "the case belongs to another agency", ""};
  if (!role_permits(*action, actor))
    return ActionError{ErrorCode::role_not_permitted,
                       "your role may not take the action '" + action_name + "'", ""};
  if (!contains(action->from, current.state))
    return ActionError{ErrorCode::not_allowed_in_state,
                       "'" + action_name + "' is not allowed in state '" + current.state + "'", ""};

  auto validated = validate_action_input(*workflow, *action, input, current, now.today);
  if (!validated) return validated.error();
  json::object& normalised = validated.value();

  std::optional<Date> on = date_input(normalised, "on");
  Date effective_on = on.value_or(now.today);

  Case next = current;
  next.version = current.version + 1;
  next.updated_at = now.at;
  if (on && (!next.last_dated_on || *on > *next.last_dated_on)) next.last_dated_on = on;

  json::object effects;
  ClockContext context{*workflow, calendar_, normalised, effective_on, now.today, next.version};
  if (auto error = apply_clock_effects(*action, context, next, effects)) return *error;
  apply_records(*action, normalised, effective_on, next, effects);
  if (action->to) next.state = *action->to;

  Event event;
  event.case_id = current.id;
  event.seq = next.version;
  event.type = action->name;
  event.actor = actor.id;
  event.recorded_at = now.at;
  event.on = on;
  event.from_state = current.state;
  event.to_state = next.state;
  event.input = std::move(normalised);
  event.effects = std::move(effects);
  return Decision{std::move(next), std::move(event)};
}

std::optional<Decision> Engine::recompute_deadlines(const Case& a_case,
                                                    const WorkingCalendar& previous,
                                                    Moment now) const {
  json::array moved;
  for (const Clock& clock : a_case.clocks) {
    DeadlineView before = view_deadline(clock, previous, now.today);
    DeadlineView after = view_deadline(clock, calendar_, now.today);
    if (before.due_on == after.due_on && before.provisional == after.provisional) continue;
    json::object entry{{"clock", clock.kind}};
    entry["due_before"] = before.due_on ? json::value(before.due_on->str()) : json::value(nullptr);
    entry["due_after"] = after.due_on ? json::value(after.due_on->str()) : json::value(nullptr);
    entry["provisional_before"] = before.provisional;
    entry["provisional_after"] = after.provisional;
    moved.push_back(std::move(entry));
  }
  if (moved.empty()) return std::nullopt;
  Decision decision{a_case, Event{}};
  decision.next.version = a_case.version + 1;
  decision.next.updated_at = now.at;
  Event& event = decision.event;
  event.case_id = a_case.id;
  event.seq = decision.next.version;
  event.type = "deadline.recomputed";
  event.actor = Actor::system().id;
  event.recorded_at = now.at;
  event.from_state = a_case.state;
  event.to_state = a_case.state;
  event.input = json::object{{"calendar_before", previous.version()},
                             {"calendar_after", calendar_.version()}};
  event.effects = json::object{{"clocks", std::move(moved)}};
  return decision;
}

std::vector<DeadlineView> Engine::deadlines(const Case& a_case, Date today) const {
  std::vector<DeadlineView> views;
  views.reserve(a_case.clocks.size());
  for (const Clock& clock : a_case.clocks) views.push_back(view_deadline(clock, calendar_, today));
  return views;
}

std::optional<DeadlineExplanation> Engine::explain(const Case& a_case, const std::string& kind,
                                                   Date today) const {
  const Clock* clock = a_case.clock(kind);
  if (!clock) return std::nullopt;
  DeadlineExplanation out;
  out.view = view_deadline(*clock, calendar_, today);
  out.start = clock->start;
  out.working_days = clock->working_days;
  out.extension_wd = clock->extension_wd;
  out.paused_wd = paused_working_days(*clock, calendar_, clock->ended_on.value_or(today));
  out.override_due = clock->override_due;
  out.steps = clock->steps;
  out.calendar_version = calendar_.version();
  return out;
}

std::vector<std::string> Engine::available_actions(const Case& a_case, const Actor& actor) const {
  std::vector<std::string> names;
  const Workflow* workflow = workflows_.find(a_case.workflow);
  if (!workflow || !actor.can_see(a_case.agency)) return names;
  for (const ActionSpec& action : workflow->actions) {
    if (action.creates_case || !contains(action.from, a_case.state)) continue;
    if (role_permits(action, actor)) names.push_back(action.name);
  }
  return names;
}

}  // namespace disclose
