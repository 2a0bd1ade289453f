// The workflow model: states, actions, deadlines, reminders and determinations, as read from
// workflows/*.yaml. The engine has no per-workflow code; everything a workflow decides lives here.
// The file format is documented in workflows/README.md.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace disclose {

// Staff roles (DESIGN.md §1) plus `system`, the actor of automatic actions.
inline const std::vector<std::string>& known_roles() {
  static const std::vector<std::string> roles = {"registrar", "handler", "reviewer", "supervisor",
                                                 "auditor",   "admin",   "system"};
  return roles;
}
// The roles that act on cases (what "any staff role" means in a workflow file).
inline const std::vector<std::string>& case_roles() {
  static const std::vector<std::string> roles = {"registrar", "handler", "reviewer", "supervisor"};
  return roles;
}

struct StateSpec {
  std::string name;
  std::string label;      // 中文 label
  bool open = true;       // the request is still being handled (counts as pending)
  bool terminal = false;  // the file is sealed; only actions listing it explicitly may leave it
  int line = 0;
};

enum class InputType {
  date,     // YYYY-MM-DD, never in the future
  string,   // one line
  text,     // free text
  integer,  // with optional min/max
  boolean,
  choice,         // one of `values`
  string_list,    // non-empty list of strings
  user,           // a user id
  determination,  // one of the workflow's determination codes
};

struct InputSpec {
  std::string name;
  InputType type = InputType::string;
  bool required = false;
  std::vector<std::string> values;           // choice
  std::optional<long long> min;              // integer
  std::optional<long long> max;              // integer
  std::optional<std::string> default_value;  // as text, e.g. "20" or "none"
  int line = 0;
};

// What an action does to a deadline clock (DESIGN.md §3).
enum class ClockOp {
  start,         // begin counting from `at` (a fresh epoch)
  stop,          // no longer applies (status `stopped`); `clock: "*"` stops every running clock
  meet,          // the awaited act happened at `at`: status `met`, or `missed` when late
  pause,         // stop counting from `at`; working days until resume are added back
  resume,        // count again from `at`
  restart,       // count from zero at `at` (补正: the start date is replaced)
  extend,        // add working days (capped by the deadline's extension rule)
  override_due,  // replace the due date outright (Art. 35), from input `due_on_input`
};

struct ClockEffect {
  ClockOp op = ClockOp::start;
  std::string clock;  // deadline kind, or "*" (stop only)
  // Where the effective date comes from: an input name ("on", "party_received_on"), or
  // "received_on" (the case's receipt date). Missing input falls back to the action's `on`,
  // then to today.
  std::string at = "on";
  std::string working_days_input;  // start/restart/extend: the input that gives the count
  std::string due_on_input;        // start/override_due: the input that gives the due date
  std::string late_flag;           // meet: case flag set when met after the due date
  int line = 0;
};

struct ActionSpec {
  std::string name;
  std::string label;
  bool creates_case = false;       // the registering action (no `from`)
  std::vector<std::string> from;   // resolved state names
  std::optional<std::string> to;   // nullopt: the case stays in its state
  std::vector<std::string> roles;  // resolved role names; "system" for automatic actions
  std::vector<InputSpec> inputs;
  std::vector<std::vector<std::string>> exclusive;  // at most one input of each group
  std::vector<ClockEffect> effects;
  std::string assigns_from;        // input holding the new assignee
  std::string determination_from;  // input holding the determination code
  std::string determination;       // fixed determination (withdraw, automatic closes)
  bool closes = false;             // sets the closing date (annual report 三)
  bool reopens = false;            // clears the closing date and determination
  std::string records;             // "remedy" | "fee" | "delivery" | "" (case records)
  std::string reason_input;        // input that must explain the action (extend, delay)
  int line = 0;

  const InputSpec* input(const std::string& input_name) const;
};

struct DeadlineSpec {
  std::string kind;  // reply | correction_notice | correction_window | consultation | …
  std::string label;
  int working_days = 0;            // default count
  std::string on_expiry;           // system action taken when the clock runs out ("" = none)
  int extension_max_total_wd = 0;  // 0 = cannot be extended
  int extension_max_times = 0;
  int line = 0;
};

struct ReminderRule {
  std::string deadline;           // deadline kind, or "*"
  std::vector<int> offsets_wd;    // negative = before due, 0 = due day, positive = overdue
  bool repeat_overdue = true;     // then every working day while overdue
  std::string send_at = "09:00";  // local time
  bool working_days_only = true;
  std::vector<std::string> recipients;          // before and on the due day: "assignee", roles
  std::vector<std::string> overdue_recipients;  // from overdue on
  int line = 0;
};

struct DeterminationSpec {
  std::string code;                     // e.g. "withheld.third_party"
  std::string report_row;               // annual report row, e.g. "三(三)4"
  std::string label;                    // 中文 label of that row
  bool requires_remedy_notice = false;  // 不予公开 / 部分公开: reply must name 行政复议 first
};

struct Workflow {
  std::string name;
  std::string title;
  int version = 1;
  std::string source_file;
  std::vector<StateSpec> states;
  std::vector<ActionSpec> actions;
  std::vector<DeadlineSpec> deadlines;
  std::vector<ReminderRule> reminders;
  std::vector<DeterminationSpec> determinations;

  const StateSpec* state(const std::string& state_name) const;
  const ActionSpec* action(const std::string& action_name) const;
  const DeadlineSpec* deadline(const std::string& kind) const;
  const DeterminationSpec* determination(const std::string& code) const;
  const ActionSpec* creating_action() const;

  // The 中文 label of a state, action, deadline kind or determination code, or the name itself
  // when the workflow does not know it or gives no label (so callers can always print it).
  std::string state_label(const std::string& state_name) const;
  std::string action_label(const std::string& action_name) const;
  std::string deadline_label(const std::string& kind) const;
  std::string determination_label(const std::string& code) const;
};

struct WorkflowError {
  std::string file;
  int line = 0;
  std::string message;
  std::string str() const;  // "file:line: message"
};

struct WorkflowLoad {
  std::optional<Workflow> workflow;  // set only when errors is empty
  std::vector<WorkflowError> errors;
};

// Parses and validates one workflow file. Never throws for bad content: every problem is
// reported with file:line (unknown state, unreachable state, action without roles, no terminal
// state, bad deadline spec, duplicate names, unknown keys, …).
WorkflowLoad parse_workflow(const std::string& text, const std::string& file_name);
WorkflowLoad load_workflow_file(const std::string& path);

// All workflows of a deployment, by name.
class WorkflowRegistry {
 public:
  // Loads every *.yaml directly under `directory`; throws std::runtime_error listing every
  // WorkflowError when any file is invalid.
  static WorkflowRegistry load_dir(const std::string& directory);
  void add(Workflow workflow);
  const Workflow* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, Workflow> workflows_;
};

// The state graph in Graphviz dot.
std::string workflow_dot(const Workflow& workflow);

}  // namespace disclose
