// Lookups on the workflow model and the registry of a deployment's workflows.
#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "disclose/workflow.h"

namespace disclose {
namespace {

// Workflows hold a dozen or two entries per list, so a linear scan beats keeping side indexes
// in sync with the public vectors (callers may build a Workflow by hand in tests).
template <typename Spec, typename Key>
const Spec* find_by(const std::vector<Spec>& specs, Key Spec::*key, const std::string& wanted) {
  for (const Spec& spec : specs) {
    if (spec.*key == wanted) return &spec;
  }
  return nullptr;
}

}  // namespace

const InputSpec* ActionSpec::input(const std::string& input_name) const {
  return find_by(inputs, &InputSpec::name, input_name);
}

const StateSpec* Workflow::state(const std::string& state_name) const {
  return find_by(states, &StateSpec::name, state_name);
}

const ActionSpec* Workflow::action(const std::string& action_name) const {
  return find_by(actions, &ActionSpec::name, action_name);
}

const DeadlineSpec* Workflow::deadline(const std::string& kind) const {
  return find_by(deadlines, &DeadlineSpec::kind, kind);
}

const DeterminationSpec* Workflow::determination(const std::string& code) const {
  return find_by(determinations, &DeterminationSpec::code, code);
}

namespace {

template <class Spec>
std::string label_or_name(const Spec* spec, const std::string& name) {
  return spec != nullptr && !spec->label.empty() ? spec->label : name;
}

}  // namespace

std::string Workflow::state_label(const std::string& state_name) const {
  return label_or_name(state(state_name), state_name);
}

std::string Workflow::action_label(const std::string& action_name) const {
  return label_or_name(action(action_name), action_name);
}

std::string Workflow::deadline_label(const std::string& kind) const {
  return label_or_name(deadline(kind), kind);
}

std::string Workflow::determination_label(const std::string& code) const {
  return label_or_name(determination(code), code);
}

const ActionSpec* Workflow::creating_action() const {
  for (const ActionSpec& spec : actions) {
    if (spec.creates_case) return &spec;
  }
  return nullptr;
}

std::string WorkflowError::str() const {
  // Errors that concern a whole file (unreadable, duplicate workflow name) have no line.
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ": " + message;
}

WorkflowRegistry WorkflowRegistry::load_dir(const std::string& directory) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    throw std::runtime_error("workflow directory not found: " + directory);
  }
  // Only files directly in the directory: subdirectories (calendars/) hold other data.
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      files.push_back(entry.path());
    }
  }
  // Directory order is unspecified; sorting makes error lists and "first definition" stable.
  std::sort(files.begin(), files.end());

  WorkflowRegistry registry;
  std::vector<WorkflowError> errors;
  for (const fs::path& file : files) {
    WorkflowLoad load = load_workflow_file(file.string());
    if (!load.workflow) {
      errors.insert(errors.end(), load.errors.begin(), load.errors.end());
      continue;
    }
    if (const Workflow* earlier = registry.find(load.workflow->name)) {
      errors.push_back({file.string(), 0,
                        "duplicate workflow name '" + load.workflow->name +
                            "' (already defined in " + earlier->source_file + ")"});
      continue;
    }
    registry.add(std::move(*load.workflow));
  }
  if (!errors.empty()) {
    std::string message = "invalid workflows in " + directory + ":";
    for (const WorkflowError& error : errors) message += "\n  " + error.str();
    throw std::runtime_error(message);
  }
  return registry;
}

void WorkflowRegistry::add(Workflow workflow) {
  // Silently replacing a workflow would change the rules of live cases: refuse instead.
  if (workflows_.count(workflow.name) != 0) {
    throw std::runtime_error("duplicate workflow name '" + workflow.name + "'");
  }
  std::string name = workflow.name;
  workflows_.emplace(std::move(name), std::move(workflow));
}

const Workflow* WorkflowRegistry::find(const std::string& name) const {
  auto it = workflows_.find(name);
  return it == workflows_.end() ? nullptr : &it->second;
}

std::vector<std::string> WorkflowRegistry::names() const {
  std::vector<std::string> result;
  result.reserve(workflows_.size());
  for (const auto& [name, workflow] : workflows_) result.push_back(name);
  return result;
}

}  // namespace disclose
