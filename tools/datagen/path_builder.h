// Builds a case's list of steps while following the workflow file: each step must be allowed in
// the state the previous ones lead to (a std::logic_error otherwise — a bug in the model, caught
// by the tests), and the state after every step is kept, so a plan can be cut where a case is
// meant to rest or to be withdrawn.
#pragma once

#include <string>
#include <vector>

#include "datagen/case_plan.h"
#include "datagen/random.h"
#include "disclose/workflow.h"

namespace datagen {

class PathBuilder {
 public:
  // Starts in the state the workflow's registering action leads to.
  PathBuilder(const disclose::Workflow& workflow, Rng& rng);

  // Appends an action allowed in the current state, recorded at a random minute of the day.
  PlannedStep& add(const std::string& action, Role role, int delay_wd);
  // Inserts a step that leaves the state as it is (note, contact, attach) after step `after`
  // (-1: right after registration).
  void insert_after(int after, PlannedStep step);
  // Drops every step after `last` (-1: keeps none).
  void truncate_after(int last);
  // Keeps the steps up to the first arrival in `state` (none when it is the starting state);
  // false, changing nothing, when the path never gets there.
  bool stop_at(const std::string& state);

  const std::string& state() const;
  // The state after step `position` (-1: the starting state).
  const std::string& state_after(int position) const;
  int size() const { return static_cast<int>(steps_.size()); }
  const PlannedStep& step(int position) const { return steps_[static_cast<size_t>(position)]; }
  PlannedStep& step(int position) { return steps_[static_cast<size_t>(position)]; }
  const disclose::Workflow& workflow() const { return workflow_; }
  bool is_open(const std::string& state) const;

  std::vector<PlannedStep> take() { return std::move(steps_); }

 private:
  const disclose::Workflow& workflow_;
  Rng& rng_;
  std::string start_;
  std::vector<PlannedStep> steps_;
  std::vector<std::string> states_;  // the state after each step
};

// True when the workflow allows `action` in `state` (for the builder and the tests).
bool action_allowed(const disclose::Workflow& workflow, const std::string& action,
                    const std::string& state);

}  // namespace datagen
