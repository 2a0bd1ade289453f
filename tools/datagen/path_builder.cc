#include "datagen/path_builder.h"

#include <algorithm>
#include <stdexcept>

namespace datagen {

bool action_allowed(const disclose::Workflow& workflow, const std::string& action,
                    const std::string& state) {
  const disclose::ActionSpec* spec = workflow.action(action);
  if (!spec || spec->creates_case) return false;
  return std::find(spec->from.begin(), spec->from.end(), state) != spec->from.end();
}

PathBuilder::PathBuilder(const disclose::Workflow& workflow, Rng& rng)
    : workflow_(workflow), rng_(rng) {
  const disclose::ActionSpec* registering = workflow.creating_action();
  if (!registering || !registering->to)
    throw std::logic_error("workflow " + workflow.name + " has no registering action");
  start_ = *registering->to;
}

PlannedStep& PathBuilder::add(const std::string& action, Role role, int delay_wd) {
  const std::string& from = state();
  if (!action_allowed(workflow_, action, from))
    throw std::logic_error("plan: " + workflow_.name + " does not allow " + action + " in " + from);
  const disclose::ActionSpec* spec = workflow_.action(action);
  std::string to = spec->to.value_or(from);
  PlannedStep step;
  step.action = action;
  step.role = role;
  step.delay_wd = delay_wd;
  step.minute = rng_.between(0, 539);
  steps_.push_back(std::move(step));
  states_.push_back(std::move(to));
  return steps_.back();
}

void PathBuilder::insert_after(int after, PlannedStep step) {
  const std::string& at = state_after(after);
  if (!action_allowed(workflow_, step.action, at))
    throw std::logic_error("plan: " + workflow_.name + " does not allow " + step.action + " in " +
                           at);
  std::string stays = at;
  auto position = static_cast<size_t>(after + 1);
  steps_.insert(steps_.begin() + static_cast<std::ptrdiff_t>(position), std::move(step));
  states_.insert(states_.begin() + static_cast<std::ptrdiff_t>(position), std::move(stays));
}

void PathBuilder::truncate_after(int last) {
  auto keep = static_cast<size_t>(last + 1);
  if (keep < steps_.size()) {
    steps_.resize(keep);
    states_.resize(keep);
  }
}

bool PathBuilder::stop_at(const std::string& state) {
  if (state == start_) {
    truncate_after(-1);
    return true;
  }
  for (int i = 0; i < size(); ++i) {
    if (states_[static_cast<size_t>(i)] == state) {
      truncate_after(i);
      return true;
    }
  }
  return false;
}

const std::string& PathBuilder::state() const {
  return states_.empty() ? start_ : states_.back();
}

const std::string& PathBuilder::state_after(int position) const {
  return position < 0 ? start_ : states_[static_cast<size_t>(position)];
}

bool PathBuilder::is_open(const std::string& state) const {
  const disclose::StateSpec* spec = workflow_.state(state);
  return spec && spec->open && !spec->terminal;
}

}  // namespace datagen
