// Reads workflows/*.yaml into the workflow model and validates it. The format is documented in
// workflows/README.md. Staff edit these files by hand, so the loader never stops at the first
// problem: it collects every error with its file and line and returns them all at once.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "disclose/workflow.h"

namespace disclose {
namespace {

// yaml-cpp counts lines from 0; people and editors count from 1. Nodes built in memory carry
// a null mark (line -1), which becomes 0 = "no line".
int line_of(const YAML::Node& node) {
  return node.Mark().line + 1;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

void push_unique(std::vector<std::string>& items, const std::string& item) {
  if (!contains(items, item)) items.push_back(item);
}

const std::map<std::string, InputType>& input_types() {
  static const std::map<std::string, InputType> types = {
      {"date", InputType::date},
      {"string", InputType::string},
      {"text", InputType::text},
      {"integer", InputType::integer},
      {"boolean", InputType::boolean},
      {"choice", InputType::choice},
      {"string_list", InputType::string_list},
      {"user", InputType::user},
      {"determination", InputType::determination},
  };
  return types;
}

const std::vector<std::pair<std::string, ClockOp>>& clock_ops() {
  static const std::vector<std::pair<std::string, ClockOp>> ops = {
      {"start", ClockOp::start},   {"stop", ClockOp::stop},
      {"meet", ClockOp::meet},     {"pause", ClockOp::pause},
      {"resume", ClockOp::resume}, {"restart", ClockOp::restart},
      {"extend", ClockOp::extend}, {"override", ClockOp::override_due},
  };
  return ops;
}

// One key of a YAML map, with the line of the key (values of block maps may start on the next
// line, and errors read best when they point at the key).
struct Entry {
  std::string key;
  YAML::Node value;
  int line = 0;
};

// Where an action refers to one of its inputs, kept until all inputs are known.
struct InputRef {
  std::string name;
  int line = 0;
};

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)) {}

  WorkflowLoad run(const std::string& text) {
    try {
      parse(text);
    } catch (const YAML::Exception& e) {
      error(e.mark.line + 1, e.msg);
    } catch (const std::exception& e) {
      // Defensive: the contract is "never throws for bad content", whatever the cause.
      error(0, std::string("cannot read workflow: ") + e.what());
    }
    WorkflowLoad load;
    std::stable_sort(
        errors_.begin(), errors_.end(),
        [](const WorkflowError& a, const WorkflowError& b) { return a.line < b.line; });
    load.errors = std::move(errors_);
    if (load.errors.empty()) load.workflow = std::move(workflow_);
    return load;
  }

 private:
  // ---- reporting and scalar helpers --------------------------------------------------------

  void error(int line, const std::string& message) { errors_.push_back({file_, line, message}); }

  void unknown_key(const Entry& entry, const std::string& where,
                   const std::vector<std::string>& known) {
    error(entry.line,
          "unknown key '" + entry.key + "' in " + where + " (known: " + join(known, ", ") + ")");
  }

  // The entries of a map in document order. Duplicate keys are reported and dropped: yaml-cpp
  // keeps them, and a silently shadowed action or state would be a nasty surprise. A null value
  // (`approve_reply:` with nothing after it) reads as an empty map.
  std::vector<Entry> entries(const YAML::Node& node, const std::string& where) {
    std::vector<Entry> out;
    if (node.IsNull()) return out;
    if (!node.IsMap()) {
      error(line_of(node), where + " must be a map");
      return out;
    }
    std::map<std::string, int> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const int line = line_of(it->first);
      if (!it->first.IsScalar()) {
        error(line, "keys of " + where + " must be plain names");
        continue;
      }
      const std::string key = it->first.Scalar();
      auto [first, inserted] = seen.emplace(key, line);
      if (!inserted) {
        error(line, "duplicate key '" + key + "' in " + where + " (first at line " +
                        std::to_string(first->second) + ")");
        continue;
      }
      out.push_back({key, it->second, line});
    }
    return out;
  }

  std::optional<std::string> text_of(const Entry& entry, const std::string& where) {
    if (!entry.value.IsScalar()) {
      error(entry.line, "'" + entry.key + "' in " + where + " must be a string");
      return std::nullopt;
    }
    return entry.value.Scalar();
  }

  // A non-empty string: names of states, deadlines, inputs are never legitimately empty.
  std::optional<std::string> name_of(const Entry& entry, const std::string& where) {
    auto value = text_of(entry, where);
    if (value && value->empty()) {
      error(entry.line, "'" + entry.key + "' in " + where + " must not be empty");
      return std::nullopt;
    }
    return value;
  }

  std::optional<long long> integer_of(const YAML::Node& node, int line, const std::string& what) {
    if (node.IsScalar()) {
      try {
        return node.as<long long>();
      } catch (const YAML::Exception&) {
      }
    }
    error(line, what + " must be an integer");
    return std::nullopt;
  }

  std::optional<long long> integer_of(const Entry& entry, const std::string& where) {
    return integer_of(entry.value, entry.line, "'" + entry.key + "' in " + where);
  }

  std::optional<bool> bool_of(const Entry& entry, const std::string& where) {
    if (entry.value.IsScalar()) {
      try {
        return entry.value.as<bool>();
      } catch (const YAML::Exception&) {
      }
    }
    error(entry.line, "'" + entry.key + "' in " + where + " must be true or false");
    return std::nullopt;
  }

  // A list of names, each with its own line. A single scalar is accepted as a one-item list.
  std::vector<InputRef> names_of(const Entry& entry, const std::string& where) {
    std::vector<InputRef> out;
    if (entry.value.IsScalar()) {
      out.push_back({entry.value.Scalar(), entry.line});
      return out;
    }
    if (!entry.value.IsSequence()) {
      error(entry.line, "'" + entry.key + "' in " + where + " must be a list of names");
      return out;
    }
    for (const YAML::Node& item : entry.value) {
      const int line = item.Mark().line >= 0 ? line_of(item) : entry.line;
      if (!item.IsScalar() || item.Scalar().empty()) {
        error(line, "'" + entry.key + "' in " + where + " must be a list of names");
        continue;
      }
      out.push_back({item.Scalar(), line});
    }
    return out;
  }

  // ---- the file ----------------------------------------------------------------------------

  void parse(const std::string& text) {
    workflow_.source_file = file_;
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      error(e.mark.line + 1, "YAML syntax: " + e.msg);
      return;
    }
    if (root.IsNull()) {
      error(1,
            "empty workflow file (expected a map with at least `workflow`, `states`, "
            "`actions`)");
      return;
    }
    if (!root.IsMap()) {
      error(line_of(root), "a workflow file must be a map");
      return;
    }

    static const std::vector<std::string> known = {"workflow", "title",     "version",
                                                   "states",   "deadlines", "determinations",
                                                   "actions",  "reminders"};
    std::map<std::string, Entry> top;
    for (const Entry& entry : entries(root, "the workflow file")) {
      if (!contains(known, entry.key)) {
        unknown_key(entry, "the workflow file", known);
        continue;
      }
      top.emplace(entry.key, entry);
    }
    auto field = [&](const std::string& key) -> const Entry* {
      auto it = top.find(key);
      return it == top.end() ? nullptr : &it->second;
    };

    if (const Entry* name = field("workflow")) {
      if (auto value = name_of(*name, "the workflow file")) workflow_.name = *value;
    } else {
      error(1, "missing workflow name (key `workflow`)");
    }
    if (const Entry* title = field("title")) {
      if (auto value = text_of(*title, "the workflow file")) workflow_.title = *value;
    }
    if (const Entry* version = field("version")) {
      if (auto value = integer_of(*version, "the workflow file")) {
        if (*value < 1) {
          error(version->line, "version must be 1 or more");
        } else {
          workflow_.version = static_cast<int>(*value);
        }
      }
    }

    // Sections are read in dependency order, whatever their order in the file: actions refer
    // to states, deadlines and determinations; deadlines and reminders are checked against
    // actions and deadlines afterwards.
    const Entry* states = field("states");
    if (states) parse_states(*states);
    if (!states || workflow_.states.empty()) {
      error(states ? states->line : 1, "the workflow has no states");
    }
    if (const Entry* deadlines = field("deadlines")) parse_deadlines(*deadlines);
    if (const Entry* determinations = field("determinations")) {
      parse_determinations(*determinations);
    }
    const Entry* actions = field("actions");
    if (actions) parse_actions(*actions);
    if (!actions || workflow_.actions.empty()) {
      error(actions ? actions->line : 1, "the workflow has no actions");
    }
    if (const Entry* reminders = field("reminders")) parse_reminders(*reminders);

    check_expiry_actions();
    check_graph(states ? states->line : 1, actions ? actions->line : 1);
  }

  // ---- states ------------------------------------------------------------------------------

  void parse_states(const Entry& section) {
    static const std::vector<std::string> known = {"label", "open", "terminal"};
    for (const Entry& item : entries(section.value, "states")) {
      StateSpec state;
      state.name = item.key;
      state.line = item.line;
      const std::string where = "state '" + item.key + "'";
      if (item.key.empty() || item.key[0] == '*') {
        // "*" and "*open" are wildcards in `from`; a state with such a name could never be named.
        error(item.line, "invalid state name '" + item.key + "'");
      }
      for (const Entry& entry : entries(item.value, where)) {
        if (entry.key == "label") {
          if (auto value = text_of(entry, where)) state.label = *value;
        } else if (entry.key == "open") {
          if (auto value = bool_of(entry, where)) state.open = *value;
        } else if (entry.key == "terminal") {
          if (auto value = bool_of(entry, where)) state.terminal = *value;
        } else {
          unknown_key(entry, where, known);
        }
      }
      workflow_.states.push_back(std::move(state));
    }
  }

  // ---- deadlines ---------------------------------------------------------------------------

  void parse_deadlines(const Entry& section) {
    static const std::vector<std::string> known = {"label", "working_days", "extension",
                                                   "on_expiry"};
    for (const Entry& item : entries(section.value, "deadlines")) {
      DeadlineSpec deadline;
      deadline.kind = item.key;
      deadline.line = item.line;
      const std::string where = "deadline '" + item.key + "'";
      if (item.key.empty() || item.key[0] == '*') {
        error(item.line, "invalid deadline kind '" + item.key + "'");
      }
      bool has_working_days = false;
      for (const Entry& entry : entries(item.value, where)) {
        if (entry.key == "label") {
          if (auto value = text_of(entry, where)) deadline.label = *value;
        } else if (entry.key == "working_days") {
          has_working_days = true;
          if (auto value = integer_of(entry, where)) {
            if (*value <= 0) {
              error(entry.line, where + ": working_days must be more than 0");
            } else {
              deadline.working_days = static_cast<int>(*value);
            }
          }
        } else if (entry.key == "extension") {
          parse_extension(entry, where, deadline);
        } else if (entry.key == "on_expiry") {
          if (auto value = name_of(entry, where)) {
            deadline.on_expiry = *value;
            expiry_lines_[deadline.kind] = entry.line;
          }
        } else {
          unknown_key(entry, where, known);
        }
      }
      if (!has_working_days) error(item.line, where + " has no working_days");
      workflow_.deadlines.push_back(std::move(deadline));
    }
  }

  void parse_extension(const Entry& section, const std::string& deadline_where,
                       DeadlineSpec& deadline) {
    static const std::vector<std::string> known = {"max_total_wd", "max_times"};
    const std::string where = "the extension of " + deadline_where;
    if (!section.value.IsMap()) {
      error(section.line, where + " must be a map {max_total_wd: N, max_times: N}");
      return;
    }
    bool has_total = false;
    bool has_times = false;
    for (const Entry& entry : entries(section.value, where)) {
      if (entry.key == "max_total_wd" || entry.key == "max_times") {
        (entry.key == "max_total_wd" ? has_total : has_times) = true;
        auto value = integer_of(entry, where);
        if (!value) continue;
        if (*value <= 0) {
          error(entry.line, where + ": " + entry.key + " must be more than 0");
          continue;
        }
        (entry.key == "max_total_wd" ? deadline.extension_max_total_wd
                                     : deadline.extension_max_times) = static_cast<int>(*value);
      } else {
        unknown_key(entry, where, known);
      }
    }
    if (!has_total) error(section.line, where + " has no max_total_wd");
    if (!has_times) error(section.line, where + " has no max_times");
  }

  // ---- determinations ----------------------------------------------------------------------

  void parse_determinations(const Entry& section) {
    static const std::vector<std::string> known = {"row", "label", "remedy_notice"};
    for (const Entry& item : entries(section.value, "determinations")) {
      DeterminationSpec determination;
      determination.code = item.key;
      const std::string where = "determination '" + item.key + "'";
      bool has_label = false;
      for (const Entry& entry : entries(item.value, where)) {
        if (entry.key == "row") {
          if (auto value = text_of(entry, where)) determination.report_row = *value;
        } else if (entry.key == "label") {
          has_label = true;
          if (auto value = name_of(entry, where)) determination.label = *value;
        } else if (entry.key == "remedy_notice") {
          if (auto value = bool_of(entry, where)) determination.requires_remedy_notice = *value;
        } else {
          unknown_key(entry, where, known);
        }
      }
      // Replies and reports show the label; a code alone means nothing to an applicant.
      if (!has_label) error(item.line, where + " has no label");
      workflow_.determinations.push_back(std::move(determination));
    }
  }

  // ---- actions -----------------------------------------------------------------------------

  void parse_actions(const Entry& section) {
    for (const Entry& item : entries(section.value, "actions")) {
      workflow_.actions.push_back(parse_action(item));
    }
  }

  ActionSpec parse_action(const Entry& item) {
    static const std::vector<std::string> known = {"label",
                                                   "creates",
                                                   "from",
                                                   "except",
                                                   "to",
                                                   "roles",
                                                   "inputs",
                                                   "exclusive",
                                                   "effects",
                                                   "assigns",
                                                   "determination_from",
                                                   "determination",
                                                   "closes",
                                                   "reopens",
                                                   "records",
                                                   "reason"};
    ActionSpec action;
    action.name = item.key;
    action.line = item.line;
    const std::string where = "action '" + item.key + "'";

    // First pass: collect the keys; most of them can only be checked once the inputs are known.
    std::map<std::string, Entry> keys;
    for (const Entry& entry : entries(item.value, where)) {
      if (!contains(known, entry.key)) {
        unknown_key(entry, where, known);
        continue;
      }
      keys.emplace(entry.key, entry);
    }
    auto field = [&](const std::string& key) -> const Entry* {
      auto it = keys.find(key);
      return it == keys.end() ? nullptr : &it->second;
    };

    if (const Entry* entry = field("label")) {
      if (auto value = text_of(*entry, where)) action.label = *value;
    }
    if (const Entry* entry = field("creates")) {
      if (auto value = bool_of(*entry, where)) action.creates_case = *value;
    }
    if (const Entry* entry = field("closes")) {
      if (auto value = bool_of(*entry, where)) action.closes = *value;
    }
    if (const Entry* entry = field("reopens")) {
      if (auto value = bool_of(*entry, where)) action.reopens = *value;
    }
    if (action.closes && action.reopens) {
      error(item.line, where + " cannot both close and reopen the case");
    }

    if (const Entry* entry = field("to")) {
      if (auto value = name_of(*entry, where)) {
        if (workflow_.state(*value)) {
          action.to = *value;
        } else {
          error(entry->line, where + ": unknown state '" + *value + "' in `to`");
        }
      }
    }
    resolve_from(action, where, field("from"), field("except"));
    parse_roles(action, where, field("roles"), item.line);
    if (const Entry* entry = field("inputs")) parse_inputs(action, *entry);
    if (const Entry* entry = field("exclusive")) parse_exclusive(action, *entry, where);
    if (const Entry* entry = field("effects")) parse_effects(action, *entry, where);

    if (const Entry* entry = field("assigns")) {
      if (auto value = name_of(*entry, where)) {
        if (check_input_ref(action, *value, entry->line, "assigns", InputType::user)) {
          action.assigns_from = *value;
        }
      }
    }
    if (const Entry* entry = field("determination_from")) {
      if (auto value = name_of(*entry, where)) {
        if (check_input_ref(action, *value, entry->line, "determination_from",
                            InputType::determination)) {
          action.determination_from = *value;
        }
      }
    }
    if (const Entry* entry = field("determination")) {
      if (auto value = name_of(*entry, where)) {
        if (workflow_.determination(*value)) {
          action.determination = *value;
        } else {
          error(entry->line, where + ": determination '" + *value + "' is not declared");
        }
      }
    }
    if (field("determination") && field("determination_from")) {
      error(field("determination")->line,
            where + " has both a fixed determination and determination_from");
    }
    if (const Entry* entry = field("reason")) {
      if (auto value = name_of(*entry, where)) {
        if (check_input_ref(action, *value, entry->line, "reason", std::nullopt)) {
          // An explanation that may be left out explains nothing (Art. 35 requires reasons).
          if (!action.input(*value)->required) {
            error(entry->line, where + ": reason input '" + *value + "' must be required");
          } else {
            action.reason_input = *value;
          }
        }
      }
    }
    if (const Entry* entry = field("records")) {
      static const std::vector<std::string> records = {"remedy", "fee", "fee_paid", "delivery"};
      if (auto value = text_of(*entry, where)) {
        if (contains(records, *value)) {
          action.records = *value;
        } else {
          error(entry->line,
                where + ": unknown record '" + *value + "' (known: " + join(records, ", ") + ")");
        }
      }
    }
    return action;
  }

  // `from` lists states, or the wildcards "*" (every state) and "*open" (every open state),
  // minus `except`. A terminal state is sealed: a wildcard includes it only for actions that
  // stay in place (notes, remedy records); an action that leaves it must name it explicitly.
  void resolve_from(ActionSpec& action, const std::string& where, const Entry* from,
                    const Entry* except) {
    if (action.creates_case) {
      if (from) error(from->line, where + " creates the case and must not have `from`");
      if (except) error(except->line, where + " creates the case and must not have `except`");
      if (!action.to) error(action.line, where + " creates the case and needs `to`");
      return;
    }
    if (!from) {
      error(action.line, where + " has no `from` (only the creating action has none)");
      return;
    }
    const bool moves = action.to.has_value();
    for (const InputRef& token : names_of(*from, where)) {
      if (token.name == "*" || token.name == "*open") {
        for (const StateSpec& state : workflow_.states) {
          if (token.name == "*open" && !state.open) continue;
          if (moves && state.terminal) continue;
          push_unique(action.from, state.name);
        }
      } else if (workflow_.state(token.name)) {
        push_unique(action.from, token.name);
      } else {
        error(token.line, where + ": unknown state '" + token.name + "' in `from`");
      }
    }
    if (except) {
      for (const InputRef& token : names_of(*except, where)) {
        if (!workflow_.state(token.name)) {
          error(token.line, where + ": unknown state '" + token.name + "' in `except`");
          continue;
        }
        action.from.erase(std::remove(action.from.begin(), action.from.end(), token.name),
                          action.from.end());
      }
    }
    if (action.from.empty()) error(from->line, where + " applies to no state");
  }

  void parse_roles(ActionSpec& action, const std::string& where, const Entry* roles, int line) {
    if (roles) {
      for (const InputRef& role : names_of(*roles, where)) {
        if (role.name == "*staff") {
          for (const std::string& name : case_roles()) push_unique(action.roles, name);
        } else if (contains(known_roles(), role.name)) {
          push_unique(action.roles, role.name);
        } else {
          error(role.line, where + ": unknown role '" + role.name +
                               "' (known: " + join(known_roles(), ", ") + ", *staff)");
        }
      }
    }
    if (action.roles.empty()) error(roles ? roles->line : line, where + " has no roles");
  }

  void parse_inputs(ActionSpec& action, const Entry& section) {
    static const std::vector<std::string> known = {"type", "required", "values",
                                                   "min",  "max",      "default"};
    for (const Entry& item : entries(section.value, "the inputs of action '" + action.name + "'")) {
      InputSpec input;
      input.name = item.key;
      input.line = item.line;
      const std::string where = "input '" + item.key + "' of action '" + action.name + "'";
      bool has_type = false;
      const Entry* values = nullptr;
      const Entry* min = nullptr;
      const Entry* max = nullptr;
      std::optional<Entry> default_entry;
      const std::vector<Entry> spec = entries(item.value, where);
      for (const Entry& entry : spec) {
        if (entry.key == "type") {
          auto value = text_of(entry, where);
          if (!value) continue;
          auto type = input_types().find(*value);
          if (type == input_types().end()) {
            std::vector<std::string> names;
            for (const auto& [name, unused] : input_types()) names.push_back(name);
            error(entry.line, where + ": unknown input type '" + *value +
                                  "' (known: " + join(names, ", ") + ")");
            continue;
          }
          input.type = type->second;
          has_type = true;
        } else if (entry.key == "required") {
          if (auto value = bool_of(entry, where)) input.required = *value;
        } else if (entry.key == "values") {
          values = &entry;
          for (const InputRef& value : names_of(entry, where)) {
            if (contains(input.values, value.name)) {
              error(value.line, where + ": duplicate value '" + value.name + "'");
            }
            push_unique(input.values, value.name);
          }
        } else if (entry.key == "min") {
          min = &entry;
          input.min = integer_of(entry, where);
        } else if (entry.key == "max") {
          max = &entry;
          input.max = integer_of(entry, where);
        } else if (entry.key == "default") {
          default_entry = entry;
          if (auto value = text_of(entry, where)) input.default_value = *value;
        } else {
          unknown_key(entry, where, known);
        }
      }
      if (!has_type && std::none_of(spec.begin(), spec.end(),
                                    [](const Entry& entry) { return entry.key == "type"; })) {
        error(item.line, where + " has no type");
      }
      if (has_type) {
        if (input.type == InputType::choice && input.values.empty()) {
          error(item.line, where + ": a choice needs `values`");
        }
        if (input.type != InputType::choice && values) {
          error(values->line, where + ": `values` is only for choice inputs");
        }
        if (input.type != InputType::integer && (min || max)) {
          error((min ? min : max)->line, where + ": `min`/`max` are only for integer inputs");
        }
        if (input.min && input.max && *input.min > *input.max) {
          error(min->line, where + ": min is larger than max");
        }
        if (default_entry && input.default_value) check_default(input, *default_entry, where);
      }
      action.inputs.push_back(std::move(input));
    }
  }

  // A default is applied when the input is left out, so it must itself be a valid value.
  void check_default(const InputSpec& input, const Entry& entry, const std::string& where) {
    const std::string& value = *input.default_value;
    if (input.type == InputType::choice && !contains(input.values, value)) {
      error(entry.line, where + ": default '" + value + "' is not one of its values");
    } else if (input.type == InputType::integer) {
      auto number = integer_of(entry.value, entry.line, where + ": default");
      if (number && ((input.min && *number < *input.min) || (input.max && *number > *input.max))) {
        error(entry.line, where + ": default " + value + " is out of range");
      }
    } else if (input.type == InputType::boolean && value != "true" && value != "false") {
      error(entry.line, where + ": default must be true or false");
    } else if (input.type == InputType::determination && !workflow_.determination(value)) {
      error(entry.line, where + ": default determination '" + value + "' is not declared");
    } else if (input.type == InputType::string_list) {
      error(entry.line, where + ": a string_list cannot have a default");
    }
  }

  void parse_exclusive(ActionSpec& action, const Entry& section, const std::string& where) {
    if (!section.value.IsSequence()) {
      error(section.line, where + ": `exclusive` must be a list of lists of input names");
      return;
    }
    for (const YAML::Node& group_node : section.value) {
      const int line = line_of(group_node);
      std::vector<std::string> group;
      for (const InputRef& name : names_of(Entry{"exclusive", group_node, line}, where)) {
        if (check_input_ref(action, name.name, name.line, "exclusive", std::nullopt)) {
          push_unique(group, name.name);
        }
      }
      if (!group_node.IsSequence() || group_node.size() < 2) {
        error(line, where + ": an exclusive group needs at least two inputs");
      }
      if (group.size() >= 2) action.exclusive.push_back(std::move(group));
    }
  }

  void parse_effects(ActionSpec& action, const Entry& section, const std::string& where) {
    if (!section.value.IsSequence()) {
      error(section.line, where + ": `effects` must be a list");
      return;
    }
    for (const YAML::Node& node : section.value) {
      if (auto effect = parse_effect(action, node, where)) action.effects.push_back(*effect);
    }
  }

  std::optional<ClockEffect> parse_effect(const ActionSpec& action, const YAML::Node& node,
                                          const std::string& where) {
    static const std::vector<std::string> modifiers = {"at", "working_days_input", "due_on_input",
                                                       "late_flag"};
    ClockEffect effect;
    effect.line = line_of(node);
    const std::string effect_where = "an effect of " + where;
    if (!node.IsMap()) {
      error(effect.line, effect_where + " must be a map like {start: reply}");
      return std::nullopt;
    }
    std::vector<const Entry*> ops;
    std::map<std::string, const Entry*> mods;
    const std::vector<Entry> keys = entries(node, effect_where);
    std::vector<std::string> op_names;
    for (const auto& [name, op] : clock_ops()) op_names.push_back(name);
    for (const Entry& entry : keys) {
      if (contains(op_names, entry.key)) {
        ops.push_back(&entry);
      } else if (contains(modifiers, entry.key)) {
        mods[entry.key] = &entry;
      } else {
        std::vector<std::string> all = op_names;
        all.insert(all.end(), modifiers.begin(), modifiers.end());
        unknown_key(entry, effect_where, all);
      }
    }
    if (ops.size() != 1) {
      std::vector<std::string> found;
      for (const Entry* op : ops) found.push_back(op->key);
      error(effect.line,
            effect_where + (ops.empty() ? " has no operation (one of " + join(op_names, ", ") + ")"
                                        : " has several operations (" + join(found, ", ") + ")"));
      return std::nullopt;
    }
    const Entry& op = *ops.front();
    const std::string op_name = op.key;
    for (const auto& [name, value] : clock_ops()) {
      if (name == op_name) effect.op = value;
    }
    bool ok = true;
    if (auto clock = name_of(op, effect_where)) {
      effect.clock = *clock;
      if (*clock == "*") {
        if (effect.op != ClockOp::stop) {
          error(op.line, effect_where + ": only `stop` accepts \"*\" (every clock)");
          ok = false;
        }
      } else if (const DeadlineSpec* deadline = workflow_.deadline(*clock)) {
        if (effect.op == ClockOp::extend && deadline->extension_max_total_wd == 0) {
          error(op.line, effect_where + ": deadline '" + *clock + "' has no extension rule");
          ok = false;
        }
      } else {
        error(op.line, effect_where + ": unknown deadline '" + *clock + "'");
        ok = false;
      }
    } else {
      ok = false;
    }

    // Each modifier only means something for some operations; a stray one is a misunderstanding
    // worth reporting rather than silently ignoring.
    auto allowed = [&](const std::string& key, std::initializer_list<ClockOp> ops_allowed) {
      const Entry* entry = mods.count(key) ? mods[key] : nullptr;
      if (!entry) return entry;
      if (std::find(ops_allowed.begin(), ops_allowed.end(), effect.op) == ops_allowed.end()) {
        error(entry->line, effect_where + ": `" + key + "` does not apply to `" + op_name + "`");
        ok = false;
        return static_cast<const Entry*>(nullptr);
      }
      return entry;
    };
    if (const Entry* at = mods.count("at") ? mods["at"] : nullptr) {
      if (auto value = name_of(*at, effect_where)) {
        if (*value == "received_on" ||
            check_input_ref(action, *value, at->line, "at", InputType::date)) {
          effect.at = *value;
        } else {
          ok = false;
        }
      }
    }
    if (const Entry* entry =
            allowed("working_days_input", {ClockOp::start, ClockOp::restart, ClockOp::extend})) {
      if (auto value = name_of(*entry, effect_where)) {
        if (check_input_ref(action, *value, entry->line, "working_days_input",
                            InputType::integer)) {
          effect.working_days_input = *value;
        } else {
          ok = false;
        }
      }
    }
    if (const Entry* entry = allowed("due_on_input", {ClockOp::start, ClockOp::override_due})) {
      if (auto value = name_of(*entry, effect_where)) {
        if (check_input_ref(action, *value, entry->line, "due_on_input", InputType::date)) {
          effect.due_on_input = *value;
        } else {
          ok = false;
        }
      }
    }
    if (const Entry* entry = allowed("late_flag", {ClockOp::meet})) {
      if (auto value = name_of(*entry, effect_where)) effect.late_flag = *value;
    }
    // Without a count an extension adds nothing, and without a date an override replaces the
    // due date with nothing.
    if (effect.op == ClockOp::extend && effect.working_days_input.empty() &&
        !mods.count("working_days_input")) {
      error(effect.line, effect_where + ": `extend` needs working_days_input");
      ok = false;
    }
    if (effect.op == ClockOp::override_due && effect.due_on_input.empty() &&
        !mods.count("due_on_input")) {
      error(effect.line, effect_where + ": `override` needs due_on_input");
      ok = false;
    }
    if (!ok) return std::nullopt;
    return effect;
  }

  // A key that names one of the action's inputs: it must be declared, and of the right type
  // where the engine will read it as a date, a count, a user or a determination code.
  bool check_input_ref(const ActionSpec& action, const std::string& name, int line,
                       const std::string& key, std::optional<InputType> type) {
    const InputSpec* input = action.input(name);
    if (!input) {
      error(line, "action '" + action.name + "': `" + key + "` refers to input '" + name +
                      "', which the action does not declare");
      return false;
    }
    if (type && input->type != *type) {
      std::string wanted;
      for (const auto& [type_name, value] : input_types()) {
        if (value == *type) wanted = type_name;
      }
      error(line, "action '" + action.name + "': `" + key + "` needs an input of type " + wanted +
                      ", but '" + name + "' is not");
      return false;
    }
    return true;
  }

  // ---- reminders ---------------------------------------------------------------------------

  void parse_reminders(const Entry& section) {
    static const std::vector<std::string> known = {
        "deadline",          "offsets_wd", "repeat_overdue",    "send_at",
        "working_days_only", "recipients", "overdue_recipients"};
    if (!section.value.IsSequence()) {
      error(section.line, "reminders must be a list");
      return;
    }
    for (const YAML::Node& node : section.value) {
      ReminderRule rule;
      rule.line = line_of(node);
      const std::string where = "the reminder at line " + std::to_string(rule.line);
      bool has_deadline = false;
      bool has_offsets = false;
      bool has_recipients = false;
      bool has_overdue_recipients = false;
      for (const Entry& entry : entries(node, where)) {
        if (entry.key == "deadline") {
          has_deadline = true;
          if (auto value = name_of(entry, where)) {
            if (*value != "*" && !workflow_.deadline(*value)) {
              error(entry.line, where + ": unknown deadline '" + *value + "'");
            }
            rule.deadline = *value;
          }
        } else if (entry.key == "offsets_wd") {
          has_offsets = true;
          if (!entry.value.IsSequence() || entry.value.size() == 0) {
            error(entry.line, where + ": offsets_wd must be a non-empty list of integers");
            continue;
          }
          for (const YAML::Node& offset : entry.value) {
            if (auto value = integer_of(offset, entry.line, where + ": an offset")) {
              rule.offsets_wd.push_back(static_cast<int>(*value));
            }
          }
          std::sort(rule.offsets_wd.begin(), rule.offsets_wd.end());
          rule.offsets_wd.erase(std::unique(rule.offsets_wd.begin(), rule.offsets_wd.end()),
                                rule.offsets_wd.end());
        } else if (entry.key == "repeat_overdue") {
          if (auto value = bool_of(entry, where)) rule.repeat_overdue = *value;
        } else if (entry.key == "working_days_only") {
          if (auto value = bool_of(entry, where)) rule.working_days_only = *value;
        } else if (entry.key == "send_at") {
          if (auto value = text_of(entry, where)) {
            if (valid_time(*value)) {
              rule.send_at = *value;
            } else {
              error(entry.line, where + ": send_at '" + *value + "' is not a time HH:MM");
            }
          }
        } else if (entry.key == "recipients" || entry.key == "overdue_recipients") {
          (entry.key == "recipients" ? has_recipients : has_overdue_recipients) = true;
          auto& list = entry.key == "recipients" ? rule.recipients : rule.overdue_recipients;
          for (const InputRef& recipient : names_of(entry, where)) {
            if (recipient.name != "assignee" && !contains(known_roles(), recipient.name)) {
              error(recipient.line,
                    where + ": unknown recipient '" + recipient.name + "' (assignee or a role)");
              continue;
            }
            push_unique(list, recipient.name);
          }
        } else {
          unknown_key(entry, where, known);
        }
      }
      if (!has_deadline) error(rule.line, where + " has no deadline");
      if (!has_offsets) error(rule.line, where + " has no offsets_wd");
      // Reminders exist to reach the person doing the work; escalation keeps them in the loop.
      if (!has_recipients) rule.recipients = {"assignee"};
      if (!has_overdue_recipients) rule.overdue_recipients = rule.recipients;
      workflow_.reminders.push_back(std::move(rule));
    }
  }

  static bool valid_time(const std::string& value) {
    if (value.size() != 5 || value[2] != ':') return false;
    for (int i : {0, 1, 3, 4}) {
      if (value[i] < '0' || value[i] > '9') return false;
    }
    const int hours = (value[0] - '0') * 10 + (value[1] - '0');
    const int minutes = (value[3] - '0') * 10 + (value[4] - '0');
    return hours < 24 && minutes < 60;
  }

  // ---- whole-workflow checks ---------------------------------------------------------------

  // The scheduler takes the on_expiry action as the `system` actor, so that action must exist
  // and allow it.
  void check_expiry_actions() {
    for (const DeadlineSpec& deadline : workflow_.deadlines) {
      if (deadline.on_expiry.empty()) continue;
      const int line =
          expiry_lines_.count(deadline.kind) ? expiry_lines_[deadline.kind] : deadline.line;
      const ActionSpec* action = workflow_.action(deadline.on_expiry);
      if (!action) {
        error(line, "deadline '" + deadline.kind + "': on_expiry names unknown action '" +
                        deadline.on_expiry + "'");
      } else if (!contains(action->roles, "system")) {
        error(line, "deadline '" + deadline.kind + "': on_expiry action '" + deadline.on_expiry +
                        "' does not list the role system");
      }
    }
  }

  void check_graph(int states_line, int actions_line) {
    if (!workflow_.states.empty() &&
        std::none_of(workflow_.states.begin(), workflow_.states.end(),
                     [](const StateSpec& state) { return state.terminal; })) {
      error(states_line, "no terminal state (mark the sealed state `terminal: true`)");
    }

    std::vector<const ActionSpec*> creating;
    for (const ActionSpec& action : workflow_.actions) {
      if (action.creates_case) creating.push_back(&action);
    }
    if (creating.empty()) {
      if (!workflow_.actions.empty()) {
        error(actions_line, "no creating action (exactly one action needs `creates: true`)");
      }
      return;
    }
    if (creating.size() > 1) {
      for (std::size_t i = 1; i < creating.size(); ++i) {
        error(creating[i]->line, "action '" + creating[i]->name +
                                     "' is a second creating action (first: '" + creating[0]->name +
                                     "'); exactly one is allowed");
      }
    }
    if (!creating[0]->to) return;

    // Breadth-first over from→to: a state no case can ever reach is a typo or a missing action.
    std::set<std::string> reached = {*creating[0]->to};
    std::deque<std::string> queue = {*creating[0]->to};
    while (!queue.empty()) {
      const std::string current = queue.front();
      queue.pop_front();
      for (const ActionSpec& action : workflow_.actions) {
        if (!action.to || !contains(action.from, current)) continue;
        if (reached.insert(*action.to).second) queue.push_back(*action.to);
      }
    }
    for (const StateSpec& state : workflow_.states) {
      if (!reached.count(state.name)) {
        error(state.line,
              "state '" + state.name + "' is unreachable from '" + *creating[0]->to + "'");
      }
    }
  }

  std::string file_;
  Workflow workflow_;
  std::vector<WorkflowError> errors_;
  std::map<std::string, int> expiry_lines_;
};

}  // namespace

WorkflowLoad parse_workflow(const std::string& text, const std::string& file_name) {
  return Loader(file_name).run(text);
}

WorkflowLoad load_workflow_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    WorkflowLoad load;
    load.errors.push_back({path, 0, "cannot open workflow file"});
    return load;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_workflow(text.str(), path);
}

}  // namespace disclose
