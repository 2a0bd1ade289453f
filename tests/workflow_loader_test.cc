// The workflow loader: the bundled workflow files, every validation error with its line, the
// registry and the dot export.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "disclose/workflow.h"
#include "temp_dir.h"

namespace disclose {
namespace {

const std::string kWorkflows = DISCLOSE_SOURCE_WORKFLOWS;

std::string dump(const std::vector<WorkflowError>& errors) {
  std::string out;
  for (const WorkflowError& error : errors) out += error.str() + "\n";
  return out;
}

Workflow load_ok(const std::string& path) {
  WorkflowLoad load = load_workflow_file(path);
  EXPECT_TRUE(load.errors.empty()) << dump(load.errors);
  EXPECT_TRUE(load.workflow.has_value());
  return load.workflow ? *load.workflow : Workflow{};
}

std::vector<WorkflowError> errors_of(const std::string& text) {
  WorkflowLoad load = parse_workflow(text, "test.yaml");
  EXPECT_EQ(load.workflow.has_value(), load.errors.empty());
  return load.errors;
}

// True when some error sits on `line` and mentions `fragment`.
::testing::AssertionResult has_error(const std::vector<WorkflowError>& errors, int line,
                                     const std::string& fragment) {
  for (const WorkflowError& error : errors) {
    if (error.line == line && error.message.find(fragment) != std::string::npos) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure()
         << "no error at line " << line << " mentioning '" << fragment << "' in:\n"
         << dump(errors);
}

// A small valid workflow. Its `actions` section comes last, so a test can append an action
// starting on line 24.
const std::string kMini = R"Y(workflow: mini
states:
  active: {label: 办理}
  done: {label: 办结, open: false, terminal: true}
deadlines:
  reply: {working_days: 20, extension: {max_total_wd: 20, max_times: 1}}
determinations:
  granted: {row: "三(一)", label: 予以公开}
reminders:
  - {deadline: reply, offsets_wd: [0], send_at: "09:00"}
actions:
  register:
    creates: true
    to: active
    roles: [registrar]
    effects:
      - {start: reply, at: received_on}
  finish:
    from: [active]
    to: done
    roles: [handler]
    inputs: {on: {type: date, required: true}}
    effects: [{meet: reply}]
)Y";

// ---- the bundled files -------------------------------------------------------------------------

TEST(BundledWorkflows, BothLoadWithoutErrors) {
  Workflow gov = load_ok(kWorkflows + "/gov-info-disclosure.yaml");
  EXPECT_EQ(gov.name, "gov-info-disclosure");
  EXPECT_EQ(gov.title, "政府信息公开申请");
  EXPECT_EQ(gov.source_file, kWorkflows + "/gov-info-disclosure.yaml");
  Workflow data = load_ok(kWorkflows + "/public-data-open.yaml");
  EXPECT_EQ(data.name, "public-data-open");
}

TEST(BundledWorkflows, GovInfoStatesKeepOrderAndFlags) {
  Workflow wf = load_ok(kWorkflows + "/gov-info-disclosure.yaml");
  std::vector<std::string> names;
  for (const StateSpec& state : wf.states) names.push_back(state.name);
  EXPECT_EQ(names, (std::vector<std::string>{"registered", "review", "awaiting_correction",
                                             "handling", "consulting", "awaiting_fee", "replying",
                                             "delivering", "closed", "archived"}));
  EXPECT_EQ(wf.state("awaiting_correction")->label, "待补正");
  EXPECT_TRUE(wf.state("handling")->open);
  EXPECT_FALSE(wf.state("closed")->open);
  EXPECT_FALSE(wf.state("closed")->terminal);
  EXPECT_TRUE(wf.state("archived")->terminal);
  EXPECT_EQ(wf.state("nope"), nullptr);
}

TEST(BundledWorkflows, GovInfoHasEveryDeterminationOfTheAnnualReport) {
  Workflow wf = load_ok(kWorkflows + "/gov-info-disclosure.yaml");
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"granted", "三(一)"},
      {"partial", "三(二)"},
      {"withheld.state_secret", "三(三)1"},
      {"withheld.law_prohibits", "三(三)2"},
      {"withheld.security_stability", "三(三)3"},
      {"withheld.third_party", "三(三)4"},
      {"withheld.internal_affairs", "三(三)5"},
      {"withheld.process_info", "三(三)6"},
      {"withheld.enforcement_file", "三(三)7"},
      {"withheld.special_access", "三(三)8"},
      {"unavailable.not_held", "三(四)1"},
      {"unavailable.needs_creation", "三(四)2"},
      {"unavailable.unclear_after_correction", "三(四)3"},
      {"not_processed.petition", "三(五)1"},
      {"not_processed.repeat", "三(五)2"},
      {"not_processed.publication", "三(五)3"},
      {"not_processed.excessive", "三(五)4"},
      {"not_processed.confirm_reissue", "三(五)5"},
      {"other.no_correction", "三(六)1"},
      {"other.fee_unpaid", "三(六)2"},
      {"other.withdrawn", "三(六)3"},
      {"other.other", "三(六)3"},
  };
  ASSERT_EQ(wf.determinations.size(), 22u);
  for (const auto& [code, row] : expected) {
    const DeterminationSpec* spec = wf.determination(code);
    ASSERT_NE(spec, nullptr) << code;
    EXPECT_EQ(spec->report_row, row) << code;
    EXPECT_FALSE(spec->label.empty()) << code;
    const bool adverse = code == "partial" || code.rfind("withheld.", 0) == 0;
    EXPECT_EQ(spec->requires_remedy_notice, adverse) << code;
  }
  EXPECT_EQ(wf.determination("withheld.third_party")->label, "保护第三方合法权益");
  EXPECT_EQ(wf.determination("withheld.security_stability")->label, "危及“三安全一稳定”");
  EXPECT_EQ(wf.determination("unavailable.not_held")->label, "本机关不掌握相关政府信息");
}

// Every row of table 三 that a determination feeds must be reachable from some code, or the annual
// report could never count it: 三(一), 三(二), 三(三)1–8, 三(四)1–3, 三(五)1–5, 三(六)1–3.
TEST(BundledWorkflows, GovInfoCoversEveryReportRow) {
  Workflow wf = load_ok(kWorkflows + "/gov-info-disclosure.yaml");
  std::set<std::string> rows;
  for (const DeterminationSpec& spec : wf.determinations) rows.insert(spec.report_row);
  EXPECT_EQ(rows.size(), 21u);  // 1 + 1 + 8 + 3 + 5 + 3
}

TEST(BundledWorkflows, GovInfoDeadlines) {
  Workflow wf = load_ok(kWorkflows + "/gov-info-disclosure.yaml");
  const DeadlineSpec* reply = wf.deadline("reply");
  ASSERT_NE(reply, nullptr);
  EXPECT_EQ(reply->working_days, 20);
  EXPECT_EQ(reply->extension_max_total_wd, 20);
  EXPECT_EQ(reply->extension_max_times, 1);
  EXPECT_EQ(reply->on_expiry, "");
  EXPECT_EQ(wf.deadline("correction_notice")->working_days, 7);
  EXPECT_EQ(wf.deadline("correction_notice")->on_expiry, "");
  EXPECT_EQ(wf.deadline("correction_window")->working_days, 15);
  EXPECT_EQ(wf.deadline("correction_window")->on_expiry, "correction_expired");
  EXPECT_EQ(wf.deadline("consultation")->working_days, 15);
  EXPECT_EQ(wf.deadline("consultation")->on_expiry, "consultation_expired");
  EXPECT_EQ(wf.deadline("fee_payment")->working_days, 20);
  EXPECT_EQ(wf.deadline("fee_payment")->on_expiry, "fee_expired");
  EXPECT_EQ(wf.deadline("fee_payment")->extension_max_total_wd, 0);
}

TEST(BundledWorkflows, GovInfoActionsFollowTheDesignTable) {
  Workflow wf = load_ok(kWorkflows + "/gov-info-disclosure.yaml");
  struct Row {
    std::string action;
    std::vector<std::string> roles;
    std::vector<std::string> from;
    std::optional<std::string> to;
  };
  const std::vector<std::string> open_states = {"registered", "review",     "awaiting_correction",
                                                "handling",   "consulting", "awaiting_fee",
                                                "replying",   "delivering"};
  std::vector<std::string> all_but_archived = open_states;
  all_but_archived.push_back("closed");
  const std::vector<std::string> staff = {"registrar", "handler", "reviewer", "supervisor"};
  const std::vector<Row> table = {
      {"submit_review", {"registrar"}, {"registered"}, "review"},
      {"request_correction", {"registrar", "reviewer"}, {"review"}, "awaiting_correction"},
      {"correction_received", {"registrar"}, {"awaiting_correction"}, "review"},
      {"correction_expired", {"system"}, {"awaiting_correction"}, "closed"},
      {"accept", {"reviewer", "supervisor"}, {"review"}, "handling"},
      {"consult", {"handler"}, {"handling"}, "consulting"},
      {"consultation_done", {"handler"}, {"consulting"}, "handling"},
      {"consultation_expired", {"system"}, {"consulting"}, "handling"},
      {"fee_notice", {"handler"}, {"handling"}, "awaiting_fee"},
      {"fee_paid", {"handler", "registrar"}, {"awaiting_fee"}, "handling"},
      {"fee_expired", {"system"}, {"awaiting_fee"}, "closed"},
      {"extend", {"supervisor"}, {"handling", "consulting"}, std::nullopt},
      {"delay", {"supervisor"}, {"handling"}, std::nullopt},
      {"draft_reply", {"handler"}, {"handling"}, "replying"},
      {"return_reply", {"reviewer", "supervisor"}, {"replying"}, "handling"},
      {"approve_reply", {"reviewer", "supervisor"}, {"replying"}, "delivering"},
      {"record_delivery", {"registrar", "handler"}, {"delivering"}, "closed"},
      {"withdraw", {"registrar"}, open_states, "closed"},
      {"archive", {"registrar"}, {"closed"}, "archived"},
      {"reopen", {"supervisor"}, {"closed", "archived"}, "handling"},
      {"record_remedy", {"supervisor", "registrar"}, {"closed", "archived"}, std::nullopt},
      {"note", staff, all_but_archived, std::nullopt},
      {"contact", staff, all_but_archived, std::nullopt},
      {"attach", staff, all_but_archived, std::nullopt},
      {"assign", {"reviewer", "supervisor"}, open_states, std::nullopt},
  };
  EXPECT_EQ(wf.actions.size(), table.size() + 1);  // + register
  for (const Row& row : table) {
    const ActionSpec* action = wf.action(row.action);
    ASSERT_NE(action, nullptr) << row.action;
    EXPECT_EQ(action->roles, row.roles) << row.action;
    EXPECT_EQ(action->from, row.from) << row.action;
    EXPECT_EQ(action->to, row.to) << row.action;
    EXPECT_FALSE(action->creates_case) << row.action;
    EXPECT_FALSE(action->label.empty()) << row.action;
  }
  const ActionSpec* creating = wf.creating_action();
  ASSERT_NE(creating, nullptr);
  EXPECT_EQ(creating->name, "register");
  EXPECT_TRUE(creating->from.empty());
  EXPECT_EQ(creating->to, "registered");
  EXPECT_EQ(creating->roles, std::vector<std::string>{"registrar"});
}

TEST(BundledWorkflows, GovInfoClockEffects) {
  Workflow wf = load_ok(kWorkflows + "/gov-info-disclosure.yaml");
  const ActionSpec* reg = wf.action("register");
  ASSERT_EQ(reg->effects.size(), 2u);
  EXPECT_EQ(reg->effects[0].op, ClockOp::start);
  EXPECT_EQ(reg->effects[0].clock, "reply");
  EXPECT_EQ(reg->effects[0].at, "received_on");
  EXPECT_EQ(reg->effects[1].clock, "correction_notice");

  const ActionSpec* rc = wf.action("request_correction");
  ASSERT_EQ(rc->effects.size(), 3u);
  EXPECT_EQ(rc->effects[0].op, ClockOp::stop);
  EXPECT_EQ(rc->effects[1].op, ClockOp::meet);
  EXPECT_EQ(rc->effects[1].late_flag, "late_correction_notice");
  EXPECT_EQ(rc->effects[2].op, ClockOp::start);
  EXPECT_EQ(rc->effects[2].clock, "correction_window");
  EXPECT_EQ(rc->effects[2].working_days_input, "window_wd");
  EXPECT_EQ(rc->effects[2].due_on_input, "due_on");
  EXPECT_EQ(rc->effects[2].at, "on");
  ASSERT_EQ(rc->exclusive.size(), 1u);
  EXPECT_EQ(rc->exclusive[0], (std::vector<std::string>{"window_wd", "due_on"}));
  ASSERT_NE(rc->input("items"), nullptr);
  EXPECT_EQ(rc->input("items")->type, InputType::string_list);
  EXPECT_TRUE(rc->input("items")->required);
  EXPECT_EQ(rc->input("window_wd")->min, 1);
  EXPECT_EQ(rc->input("window_wd")->max, 60);
  EXPECT_EQ(rc->input("nope"), nullptr);

  const ActionSpec* received = wf.action("correction_received");
  ASSERT_EQ(received->effects.size(), 3u);
  EXPECT_EQ(received->effects[1].op, ClockOp::restart);
  EXPECT_EQ(received->effects[1].clock, "reply");

  const ActionSpec* consult = wf.action("consult");
  EXPECT_EQ(consult->effects[0].op, ClockOp::pause);
  EXPECT_EQ(consult->effects[1].at, "party_received_on");
  EXPECT_EQ(consult->input("party")->values, (std::vector<std::string>{"third_party", "agency"}));

  const ActionSpec* extend = wf.action("extend");
  ASSERT_EQ(extend->effects.size(), 1u);
  EXPECT_EQ(extend->effects[0].op, ClockOp::extend);
  EXPECT_EQ(extend->effects[0].working_days_input, "working_days");
  EXPECT_EQ(extend->reason_input, "reason");
  EXPECT_EQ(extend->input("working_days")->max, 20);

  const ActionSpec* delay = wf.action("delay");
  EXPECT_EQ(delay->effects[0].op, ClockOp::override_due);
  EXPECT_EQ(delay->effects[0].due_on_input, "due_on");

  const ActionSpec* expired = wf.action("correction_expired");
  EXPECT_EQ(expired->determination, "other.no_correction");
  EXPECT_TRUE(expired->closes);
  EXPECT_EQ(expired->effects[0].op, ClockOp::stop);
  EXPECT_EQ(expired->effects[0].clock, "*");

  EXPECT_EQ(wf.action("fee_notice")->records, "fee");
  EXPECT_EQ(wf.action("fee_paid")->records, "fee_paid");
  EXPECT_EQ(wf.action("record_delivery")->records, "delivery");
  EXPECT_TRUE(wf.action("record_delivery")->closes);
  EXPECT_EQ(wf.action("record_remedy")->records, "remedy");
  EXPECT_EQ(wf.action("draft_reply")->determination_from, "determination");
  EXPECT_EQ(wf.action("withdraw")->determination, "other.withdrawn");
  EXPECT_EQ(wf.action("accept")->assigns_from, "assignee");
  EXPECT_FALSE(wf.action("accept")->input("assignee")->required);
  EXPECT_TRUE(wf.action("assign")->input("assignee")->required);

  const ActionSpec* reopen = wf.action("reopen");
  EXPECT_TRUE(reopen->reopens);
  EXPECT_EQ(reopen->input("working_days")->default_value, "20");
  EXPECT_EQ(reopen->effects[0].op, ClockOp::restart);
  EXPECT_EQ(reopen->effects[0].working_days_input, "working_days");

  // DESIGN.md §7: every action that moves a clock or closes carries its date.
  for (const ActionSpec& action : wf.actions) {
    if (action.creates_case || (action.effects.empty() && !action.closes)) continue;
    ASSERT_NE(action.input("on"), nullptr) << action.name;
    EXPECT_EQ(action.input("on")->type, InputType::date) << action.name;
  }
}

TEST(BundledWorkflows, GovInfoReminders) {
  Workflow wf = load_ok(kWorkflows + "/gov-info-disclosure.yaml");
  ASSERT_EQ(wf.reminders.size(), 1u);
  const ReminderRule& rule = wf.reminders[0];
  EXPECT_EQ(rule.deadline, "*");
  EXPECT_EQ(rule.offsets_wd, (std::vector<int>{-5, -2, 0, 1}));
  EXPECT_TRUE(rule.repeat_overdue);
  EXPECT_EQ(rule.send_at, "09:00");
  EXPECT_TRUE(rule.working_days_only);
  EXPECT_EQ(rule.recipients, std::vector<std::string>{"assignee"});
  EXPECT_EQ(rule.overdue_recipients, (std::vector<std::string>{"assignee", "supervisor"}));
}

TEST(BundledWorkflows, PublicDataOpen) {
  Workflow wf = load_ok(kWorkflows + "/public-data-open.yaml");
  const DeadlineSpec* acceptance = wf.deadline("acceptance");
  ASSERT_NE(acceptance, nullptr);
  EXPECT_EQ(acceptance->working_days, 3);
  const ActionSpec* reg = wf.creating_action();
  ASSERT_NE(reg, nullptr);
  ASSERT_EQ(reg->effects.size(), 1u);
  EXPECT_EQ(reg->effects[0].clock, "acceptance");
  EXPECT_EQ(reg->effects[0].at, "received_on");
  EXPECT_EQ(wf.action("accept")->to, "providing");
  EXPECT_EQ(wf.action("accept")->effects[0].op, ClockOp::meet);
  EXPECT_EQ(wf.action("refuse")->determination_from, "determination");
  EXPECT_TRUE(wf.action("refuse")->closes);
  EXPECT_EQ(wf.action("provide")->determination, "data.provided");
  EXPECT_EQ(wf.action("withdraw")->from, (std::vector<std::string>{"registered", "providing"}));
  EXPECT_NE(wf.determination("data.refused"), nullptr);
  EXPECT_TRUE(wf.state("archived")->terminal);
}

// ---- the format ----------------------------------------------------------------------------

TEST(WorkflowLoader, MiniWorkflowLoadsWithDefaults) {
  WorkflowLoad load = parse_workflow(kMini, "mini.yaml");
  ASSERT_TRUE(load.errors.empty()) << dump(load.errors);
  const Workflow& wf = *load.workflow;
  EXPECT_EQ(wf.version, 1);
  EXPECT_EQ(wf.source_file, "mini.yaml");
  EXPECT_EQ(wf.state("active")->line, 3);
  EXPECT_TRUE(wf.state("active")->open);
  EXPECT_FALSE(wf.state("active")->terminal);
  EXPECT_EQ(wf.action("finish")->line, 18);
  EXPECT_EQ(wf.action("finish")->effects[0].at, "on");
  EXPECT_EQ(wf.action("finish")->input("on")->line, 22);
  // Reminder defaults: the assignee, then the same people when overdue.
  EXPECT_EQ(wf.reminders[0].recipients, std::vector<std::string>{"assignee"});
  EXPECT_EQ(wf.reminders[0].overdue_recipients, std::vector<std::string>{"assignee"});
  EXPECT_TRUE(wf.reminders[0].repeat_overdue);
}

// The example in workflows/README.md is what people copy: it must stay valid.
TEST(WorkflowLoader, ReadmeExampleIsValid) {
  std::ifstream in(kWorkflows + "/README.md");
  std::stringstream readme;
  readme << in.rdbuf();
  const std::string text = readme.str();
  const std::size_t section = text.find("## A short example");
  ASSERT_NE(section, std::string::npos);
  const std::size_t begin = text.find("```yaml\n", section);
  ASSERT_NE(begin, std::string::npos);
  const std::size_t end = text.find("```", begin + 8);
  ASSERT_NE(end, std::string::npos);
  WorkflowLoad load = parse_workflow(text.substr(begin + 8, end - begin - 8), "README.md");
  ASSERT_TRUE(load.errors.empty()) << dump(load.errors);
  EXPECT_EQ(load.workflow->name, "sample-request");
  EXPECT_EQ(load.workflow->action("note")->from, (std::vector<std::string>{"active", "closed"}));
}

TEST(WorkflowLoader, WildcardsNeverLeaveATerminalState) {
  WorkflowLoad load = parse_workflow(kMini + R"Y(  cancel:
    from: "*"
    to: done
    roles: [registrar]
  remark:
    from: "*"
    roles: ["*staff"]
)Y",
                                     "mini.yaml");
  ASSERT_TRUE(load.errors.empty()) << dump(load.errors);
  EXPECT_EQ(load.workflow->action("cancel")->from, std::vector<std::string>{"active"});
  EXPECT_EQ(load.workflow->action("remark")->from, (std::vector<std::string>{"active", "done"}));
  EXPECT_EQ(load.workflow->action("remark")->roles,
            (std::vector<std::string>{"registrar", "handler", "reviewer", "supervisor"}));
}

TEST(WorkflowLoader, ErrorStringIsFileLineMessage) {
  WorkflowError error{"wf.yaml", 12, "unknown state 'x'"};
  EXPECT_EQ(error.str(), "wf.yaml:12: unknown state 'x'");
}

TEST(WorkflowLoaderErrors, YamlSyntaxReportsItsLine) {
  auto errors = errors_of("workflow: x\nstates: [a, b\nactions: {}\n");
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_EQ(errors[0].file, "test.yaml");
}

TEST(WorkflowLoaderErrors, UnknownKeysEverywhere) {
  std::string text = kMini;
  text.replace(text.find("workflow: mini\n"), 15, "workflow: mini\ncolour: blue\n");
  // Every later line moves down by one.
  text.replace(text.find("{label: 办理}"), 15, "{label: 办理, colr: red}");
  text.replace(text.find("max_times: 1}"), 13, "max_times: 1, grace: 2}");
  text.replace(text.find("send_at: \"09:00\"}"), 17, "send_at: \"09:00\", loud: true}");
  text.replace(text.find("    roles: [handler]"), 20, "    roles: [handler]\n    colour: red");
  text.replace(text.find("required: true}}"), 16, "required: true, hint: x}}");
  text.replace(text.find("[{meet: reply}]"), 15, "[{meet: reply, when: on}]");
  auto errors = errors_of(text);
  EXPECT_TRUE(has_error(errors, 2, "unknown key 'colour' in the workflow file"));
  EXPECT_TRUE(has_error(errors, 4, "unknown key 'colr' in state 'active'"));
  EXPECT_TRUE(has_error(errors, 7, "unknown key 'grace'"));
  EXPECT_TRUE(has_error(errors, 11, "unknown key 'loud'"));
  EXPECT_TRUE(has_error(errors, 23, "unknown key 'colour' in action 'finish'"));
  EXPECT_TRUE(has_error(errors, 24, "unknown key 'hint' in input 'on'"));
  EXPECT_TRUE(has_error(errors, 25, "unknown key 'when'"));
  EXPECT_EQ(errors.size(), 7u) << dump(errors);
}

TEST(WorkflowLoaderErrors, DuplicateNames) {
  auto errors = errors_of(R"Y(workflow: dup
states:
  a: {label: A}
  b: {label: B, terminal: true}
  a: {label: A2}
actions:
  register: {creates: true, to: a, roles: [registrar]}
  go:
    from: [a]
    to: b
    roles: [handler]
    inputs:
      on: {type: date}
      on: {type: string}
  go: {from: [a], to: b, roles: [handler]}
)Y");
  EXPECT_TRUE(has_error(errors, 5, "duplicate key 'a' in states (first at line 3)"));
  EXPECT_TRUE(has_error(errors, 14, "duplicate key 'on'"));
  EXPECT_TRUE(has_error(errors, 15, "duplicate key 'go' in actions (first at line 8)"));
  EXPECT_EQ(errors.size(), 3u) << dump(errors);
}

TEST(WorkflowLoaderErrors, MissingWorkflowName) {
  std::string text = kMini;
  text.replace(0, 15, "title: 无名\n");
  auto errors = errors_of(text);
  EXPECT_TRUE(has_error(errors, 1, "missing workflow name"));
  EXPECT_EQ(errors.size(), 1u) << dump(errors);
}

TEST(WorkflowLoaderErrors, UnknownStatesInFromToExcept) {
  auto errors = errors_of(kMini + R"Y(  a:
    from: [active, activ]
    roles: [handler]
  b:
    from: [active]
    to: don
    roles: [handler]
  c:
    from: "*"
    except: [dne]
    roles: [handler]
)Y");
  EXPECT_TRUE(has_error(errors, 25, "unknown state 'activ' in `from`"));
  EXPECT_TRUE(has_error(errors, 29, "unknown state 'don' in `to`"));
  EXPECT_TRUE(has_error(errors, 33, "unknown state 'dne' in `except`"));
  EXPECT_EQ(errors.size(), 3u) << dump(errors);
}

TEST(WorkflowLoaderErrors, UnreachableState) {
  auto errors = errors_of(R"Y(workflow: u
states:
  a: {label: A}
  lost: {label: 孤立}
  b: {label: B, terminal: true}
actions:
  register: {creates: true, to: a, roles: [registrar]}
  go: {from: [a], to: b, roles: [handler]}
  back: {from: [lost], to: a, roles: [handler]}
)Y");
  EXPECT_TRUE(has_error(errors, 4, "state 'lost' is unreachable"));
  EXPECT_EQ(errors.size(), 1u) << dump(errors);
}

TEST(WorkflowLoaderErrors, RolesMissingOrUnknown) {
  auto errors = errors_of(kMini + R"Y(  a:
    from: [active]
  b:
    from: [active]
    roles: [handler, janitor]
  c: {from: [active], roles: []}
)Y");
  EXPECT_TRUE(has_error(errors, 24, "action 'a' has no roles"));
  EXPECT_TRUE(has_error(errors, 28, "unknown role 'janitor'"));
  EXPECT_TRUE(has_error(errors, 29, "action 'c' has no roles"));
  EXPECT_EQ(errors.size(), 3u) << dump(errors);
}

TEST(WorkflowLoaderErrors, NoTerminalState) {
  std::string text = kMini;
  text.replace(text.find(", terminal: true"), 16, "");
  auto errors = errors_of(text);
  EXPECT_TRUE(has_error(errors, 2, "no terminal state"));
  EXPECT_EQ(errors.size(), 1u) << dump(errors);
}

TEST(WorkflowLoaderErrors, CreatingActions) {
  auto none = errors_of(R"Y(workflow: c
states:
  a: {label: A, terminal: true}
actions:
  go: {from: [a], roles: [handler]}
)Y");
  EXPECT_TRUE(has_error(none, 4, "no creating action"));

  auto two = errors_of(kMini + R"Y(  again:
    creates: true
    from: [active]
    to: active
    roles: [registrar]
)Y");
  EXPECT_TRUE(has_error(two, 24, "second creating action"));
  EXPECT_TRUE(has_error(two, 26, "creates the case and must not have `from`"));
  EXPECT_EQ(two.size(), 2u) << dump(two);
}

TEST(WorkflowLoaderErrors, BadDeadlines) {
  auto errors = errors_of(R"Y(workflow: d
states:
  a: {label: A}
  b: {label: B, terminal: true}
deadlines:
  none: {label: 无}
  zero: {working_days: 0}
  word: {working_days: twenty}
  expiry_unknown: {working_days: 5, on_expiry: vanish}
  expiry_human: {working_days: 5, on_expiry: go}
  ext_zero: {working_days: 5, extension: {max_total_wd: 0, max_times: 1}}
  ext_missing: {working_days: 5, extension: {max_total_wd: 10}}
  ext_scalar: {working_days: 5, extension: 10}
actions:
  register: {creates: true, to: a, roles: [registrar]}
  go: {from: [a], to: b, roles: [handler]}
)Y");
  EXPECT_TRUE(has_error(errors, 6, "deadline 'none' has no working_days"));
  EXPECT_TRUE(has_error(errors, 7, "working_days must be more than 0"));
  EXPECT_TRUE(has_error(errors, 8, "must be an integer"));
  EXPECT_TRUE(has_error(errors, 9, "on_expiry names unknown action 'vanish'"));
  EXPECT_TRUE(has_error(errors, 10, "on_expiry action 'go' does not list the role system"));
  EXPECT_TRUE(has_error(errors, 11, "max_total_wd must be more than 0"));
  EXPECT_TRUE(has_error(errors, 12, "has no max_times"));
  EXPECT_TRUE(has_error(errors, 13, "must be a map"));
  EXPECT_EQ(errors.size(), 8u) << dump(errors);
}

TEST(WorkflowLoaderErrors, BadEffects) {
  auto errors = errors_of(kMini + R"Y(  a:
    from: [active]
    roles: [handler]
    inputs:
      on: {type: date, required: true}
      n: {type: integer}
    effects:
      - {start: replly}
      - {at: on}
      - {start: reply, meet: reply}
      - {start: reply, at: sent_on}
      - {restart: reply, working_days_input: days}
      - {override: reply, due_on_input: due}
      - {start: reply, at: n}
      - {meet: "*"}
      - {stop: "*", at: received_on}
)Y");
  EXPECT_TRUE(has_error(errors, 31, "unknown deadline 'replly'"));
  EXPECT_TRUE(has_error(errors, 32, "has no operation"));
  EXPECT_TRUE(has_error(errors, 33, "has several operations (start, meet)"));
  EXPECT_TRUE(has_error(errors, 34, "`at` refers to input 'sent_on'"));
  EXPECT_TRUE(has_error(errors, 35, "`working_days_input` refers to input 'days'"));
  EXPECT_TRUE(has_error(errors, 36, "`due_on_input` refers to input 'due'"));
  EXPECT_TRUE(has_error(errors, 37, "needs an input of type date"));
  EXPECT_TRUE(has_error(errors, 38, "only `stop` accepts"));
  EXPECT_EQ(errors.size(), 8u) << dump(errors);
}

TEST(WorkflowLoaderErrors, ActionKeysReferToDeclaredInputs) {
  auto errors = errors_of(kMini + R"Y(  a:
    from: [active]
    roles: [handler]
    inputs:
      why: {type: text}
    assigns: who
    determination_from: code
    reason: because
  b:
    from: [active]
    roles: [handler]
    inputs:
      why: {type: text}
    reason: why
)Y");
  EXPECT_TRUE(has_error(errors, 29, "`assigns` refers to input 'who'"));
  EXPECT_TRUE(has_error(errors, 30, "`determination_from` refers to input 'code'"));
  EXPECT_TRUE(has_error(errors, 31, "`reason` refers to input 'because'"));
  EXPECT_TRUE(has_error(errors, 37, "reason input 'why' must be required"));
  EXPECT_EQ(errors.size(), 4u) << dump(errors);
}

TEST(WorkflowLoaderErrors, BadInputs) {
  auto errors = errors_of(kMini + R"Y(  a:
    from: [active]
    roles: [handler]
    inputs:
      when: {type: datetime}
      kind: {type: choice}
      count: {type: integer, min: 5, max: 1}
      colour: {type: choice, values: [red], default: blue}
      plain: {required: true}
)Y");
  EXPECT_TRUE(has_error(errors, 28, "unknown input type 'datetime'"));
  EXPECT_TRUE(has_error(errors, 29, "a choice needs `values`"));
  EXPECT_TRUE(has_error(errors, 30, "min is larger than max"));
  EXPECT_TRUE(has_error(errors, 31, "default 'blue' is not one of its values"));
  EXPECT_TRUE(has_error(errors, 32, "has no type"));
  EXPECT_EQ(errors.size(), 5u) << dump(errors);
}

TEST(WorkflowLoaderErrors, FixedDeterminationMustBeDeclared) {
  auto errors = errors_of(kMini + R"Y(  a:
    from: [active]
    to: done
    roles: [handler]
    determination: granted.mostly
    closes: true
)Y");
  EXPECT_TRUE(has_error(errors, 28, "determination 'granted.mostly' is not declared"));
  EXPECT_EQ(errors.size(), 1u) << dump(errors);
}

TEST(WorkflowLoaderErrors, BadReminders) {
  std::string text = kMini;
  text.replace(text.find("  - {deadline: reply"), 20,
               "  - {deadline: replied, offsets_wd: [0]}\n"
               "  - {deadline: \"*\", offsets_wd: [0], send_at: \"9am\"}\n"
               "  - {deadline: \"*\", offsets_wd: [0], send_at: \"24:00\"}\n"
               "  - {deadline: reply");
  auto errors = errors_of(text);
  EXPECT_TRUE(has_error(errors, 10, "unknown deadline 'replied'"));
  EXPECT_TRUE(has_error(errors, 11, "send_at '9am' is not a time"));
  EXPECT_TRUE(has_error(errors, 12, "send_at '24:00' is not a time"));
  EXPECT_EQ(errors.size(), 3u) << dump(errors);
}

TEST(WorkflowLoaderErrors, EveryProblemIsReportedSortedByLine) {
  auto errors = errors_of(R"Y(workflow: many
states:
  a: {label: A}
actions:
  register: {creates: true, to: a, roles: [registrar]}
  go: {from: [zz], roles: [wizard]}
  stop: {from: [a], roles: [handler], effects: [{stop: clock}]}
)Y");
  EXPECT_TRUE(has_error(errors, 2, "no terminal state"));
  EXPECT_TRUE(has_error(errors, 6, "unknown state 'zz'"));
  EXPECT_TRUE(has_error(errors, 6, "unknown role 'wizard'"));
  EXPECT_TRUE(has_error(errors, 7, "unknown deadline 'clock'"));
  EXPECT_TRUE(std::is_sorted(
      errors.begin(), errors.end(),
      [](const WorkflowError& x, const WorkflowError& y) { return x.line < y.line; }));
}

TEST(WorkflowLoaderErrors, NonMapFilesAndMissingFiles) {
  EXPECT_TRUE(has_error(errors_of(""), 1, "empty workflow file"));
  EXPECT_TRUE(has_error(errors_of("- a\n- b\n"), 1, "must be a map"));
  WorkflowLoad missing = load_workflow_file("/nonexistent/wf.yaml");
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].str(), "/nonexistent/wf.yaml: cannot open workflow file");
}

// ---- registry ------------------------------------------------------------------------------

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir_ / "calendars"); }

  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  static std::string renamed(const std::string& name) {
    std::string text = kMini;
    text.replace(0, 14, "workflow: " + name);
    return text;
  }

  fixture::TempDir dir_;
};

TEST_F(RegistryTest, LoadsEveryYamlFileAndIgnoresSubdirectories) {
  write("one.yaml", renamed("one"));
  write("two.yaml", renamed("two"));
  write("notes.txt", "not a workflow");
  // Calendar data and anything else in subdirectories is not a workflow, even if invalid as one.
  write("calendars/2025.yaml", "year: 2025\ndays: []\n");
  WorkflowRegistry registry = WorkflowRegistry::load_dir(dir_.path().string());
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"one", "two"}));
  ASSERT_NE(registry.find("one"), nullptr);
  EXPECT_EQ(registry.find("one")->source_file, (dir_ / "one.yaml").string());
  EXPECT_EQ(registry.find("three"), nullptr);
}

TEST_F(RegistryTest, RejectsDuplicateWorkflowNames) {
  write("a.yaml", renamed("same"));
  write("b.yaml", renamed("same"));
  try {
    WorkflowRegistry::load_dir(dir_.path().string());
    FAIL() << "duplicate names accepted";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("duplicate workflow name 'same'"), std::string::npos) << message;
    EXPECT_NE(message.find((dir_ / "b.yaml").string()), std::string::npos) << message;
    EXPECT_NE(message.find((dir_ / "a.yaml").string()), std::string::npos) << message;
  }
  WorkflowRegistry registry;
  Workflow x;
  x.name = "x";
  registry.add(x);
  EXPECT_THROW(registry.add(x), std::runtime_error);
}

TEST_F(RegistryTest, ListsEveryErrorOfEveryFile) {
  write("good.yaml", renamed("good"));
  write("bad1.yaml", "workflow: bad1\nstates: {a: {label: A}}\n");
  write("bad2.yaml", renamed("bad2") + "  x: {from: [nowhere], roles: [handler]}\n");
  try {
    WorkflowRegistry::load_dir(dir_.path().string());
    FAIL() << "invalid files accepted";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find((dir_ / "bad1.yaml").string() + ":2: no terminal state"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find((dir_ / "bad2.yaml").string() + ":24:"), std::string::npos) << message;
  }
}

TEST_F(RegistryTest, TheBundledDirectoryLoads) {
  WorkflowRegistry registry = WorkflowRegistry::load_dir(kWorkflows);
  EXPECT_EQ(registry.names(),
            (std::vector<std::string>{"gov-info-disclosure", "public-data-open"}));
}

TEST_F(RegistryTest, MissingDirectoryThrows) {
  EXPECT_THROW(WorkflowRegistry::load_dir((dir_ / "absent").string()), std::runtime_error);
}

// ---- dot -----------------------------------------------------------------------------------

TEST(WorkflowDot, ContainsEveryStateAndEdge) {
  Workflow wf = load_ok(kWorkflows + "/gov-info-disclosure.yaml");
  const std::string dot = workflow_dot(wf);
  EXPECT_EQ(dot.rfind("digraph \"gov-info-disclosure\" {", 0), 0u) << dot;
  EXPECT_EQ(dot.back(), '\n');
  for (const StateSpec& state : wf.states) {
    const std::string node =
        "\"" + state.name + "\" [label=\"" + state.name + "\\n" + state.label + "\"";
    EXPECT_NE(dot.find(node), std::string::npos) << node;
  }
  EXPECT_NE(dot.find("\"archived\" [label=\"archived\\n归档\", shape=doublecircle]"),
            std::string::npos);
  EXPECT_EQ(dot.find("\"handling\" [label=\"handling\\n办理\", shape=doublecircle]"),
            std::string::npos);
  EXPECT_NE(dot.find("\"__start\" -> \"registered\" [label=\"register\"]"), std::string::npos);
  int edges = 0;
  for (const ActionSpec& action : wf.actions) {
    if (action.creates_case || !action.to) continue;
    for (const std::string& from : action.from) {
      const std::string edge =
          "\"" + from + "\" -> \"" + *action.to + "\" [label=\"" + action.name + "\"]";
      EXPECT_NE(dot.find(edge), std::string::npos) << edge;
      ++edges;
    }
  }
  EXPECT_GT(edges, 20);
  // Stay-in-place actions are drawn once per state as a dashed loop.
  EXPECT_NE(dot.find("\"handling\" -> \"handling\" [style=dashed, label=\"extend\\ndelay\\nnote"),
            std::string::npos)
      << dot;
}

TEST(WorkflowDot, EscapesQuotes) {
  Workflow wf;
  wf.name = "q\"uote";
  StateSpec state;
  state.name = "s";
  state.label = "say \"hi\"";
  wf.states.push_back(state);
  const std::string dot = workflow_dot(wf);
  EXPECT_NE(dot.find("digraph \"q\\\"uote\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("\"s\" [label=\"s\\nsay \\\"hi\\\"\""), std::string::npos) << dot;
}

}  // namespace
}  // namespace disclose
