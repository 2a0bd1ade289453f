#include "statemachine/clock_effects.h"

#include <boost/json/array.hpp>

#include "clocks/deadline_clock.h"
#include "statemachine/action_inputs.h"

namespace disclose {
namespace {

namespace json = boost::json;

bool is_live(const Clock& clock) {
  return clock.status == ClockStatus::running || clock.status == ClockStatus::paused;
}

class EffectRunner {
 public:
  EffectRunner(const ActionSpec& action, const ClockContext& context, Case& next)
      : action_(action), ctx_(context), next_(next) {}

  std::optional<ActionError> run(const ClockEffect& effect) {
    Date at = resolve_at(effect);
    if (effect.op == ClockOp::stop && effect.clock == "*") {
      for (Clock& clock : next_.clocks) {
        if (is_live(clock)) stop(clock, at);
      }
      return std::nullopt;
    }
    const DeadlineSpec* spec = ctx_.workflow.deadline(effect.clock);
    Clock* clock = next_.clock(effect.clock);
    switch (effect.op) {
      case ClockOp::start:
      case ClockOp::restart: {
        if (!clock) {
          next_.clocks.push_back(Clock{});
          clock = &next_.clocks.back();
          clock->kind = effect.clock;
          clock->epoch = 0;
        }
        return begin(*clock, spec, effect, at);
      }
      case ClockOp::stop:
        if (clock && is_live(*clock)) stop(*clock, at);
        return std::nullopt;
      case ClockOp::meet:
        if (clock && is_live(*clock)) meet(*clock, effect, at);
        return std::nullopt;
      case ClockOp::pause:
        if (clock && clock->status == ClockStatus::running) pause(*clock, at);
        return std::nullopt;
      case ClockOp::resume:
        if (clock && clock->status == ClockStatus::paused) resume(*clock, at);
        return std::nullopt;
      case ClockOp::extend:
        return extend(clock, spec, effect, at);
      case ClockOp::override_due:
        return override_due(clock, effect, at);
    }
    return std::nullopt;
  }

  json::array take_log() { return std::move(log_); }

 private:
  Date resolve_at(const ClockEffect& effect) const {
    if (effect.at == "received_on") return next_.registration.received_on;
    if (auto d = date_input(ctx_.input, effect.at)) return *d;
    return ctx_.on;
  }

  std::optional<Date> due_now(const Clock& clock) const {
    if (clock.status == ClockStatus::stopped) return std::nullopt;
    return due_date(clock, ctx_.calendar, ctx_.today).date;
  }

  void step(Clock& clock, const char* what, Date on, int working_days, std::string note,
            std::optional<Date> before) {
    ClockStep s;
    s.event_version = ctx_.event_version;
    s.what = what;
    s.on = on;
    s.working_days = working_days;
    if (clock.override_due && std::string(what) == "override") s.due_on = clock.override_due;
    s.note = std::move(note);
    clock.steps.push_back(s);

    json::object entry{{"clock", clock.kind}, {"op", what}, {"on", on.str()}};
    if (working_days != 0) entry["working_days"] = working_days;
    if (before) entry["due_before"] = before->str();
    if (auto after = due_now(clock)) entry["due_after"] = after->str();
    entry["status"] = to_string(clock.status);
    log_.push_back(std::move(entry));
  }

  std::optional<ActionError> begin(Clock& clock, const DeadlineSpec* spec,
                                   const ClockEffect& effect, Date at) {
    std::optional<Date> before = clock.epoch > 0 ? due_now(clock) : std::nullopt;
    int working_days = spec ? spec->working_days : 0;
    if (auto n = integer_input(ctx_.input, effect.working_days_input)) working_days = int(*n);
    std::optional<Date> explicit_due;
    if (!effect.due_on_input.empty()) explicit_due = date_input(ctx_.input, effect.due_on_input);
    if (explicit_due && *explicit_due <= at)
      return ActionError{ErrorCode::invalid_input,
                         effect.due_on_input + ": must be after " + at.str(), effect.due_on_input};
    bool restarting = clock.epoch > 0;
    clock.start = at;
    clock.working_days =
        explicit_due ? ctx_.calendar.working_days_between(at, *explicit_due) : working_days;
    clock.extension_wd = 0;
    clock.extensions = 0;
    clock.pauses.clear();
    clock.override_due = explicit_due;
    clock.status = ClockStatus::running;
    clock.ended_on.reset();
    clock.epoch += 1;
    const char* what = effect.op == ClockOp::restart && restarting ? "restart" : "start";
    step(clock, what, at, clock.working_days, explicit_due ? "due " + explicit_due->str() : "",
         before);
    return std::nullopt;
  }

  void stop(Clock& clock, Date at) {
    auto before = due_now(clock);
    close_open_pause(clock, at);
    clock.status = ClockStatus::stopped;
    clock.ended_on = at;
    step(clock, "stop", at, 0, "", before);
  }

  void meet(Clock& clock, const ClockEffect& effect, Date at) {
    close_open_pause(clock, at);
    Date due = due_date(clock, ctx_.calendar, at).date;
    bool late = at > due;
    clock.status = late ? ClockStatus::missed : ClockStatus::met;
    clock.ended_on = at;
    if (late && !effect.late_flag.empty()) next_.flags.insert(effect.late_flag);
    step(clock, late ? "missed" : "met", at, 0, late ? "after due " + due.str() : "", due);
  }

  void pause(Clock& clock, Date at) {
    auto before = due_now(clock);
    clock.pauses.push_back(Pause{at, std::nullopt});
    clock.status = ClockStatus::paused;
    step(clock, "pause", at, 0, "", before);
  }

  void resume(Clock& clock, Date at) {
    auto before = due_now(clock);
    Pause& open = clock.pauses.back();
    open.to = std::max(at, open.from);
    int paused = ctx_.calendar.working_days_between(open.from, *open.to);
    clock.status = ClockStatus::running;
    clock.epoch += 1;  // the due date moved: reminders follow the new schedule
    step(clock, "resume", at, paused, "", before);
  }

  void close_open_pause(Clock& clock, Date at) {
    if (!clock.pauses.empty() && !clock.pauses.back().to)
      clock.pauses.back().to = std::max(at, clock.pauses.back().from);
  }

  std::optional<ActionError> extend(Clock* clock, const DeadlineSpec* spec,
                                    const ClockEffect& effect, Date at) {
    const std::string& field = effect.working_days_input;
    if (!clock || !is_live(*clock))
      return ActionError{ErrorCode::clock_not_running,
                         "the " + effect.clock + " deadline is not running", ""};
    int add = int(integer_input(ctx_.input, field).value_or(0));
    if (!spec || spec->extension_max_times <= 0)
      return ActionError{ErrorCode::extension_cap_exceeded,
                         "the " + effect.clock + " deadline cannot be extended", field};
    if (clock->extensions >= spec->extension_max_times)
      return ActionError{ErrorCode::extension_cap_exceeded,
                         "the " + effect.clock + " deadline was already extended " +
                             std::to_string(clock->extensions) + " time(s); at most " +
                             std::to_string(spec->extension_max_times) + " allowed",
                         field};
    if (clock->extension_wd + add > spec->extension_max_total_wd)
      return ActionError{ErrorCode::extension_cap_exceeded,
                         field + ": extensions may add at most " +
                             std::to_string(spec->extension_max_total_wd) +
                             " working days in total",
                         field};
    // Judged on the approval date, not today: staff often record an approval after the fact.
    Date due = due_date(*clock, ctx_.calendar, at).date;
    if (at > due)
      return ActionError{ErrorCode::extension_after_deadline,
                         "the " + effect.clock + " deadline (" + due.str() +
                             ") has passed; an extension must be approved before it",
                         "on"};
    auto before = due_now(*clock);
    clock->extension_wd += add;
    clock->extensions += 1;
    clock->epoch += 1;
    std::string reason = string_input(ctx_.input, action_.reason_input);
    step(*clock, "extend", at, add, reason, before);
    return std::nullopt;
  }

  std::optional<ActionError> override_due(Clock* clock, const ClockEffect& effect, Date at) {
    if (!clock || !is_live(*clock))
      return ActionError{ErrorCode::clock_not_running,
                         "the " + effect.clock + " deadline is not running", ""};
    auto due = date_input(ctx_.input, effect.due_on_input);
    if (!due)
      return ActionError{ErrorCode::missing_input, effect.due_on_input + ": required",
                         effect.due_on_input};
    if (*due <= at)
      return ActionError{ErrorCode::invalid_input,
                         effect.due_on_input + ": must be after " + at.str(), effect.due_on_input};
    auto before = due_now(*clock);
    clock->override_due = *due;
    clock->epoch += 1;
    std::string reason = string_input(ctx_.input, action_.reason_input);
    step(*clock, "override", at, 0, reason, before);
    return std::nullopt;
  }

  const ActionSpec& action_;
  const ClockContext& ctx_;
  Case& next_;
  json::array log_;
};

}  // namespace

std::optional<ActionError> apply_clock_effects(const ActionSpec& action,
                                               const ClockContext& context, Case& next,
                                               json::object& effects) {
  EffectRunner runner(action, context, next);
  for (const ClockEffect& effect : action.effects) {
    if (auto error = runner.run(effect)) return error;
  }
  json::array log = runner.take_log();
  if (!log.empty()) effects["clocks"] = std::move(log);
  return std::nullopt;
}

}  // namespace disclose
