// The action matrix of DESIGN.md §2 checked against the engine and the bundled workflow files:
// every action in every state for every role, available_actions, scope, action inputs (§7),
// outcomes, the public-data-open workflow and registration validation.
//
// The expectations below are transcribed from DESIGN.md, never from the workflow files: the
// point is to catch a workflow file or the engine drifting from the design.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "engine_fixture.h"

namespace disclose {
namespace {

using namespace fixture;  // NOLINT(google-build-using-namespace): test helpers only

// ---- DESIGN.md §2, transcribed ---------------------------------------------------------------

const std::vector<std::string> kStates = {
    "registered",   "review",   "awaiting_correction", "handling", "consulting",
    "awaiting_fee", "replying", "delivering",          "closed",   "archived"};
// "any open state": everything before closed.
const std::vector<std::string> kOpenStates = {"registered", "review",     "awaiting_correction",
                                              "handling",   "consulting", "awaiting_fee",
                                              "replying",   "delivering"};
// "any state but archived".
const std::vector<std::string> kAllButArchived = {"registered", "review",     "awaiting_correction",
                                                  "handling",   "consulting", "awaiting_fee",
                                                  "replying",   "delivering", "closed"};
// "any staff role of the agency": the roles that act on cases (auditor reads only, admin takes
// no case actions, §2).
const std::vector<std::string> kCaseStaff = {"registrar", "handler", "reviewer", "supervisor"};

struct ActionRule {
  std::string action;
  std::vector<std::string> roles;
  std::vector<std::string> from;
  std::string to;  // "" = the case stays in its state
};

const std::vector<ActionRule>& rules() {
  static const std::vector<ActionRule> table = {
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
      {"extend", {"supervisor"}, {"handling", "consulting"}, ""},
      {"delay", {"supervisor"}, {"handling"}, ""},
      {"draft_reply", {"handler"}, {"handling"}, "replying"},
      {"return_reply", {"reviewer", "supervisor"}, {"replying"}, "handling"},
      {"approve_reply", {"reviewer", "supervisor"}, {"replying"}, "delivering"},
      {"record_delivery", {"registrar", "handler"}, {"delivering"}, "closed"},
      {"withdraw", {"registrar"}, kOpenStates, "closed"},
      {"archive", {"registrar"}, {"closed"}, "archived"},
      {"reopen", {"supervisor"}, {"closed", "archived"}, "handling"},
      {"record_remedy", {"supervisor", "registrar"}, {"closed", "archived"}, ""},
      {"note", kCaseStaff, kAllButArchived, ""},
      {"contact", kCaseStaff, kAllButArchived, ""},
      {"attach", kCaseStaff, kAllButArchived, ""},
      {"assign", {"reviewer", "supervisor"}, kOpenStates, ""},
  };
  return table;
}

const ActionRule& rule_for(const std::string& action) {
  for (const ActionRule& rule : rules())
    if (rule.action == action) return rule;
  throw std::invalid_argument("no rule for " + action);
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// The date every tested action happens on: after every date of the driver paths, before the
// reply deadline (20 wd from 2025-03-03 = 2025-03-31), before "today" (2025-06-30).
const std::string kActionOn = "2025-03-10";

// A valid input for each action (DESIGN.md §7; attach and assign are not listed there, so the
// workflow file's names are used: attach {name, text}, assign {assignee}).
json::object valid_input(const std::string& action) {
  static const std::map<std::string, std::string> inputs = {
      {"submit_review", "{}"},
      {"request_correction",
       R"({"on": "2025-03-10", "items": ["申请人身份证明"], "window_wd": 15})"},
      {"correction_received", R"({"on": "2025-03-10"})"},
      {"correction_expired", R"({"on": "2025-03-10"})"},
      {"accept", R"({"assignee": "u:2"})"},
      {"consult", R"({"on": "2025-03-10", "party": "agency", "party_name": "区住建局",
                      "party_received_on": "2025-03-10"})"},
      {"consultation_done", R"({"on": "2025-03-10", "opinion": "agree"})"},
      {"consultation_expired", R"({"on": "2025-03-10"})"},
      {"fee_notice", R"({"on": "2025-03-10", "method": "per_page", "amount_yuan": 10,
                         "applicant_received_on": "2025-03-10"})"},
      {"fee_paid", R"({"on": "2025-03-10"})"},
      {"fee_expired", R"({"on": "2025-03-10"})"},
      {"extend", R"({"on": "2025-03-10", "working_days": 10, "reason": "需要调取档案"})"},
      {"delay", R"({"on": "2025-03-10", "due_on": "2025-05-30", "reason": "涉及多个单位"})"},
      {"draft_reply", R"({"determination": "partial", "basis": "条例第三十七条",
                          "reasons": "部分涉及第三方"})"},
      {"return_reply", R"({"reason": "法律依据不完整"})"},
      {"approve_reply", "{}"},
      {"record_delivery", R"({"method": "direct", "on": "2025-03-10", "tracking_no": ""})"},
      {"withdraw", R"({"on": "2025-03-10"})"},
      {"archive", "{}"},
      {"reopen", R"({"on": "2025-03-10", "order": "复议决定书责令重新答复", "working_days": 20})"},
      {"record_remedy", R"({"on": "2025-03-10", "kind": "review", "result": "pending"})"},
      {"note", R"({"text": "申请人来电询问进度"})"},
      {"contact", R"({"text": "电话告知办理进度", "with": "applicant", "means": "phone"})"},
      {"attach", R"({"name": "签收回执.pdf", "text": "EMS 签收回执"})"},
      {"assign", R"({"assignee": "u:7"})"},
  };
  auto it = inputs.find(action);
  if (it == inputs.end()) throw std::invalid_argument("no valid input for " + action);
  return object(it->second.c_str());
}

const Engine& engine() {
  return Harness::shared().engine();
}
const Harness& harness() {
  return Harness::shared();
}

std::string test_name(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
      '_');
  return text;
}

// ---- 1. every action × every state × every role ---------------------------------------------

class ActionMatrix : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(ActionMatrix, RoleThenStateThenTransition) {
  const auto& [action, state] = GetParam();
  const ActionRule& rule = rule_for(action);
  const Case current = harness().walk_to(state);
  ASSERT_EQ(current.state, state);
  const json::object input = valid_input(action);
  const bool state_allowed = contains(rule.from, state);
  const std::string expected_to = rule.to.empty() ? state : rule.to;

  for (const std::string& role : every_role()) {
    SCOPED_TRACE("role " + role);
    const Actor who = actor(role);
    auto result = engine().apply(current, action, input, who, moment());
    if (!contains(rule.roles, role)) {
      // Role is checked before state: refused as a role even where the state would allow it.
      EXPECT_TRUE(refused(result, ErrorCode::role_not_permitted));
      continue;
    }
    if (!state_allowed) {
      EXPECT_TRUE(refused(result, ErrorCode::not_allowed_in_state));
      continue;
    }
    ASSERT_TRUE(result.ok()) << describe(result);
    const Decision& decision = result.value();
    EXPECT_EQ(decision.next.state, expected_to);
    EXPECT_EQ(decision.next.version, current.version + 1);
    EXPECT_EQ(decision.event.seq, current.version + 1);
    EXPECT_EQ(decision.event.type, action);
    EXPECT_EQ(decision.event.from_state, state);
    EXPECT_EQ(decision.event.to_state, expected_to);
    EXPECT_EQ(decision.event.actor, who.id);
    if (input.contains("on")) {
      EXPECT_EQ(decision.event.on, date(kActionOn));
    }
  }
}

std::vector<std::tuple<std::string, std::string>> matrix_cells() {
  std::vector<std::tuple<std::string, std::string>> cells;
  for (const ActionRule& rule : rules())
    for (const std::string& state : kStates) cells.emplace_back(rule.action, state);
  return cells;
}

INSTANTIATE_TEST_SUITE_P(GovInfo, ActionMatrix, ::testing::ValuesIn(matrix_cells()),
                         [](const ::testing::TestParamInfo<ActionMatrix::ParamType>& info) {
                           return test_name(std::get<0>(info.param) + "_in_" +
                                            std::get<1>(info.param));
                         });

TEST(ActionMatrixTable, CoversEveryWorkflowActionButRegister) {
  // The table and the workflow file name the same actions (a renamed or missing action would
  // otherwise only show up as unknown_action failures).
  const Workflow* workflow = harness().workflows().find(kGovInfo);
  ASSERT_NE(workflow, nullptr);
  std::set<std::string> in_file;
  for (const ActionSpec& spec : workflow->actions)
    if (spec.name != "register") in_file.insert(spec.name);
  std::set<std::string> in_design;
  for (const ActionRule& rule : rules()) in_design.insert(rule.action);
  EXPECT_EQ(in_file, in_design);
  std::set<std::string> states;
  for (const StateSpec& spec : workflow->states) states.insert(spec.name);
  EXPECT_EQ(states, std::set<std::string>(kStates.begin(), kStates.end()));
}

TEST(ActionMatrixTable, UnknownActionIsRefused) {
  const Case current = harness().walk_to("handling");
  for (const std::string name : {"fly", "register"}) {
    SCOPED_TRACE(name);
    EXPECT_TRUE(
        refused(engine().apply(current, name, json::object{}, actor("supervisor"), moment()),
                ErrorCode::unknown_action));
  }
}

// ---- 2. available_actions ---------------------------------------------------------------------

class AvailableActions : public ::testing::TestWithParam<std::string> {};

TEST_P(AvailableActions, MatchTheTableForEveryRole) {
  const std::string& state = GetParam();
  const Case current = harness().walk_to(state);
  for (const std::string& role : every_role()) {
    SCOPED_TRACE("role " + role);
    std::set<std::string> expected;
    for (const ActionRule& rule : rules())
      if (contains(rule.roles, role) && contains(rule.from, state)) expected.insert(rule.action);
    const auto got = engine().available_actions(current, actor(role));
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), expected);
    EXPECT_EQ(got.size(), std::set<std::string>(got.begin(), got.end()).size()) << "duplicates";
  }
}

INSTANTIATE_TEST_SUITE_P(GovInfo, AvailableActions, ::testing::ValuesIn(kStates),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

TEST(AvailableActionsSample, SpotChecks) {
  auto names = [](const Case& c, const Actor& a) {
    auto v = engine().available_actions(c, a);
    return std::set<std::string>(v.begin(), v.end());
  };
  const Case handling = harness().walk_to("handling");
  EXPECT_EQ(
      names(handling, actor("handler")),
      (std::set<std::string>{"consult", "fee_notice", "draft_reply", "note", "contact", "attach"}));
  EXPECT_EQ(names(handling, actor("supervisor")),
            (std::set<std::string>{"extend", "delay", "note", "contact", "attach", "assign"}));
  EXPECT_EQ(names(handling, actor("auditor")), std::set<std::string>{});
  EXPECT_EQ(names(handling, actor("admin")), std::set<std::string>{});
  const Case archived = harness().walk_to("archived");
  EXPECT_EQ(names(archived, actor("supervisor")),
            (std::set<std::string>{"reopen", "record_remedy"}));
  EXPECT_EQ(names(archived, actor("registrar")), std::set<std::string>{"record_remedy"});
  const Case correcting = harness().walk_to("awaiting_correction");
  EXPECT_EQ(names(correcting, Actor::system()), std::set<std::string>{"correction_expired"});
  // Nothing for a user of another agency.
  EXPECT_EQ(names(handling, actor("supervisor", "other")), std::set<std::string>{});
}

// ---- 3. scope ---------------------------------------------------------------------------------

TEST(Scope, ActorOfAnotherAgencyIsOutOfScope) {
  const Case handling = harness().walk_to("handling");
  for (const std::string& role : kCaseStaff) {
    SCOPED_TRACE(role);
    EXPECT_TRUE(refused(
        engine().apply(handling, "note", valid_input("note"), actor(role, "other"), moment()),
        ErrorCode::out_of_scope));
  }
  EXPECT_TRUE(refused(engine().apply(handling, "extend", valid_input("extend"),
                                     actor("supervisor", "other"), moment()),
                      ErrorCode::out_of_scope));
  const Case review = harness().walk_to("review");
  EXPECT_TRUE(refused(
      engine().apply(review, "accept", valid_input("accept"), actor("reviewer", "other"), moment()),
      ErrorCode::out_of_scope));
}

TEST(Scope, ScopeAllActorOfAnotherAgencySucceeds) {
  const Actor district{"u:40", {"supervisor"}, "qzfb", true};
  const Case handling = harness().walk_to("handling");
  auto extended = engine().apply(handling, "extend", valid_input("extend"), district, moment());
  ASSERT_TRUE(extended.ok()) << describe(extended);
  EXPECT_EQ(extended.value().event.actor, "u:40");
  auto noted = engine().apply(handling, "note", valid_input("note"), district, moment());
  EXPECT_TRUE(noted.ok()) << describe(noted);
  const Case review = harness().walk_to("review");
  auto accepted = engine().apply(review, "accept", valid_input("accept"), district, moment());
  ASSERT_TRUE(accepted.ok()) << describe(accepted);
  EXPECT_EQ(accepted.value().next.state, "handling");
  EXPECT_FALSE(engine().available_actions(handling, district).empty());
}

// ---- 4. inputs --------------------------------------------------------------------------------

// Where each action is tried, as which role, and its required inputs as DESIGN.md §7 reads:
// `on` for every action that carries it; accept's assignee is optional; request_correction's
// window has a default (15 wd, §2); reopen's working_days defaults to 20; tracking_no, basis,
// reasons, with, means and the receipt dates of consult / fee_notice are not required.
struct InputRule {
  std::string action;
  std::string state;
  std::string role;
  std::vector<std::string> required;
};

const std::vector<InputRule>& input_rules() {
  static const std::vector<InputRule> table = {
      {"submit_review", "registered", "registrar", {}},
      {"request_correction", "review", "registrar", {"on", "items"}},
      {"correction_received", "awaiting_correction", "registrar", {"on"}},
      {"accept", "review", "reviewer", {}},
      {"consult", "handling", "handler", {"on", "party", "party_name"}},
      {"consultation_done", "consulting", "handler", {"on", "opinion"}},
      {"fee_notice", "handling", "handler", {"on", "method", "amount_yuan"}},
      {"fee_paid", "awaiting_fee", "handler", {"on"}},
      {"extend", "handling", "supervisor", {"on", "working_days", "reason"}},
      {"delay", "handling", "supervisor", {"on", "due_on", "reason"}},
      {"draft_reply", "handling", "handler", {"determination"}},
      {"return_reply", "replying", "reviewer", {"reason"}},
      {"approve_reply", "replying", "reviewer", {}},
      {"record_delivery", "delivering", "registrar", {"method", "on"}},
      {"withdraw", "review", "registrar", {"on"}},
      {"archive", "closed", "registrar", {}},
      {"reopen", "closed", "supervisor", {"on", "order"}},
      {"record_remedy", "closed", "supervisor", {"on", "kind", "result"}},
      {"note", "handling", "handler", {"text"}},
      {"contact", "handling", "handler", {"text"}},
      {"assign", "handling", "supervisor", {"assignee"}},
  };
  return table;
}

Result<Decision> try_action(const InputRule& rule, const json::value& input,
                            const std::string& today = kToday) {
  const Case current = harness().walk_to(rule.state);
  return engine().apply(current, rule.action, input, actor(rule.role), moment(today));
}

TEST(Inputs, ValidInputIsAccepted) {
  for (const InputRule& rule : input_rules()) {
    SCOPED_TRACE(rule.action);
    auto result = try_action(rule, valid_input(rule.action));
    EXPECT_TRUE(result.ok()) << describe(result);
  }
}

TEST(Inputs, OmittingARequiredInputNamesIt) {
  for (const InputRule& rule : input_rules()) {
    for (const std::string& field : rule.required) {
      SCOPED_TRACE(rule.action + " without " + field);
      json::object input = valid_input(rule.action);
      ASSERT_TRUE(input.contains(field));
      input.erase(field);
      EXPECT_TRUE(refused(try_action(rule, input), ErrorCode::missing_input, field));
    }
  }
}

TEST(Inputs, ExplicitNullCountsAsMissing) {
  const InputRule& rule = input_rules()[1];  // request_correction
  json::object input = valid_input(rule.action);
  input["items"] = nullptr;
  EXPECT_TRUE(refused(try_action(rule, input), ErrorCode::missing_input, "items"));
}

TEST(Inputs, WrongTypeNamesTheField) {
  struct Bad {
    std::string action;
    std::string field;
    std::string value;  // JSON
  };
  const std::vector<Bad> bad = {
      {"request_correction", "on", "20250310"},
      {"request_correction", "items", R"("申请人身份证明")"},
      {"request_correction", "items", "[1, 2]"},
      {"request_correction", "window_wd", R"("15")"},
      {"correction_received", "on", "true"},
      {"correction_received", "on", R"("2025/03/10")"},
      {"accept", "assignee", "[]"},
      {"consult", "party", "1"},
      {"consult", "party", R"("neighbour")"},
      {"consult", "party_name", "7"},
      {"consult", "party_received_on", R"("2025-02-30")"},
      {"consultation_done", "opinion", R"("maybe")"},
      {"consultation_done", "on", "{}"},
      {"fee_notice", "method", R"("per_kg")"},
      {"fee_notice", "amount_yuan", R"("100")"},
      {"fee_notice", "amount_yuan", "12.5"},
      {"fee_notice", "applicant_received_on", "3"},
      {"fee_paid", "on", R"("yesterday")"},
      {"extend", "working_days", R"("10")"},
      {"extend", "reason", "10"},
      {"delay", "due_on", R"("next month")"},
      {"delay", "reason", "[]"},
      {"draft_reply", "determination", "3"},
      {"draft_reply", "basis", "5"},
      {"return_reply", "reason", "1"},
      {"record_delivery", "method", R"("pigeon")"},
      {"record_delivery", "on", R"("2025-3-10")"},
      {"record_delivery", "tracking_no", "12"},
      {"withdraw", "on", "20250310"},
      {"reopen", "order", "1"},
      {"reopen", "working_days", R"("20")"},
      {"record_remedy", "kind", R"("appeal")"},
      {"record_remedy", "result", "1"},
      {"note", "text", "1"},
      {"contact", "text", "{}"},
      {"assign", "assignee", "false"},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.action + "." + b.field + " = " + b.value);
    const InputRule* rule = nullptr;
    for (const InputRule& r : input_rules())
      if (r.action == b.action) rule = &r;
    ASSERT_NE(rule, nullptr);
    json::object input = valid_input(b.action);
    input[b.field] = json::parse(b.value);
    EXPECT_TRUE(refused(try_action(*rule, input), ErrorCode::invalid_input, b.field));
  }
}

TEST(Inputs, UnknownKeyNamesIt) {
  for (const InputRule& rule : input_rules()) {
    SCOPED_TRACE(rule.action);
    json::object input = valid_input(rule.action);
    input["colour"] = "red";
    EXPECT_TRUE(refused(try_action(rule, input), ErrorCode::invalid_input, "colour"));
  }
}

TEST(Inputs, NonObjectInputIsInvalid) {
  const InputRule& rule = input_rules()[0];  // submit_review
  EXPECT_TRUE(refused(try_action(rule, json::parse("[]").as_array()), ErrorCode::invalid_input));
  EXPECT_TRUE(refused(try_action(rule, json::string("x")), ErrorCode::invalid_input));
  // null means {}.
  auto ok = try_action(rule, json::value(nullptr));
  EXPECT_TRUE(ok.ok()) << describe(ok);
}

TEST(Inputs, OnInTheFutureIsRefused) {
  for (const InputRule& rule : input_rules()) {
    json::object input = valid_input(rule.action);
    if (!input.contains("on")) continue;
    SCOPED_TRACE(rule.action);
    input["on"] = "2025-07-01";  // today is 2025-06-30
    EXPECT_TRUE(refused(try_action(rule, input), ErrorCode::date_in_future, "on"));
    input["on"] = kToday;  // today itself is fine
    // Art. 35: the new reply date lies ahead of the day it is set (here: after today).
    if (rule.action == "delay") input["due_on"] = "2025-08-29";
    auto today_ok = try_action(rule, input);
    if (rule.action != "extend") {  // extending on 06-30 would be after the reply deadline
      EXPECT_TRUE(today_ok.ok()) << describe(today_ok);
    }
  }
}

TEST(Inputs, OnBeforeThePreviousDatedEventIsRefused) {
  for (const InputRule& rule : input_rules()) {
    json::object input = valid_input(rule.action);
    if (!input.contains("on")) continue;
    SCOPED_TRACE(rule.action + " in " + rule.state);
    const std::string previous = gov_info_last_on(rule.state);
    input["on"] = (date(previous) - 1).str();
    EXPECT_TRUE(refused(try_action(rule, input), ErrorCode::date_out_of_order, "on"));
    input["on"] = previous;  // the same day is not "before"
    auto same_day = try_action(rule, input);
    EXPECT_TRUE(same_day.ok()) << describe(same_day);
  }
}

TEST(Inputs, OutOfOrderComparesWithTheLatestDatedEventNotTheReceipt) {
  // consult on 2025-03-05 → consultation_done on 03-04 is before it, though after receipt.
  const Case consulting = harness().walk_to("consulting");
  auto early = engine().apply(consulting, "consultation_done",
                              object(R"({"on": "2025-03-04", "opinion": "none"})"),
                              actor("handler"), moment());
  EXPECT_TRUE(refused(early, ErrorCode::date_out_of_order, "on"));
  // Actions without `on` are not compared: draft_reply after a late-dated consultation.
  auto done = engine().apply(consulting, "consultation_done",
                             object(R"({"on": "2025-06-20", "opinion": "object"})"),
                             actor("handler"), moment());
  ASSERT_TRUE(done.ok()) << describe(done);
  auto drafted = engine().apply(done.value().next, "draft_reply", valid_input("draft_reply"),
                                actor("handler"), moment());
  EXPECT_TRUE(drafted.ok()) << describe(drafted);
  // …but the next dated action is: record_delivery before 06-20 is refused.
  auto approved = engine().apply(drafted.value().next, "approve_reply", json::object{},
                                 actor("supervisor"), moment());
  ASSERT_TRUE(approved.ok()) << describe(approved);
  auto delivered = engine().apply(approved.value().next, "record_delivery",
                                  valid_input("record_delivery"), actor("handler"), moment());
  EXPECT_TRUE(refused(delivered, ErrorCode::date_out_of_order, "on"));
}

TEST(Inputs, CorrectionWindowAndDueOnAreExclusive) {
  const Case review = harness().walk_to("review");
  json::object both = valid_input("request_correction");
  both["due_on"] = "2025-04-10";
  auto result = engine().apply(review, "request_correction", both, actor("reviewer"), moment());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::invalid_input) << describe(result);
  EXPECT_TRUE(result.error().field == "window_wd" || result.error().field == "due_on")
      << describe(result);

  // Either one alone is fine; due_on sets the correction window's due date outright.
  json::object due_only = object(R"({"on": "2025-03-10", "items": ["申请书"],
                                     "due_on": "2025-04-10"})");
  auto with_due = engine().apply(review, "request_correction", due_only, actor("reviewer"),
                                 moment("2025-03-10"));
  ASSERT_TRUE(with_due.ok()) << describe(with_due);
  bool found = false;
  for (const DeadlineView& view : engine().deadlines(with_due.value().next, date("2025-03-10"))) {
    if (view.kind != "correction_window") continue;
    found = true;
    EXPECT_EQ(view.due_on, date("2025-04-10"));
  }
  EXPECT_TRUE(found);
  // Without either, the default window is 15 wd [practice]: 2025-03-10 + 15 wd = 03-31.
  auto by_default = engine().apply(review, "request_correction",
                                   object(R"({"on": "2025-03-10", "items": ["申请书"]})"),
                                   actor("registrar"), moment("2025-03-10"));
  ASSERT_TRUE(by_default.ok()) << describe(by_default);
  found = false;
  for (const DeadlineView& view : engine().deadlines(by_default.value().next, date("2025-03-10"))) {
    if (view.kind != "correction_window") continue;
    found = true;
    EXPECT_EQ(view.due_on, date("2025-03-31"));
  }
  EXPECT_TRUE(found);
}

TEST(Inputs, DraftReplyRefusesAnUnknownDetermination) {
  const Case handling = harness().walk_to("handling");
  for (const std::string code : {"granted.maybe", "withheld", "other.", "GRANTED", ""}) {
    SCOPED_TRACE("'" + code + "'");
    json::object input = valid_input("draft_reply");
    input["determination"] = code;
    EXPECT_TRUE(refused(engine().apply(handling, "draft_reply", input, actor("handler"), moment()),
                        ErrorCode::invalid_input, "determination"));
  }
}

// DESIGN.md §4 table 三: 1 + 1 + 8 + 3 + 5 + 4 = 22 codes. "(and other)" in row 三(六) is read
// as the code other.other.
const std::vector<std::string> kDeterminations = {
    "granted",
    "partial",
    "withheld.state_secret",
    "withheld.law_prohibits",
    "withheld.security_stability",
    "withheld.third_party",
    "withheld.internal_affairs",
    "withheld.process_info",
    "withheld.enforcement_file",
    "withheld.special_access",
    "unavailable.not_held",
    "unavailable.needs_creation",
    "unavailable.unclear_after_correction",
    "not_processed.petition",
    "not_processed.repeat",
    "not_processed.publication",
    "not_processed.excessive",
    "not_processed.confirm_reissue",
    "other.no_correction",
    "other.fee_unpaid",
    "other.withdrawn",
    "other.other",
};

TEST(Inputs, DraftReplyAcceptsEveryDeterminationOfDesign) {
  ASSERT_EQ(kDeterminations.size(), 22u);
  const Case handling = harness().walk_to("handling");
  for (const std::string& code : kDeterminations) {
    SCOPED_TRACE(code);
    json::object input = valid_input("draft_reply");
    input["determination"] = code;
    auto result = engine().apply(handling, "draft_reply", input, actor("handler"), moment());
    ASSERT_TRUE(result.ok()) << describe(result);
    ASSERT_TRUE(result.value().next.outcome.has_value());
    EXPECT_EQ(result.value().next.outcome->determination, code);
    EXPECT_EQ(result.value().next.outcome->basis, "条例第三十七条");
    EXPECT_EQ(result.value().next.outcome->reasons, "部分涉及第三方");
    EXPECT_EQ(result.value().next.state, "replying");
  }
}

// ---- 5. outcomes ------------------------------------------------------------------------------

TEST(Outcomes, WithdrawFromEveryOpenStateCloses) {
  for (const std::string& state : kOpenStates) {
    SCOPED_TRACE(state);
    const Case current = harness().walk_to(state);
    auto result =
        engine().apply(current, "withdraw", valid_input("withdraw"), actor("registrar"), moment());
    ASSERT_TRUE(result.ok()) << describe(result);
    const Case& next = result.value().next;
    EXPECT_EQ(next.state, "closed");
    ASSERT_TRUE(next.outcome.has_value());
    EXPECT_EQ(next.outcome->determination, "other.withdrawn");
    EXPECT_EQ(next.closed_on, date(kActionOn));
    EXPECT_EQ(next.last_dated_on, date(kActionOn));
    // Nothing keeps running on a withdrawn case.
    for (const DeadlineView& view : engine().deadlines(next, date(kToday))) {
      EXPECT_NE(view.status, ClockStatus::running) << view.kind;
      EXPECT_FALSE(view.overdue) << view.kind;
    }
  }
}

TEST(Outcomes, CorrectionExpiredClosesAsNoCorrection) {
  const Case current = harness().walk_to("awaiting_correction");
  auto result = engine().apply(current, "correction_expired", valid_input("correction_expired"),
                               Actor::system(), moment());
  ASSERT_TRUE(result.ok()) << describe(result);
  const Case& next = result.value().next;
  EXPECT_EQ(next.state, "closed");
  ASSERT_TRUE(next.outcome.has_value());
  EXPECT_EQ(next.outcome->determination, "other.no_correction");
  EXPECT_EQ(next.closed_on, date(kActionOn));
  EXPECT_EQ(result.value().event.actor, "system");
}

TEST(Outcomes, FeeExpiredClosesAsFeeUnpaid) {
  const Case current = harness().walk_to("awaiting_fee");
  auto result =
      engine().apply(current, "fee_expired", valid_input("fee_expired"), Actor::system(), moment());
  ASSERT_TRUE(result.ok()) << describe(result);
  const Case& next = result.value().next;
  EXPECT_EQ(next.state, "closed");
  ASSERT_TRUE(next.outcome.has_value());
  EXPECT_EQ(next.outcome->determination, "other.fee_unpaid");
  EXPECT_EQ(next.closed_on, date(kActionOn));
}

TEST(Outcomes, ConsultationExpiredReturnsToHandlingWithoutOutcome) {
  const Case current = harness().walk_to("consulting");
  auto result = engine().apply(current, "consultation_expired", valid_input("consultation_expired"),
                               Actor::system(), moment());
  ASSERT_TRUE(result.ok()) << describe(result);
  EXPECT_EQ(result.value().next.state, "handling");
  EXPECT_FALSE(result.value().next.outcome.has_value());
  EXPECT_FALSE(result.value().next.closed_on.has_value());
}

TEST(Outcomes, RecordDeliverySetsClosedOnAndDelivery) {
  const Case current = harness().walk_to("delivering");
  EXPECT_FALSE(current.closed_on.has_value());
  for (const std::string method : {"direct", "post", "electronic", "entrusted"}) {
    SCOPED_TRACE(method);
    json::object input = valid_input("record_delivery");
    input["method"] = method;
    input["tracking_no"] = "EMS9876543210";
    auto result = engine().apply(current, "record_delivery", input, actor("handler"), moment());
    ASSERT_TRUE(result.ok()) << describe(result);
    const Case& next = result.value().next;
    EXPECT_EQ(next.state, "closed");
    EXPECT_EQ(next.closed_on, date(kActionOn));
    ASSERT_TRUE(next.delivery.has_value());
    EXPECT_EQ(next.delivery->method, method);
    EXPECT_EQ(next.delivery->on, date(kActionOn));
    EXPECT_EQ(next.delivery->tracking_no, "EMS9876543210");
    // The determination drafted earlier is the outcome.
    ASSERT_TRUE(next.outcome.has_value());
    EXPECT_EQ(next.outcome->determination, "granted");
  }
}

TEST(Outcomes, ReopenClearsTheClosingAndGoesToHandling) {
  for (const std::string state : {"closed", "archived"}) {
    SCOPED_TRACE(state);
    const Case current = harness().walk_to(state);
    ASSERT_TRUE(current.closed_on.has_value());
    ASSERT_TRUE(current.outcome.has_value());
    auto result =
        engine().apply(current, "reopen", valid_input("reopen"), actor("supervisor"), moment());
    ASSERT_TRUE(result.ok()) << describe(result);
    const Case& next = result.value().next;
    EXPECT_EQ(next.state, "handling");
    EXPECT_FALSE(next.closed_on.has_value());
    EXPECT_FALSE(next.outcome.has_value());
    // The new reply deadline runs from the decision: 2025-03-10 + 20 wd. March 11–14 (4),
    // 17–21 (9), 24–28 (14), 31 (15), April 1–3 (18), 4 April is 清明 (off), 7 (19), 8 (20).
    bool found = false;
    for (const DeadlineView& view : engine().deadlines(next, date(kActionOn))) {
      if (view.kind != "reply") continue;
      found = true;
      EXPECT_EQ(view.status, ClockStatus::running);
      EXPECT_EQ(view.due_on, date("2025-04-08"));
    }
    EXPECT_TRUE(found);
    // A reopened case can be answered and closed again.
    auto drafted =
        engine().apply(next, "draft_reply", valid_input("draft_reply"), actor("handler"), moment());
    EXPECT_TRUE(drafted.ok()) << describe(drafted);
  }
}

TEST(Outcomes, RecordRemedyAppendsAndStays) {
  for (const std::string state : {"closed", "archived"}) {
    SCOPED_TRACE(state);
    const Case current = harness().walk_to(state);
    EXPECT_TRUE(current.remedies.empty());
    auto first = engine().apply(current, "record_remedy", valid_input("record_remedy"),
                                actor("registrar"), moment());
    ASSERT_TRUE(first.ok()) << describe(first);
    auto second = engine().apply(
        first.value().next, "record_remedy",
        object(R"({"on": "2025-05-20", "kind": "suit_after_review", "result": "upheld"})"),
        actor("supervisor"), moment());
    ASSERT_TRUE(second.ok()) << describe(second);
    const Case& next = second.value().next;
    EXPECT_EQ(next.state, state);
    EXPECT_EQ(next.version, current.version + 2);
    ASSERT_EQ(next.remedies.size(), 2u);
    EXPECT_EQ(next.remedies[0].on, date(kActionOn));
    EXPECT_EQ(next.remedies[0].kind, "review");
    EXPECT_EQ(next.remedies[0].result, "pending");
    EXPECT_EQ(next.remedies[1].on, date("2025-05-20"));
    EXPECT_EQ(next.remedies[1].kind, "suit_after_review");
    EXPECT_EQ(next.remedies[1].result, "upheld");
    // A remedy leaves the closing untouched.
    EXPECT_EQ(next.closed_on, current.closed_on);
    EXPECT_EQ(next.outcome->determination, current.outcome->determination);
  }
}

TEST(Outcomes, ArchivedAcceptsRemedyAndReopenButNoNotes) {
  const Case archived = harness().walk_to("archived");
  EXPECT_TRUE(engine()
                  .apply(archived, "record_remedy", valid_input("record_remedy"),
                         actor("supervisor"), moment())
                  .ok());
  EXPECT_TRUE(engine()
                  .apply(archived, "reopen", valid_input("reopen"), actor("supervisor"), moment())
                  .ok());
  for (const std::string action : {"note", "contact", "attach", "assign", "withdraw", "archive"}) {
    SCOPED_TRACE(action);
    const std::string role = action == std::string("assign") ? "supervisor" : "registrar";
    EXPECT_TRUE(
        refused(engine().apply(archived, action, valid_input(action), actor(role), moment()),
                ErrorCode::not_allowed_in_state));
  }
}

// ---- 6. public-data-open ----------------------------------------------------------------------

// DESIGN.md §3, 2025: off 10/1–10/8 (国庆节、中秋节), make-up work Saturday 10/11. Received on
// Tuesday 2025-09-30 (day 0): 10/1–10/8 are off, 10/9 Thu = wd 1, 10/10 Fri = wd 2, 10/11 Sat is a
// make-up working day = wd 3. So the acceptance decision is due 2025-10-11. (Cross-check with
// the §3 worked example 2025-09-26 → 7 wd = 2025-10-13: 9/28 Sun make-up, 9/29, 9/30, 10/9,
// 10/10, 10/11, 10/13 — which only holds if 10/11 counts.)
TEST(PublicDataOpen, RegisterStartsTheAcceptanceDeadline) {
  auto result = engine().register_case(registration(kOpenDataReceivedOn, kOpenData),
                                       actor("registrar"), moment(kOpenDataToday));
  ASSERT_TRUE(result.ok()) << describe(result);
  const Case& c = result.value().next;
  EXPECT_EQ(c.workflow, kOpenData);
  EXPECT_EQ(c.state, "registered");
  EXPECT_EQ(c.version, 1);
  EXPECT_EQ(result.value().event.type, "register");
  const auto views = engine().deadlines(c, date(kOpenDataReceivedOn));
  bool found = false;
  for (const DeadlineView& view : views) {
    if (view.kind != "acceptance") {
      ADD_FAILURE() << "unexpected deadline " << view.kind << " on a public-data-open case";
      continue;
    }
    found = true;
    EXPECT_EQ(view.status, ClockStatus::running);
    EXPECT_EQ(view.due_on, date("2025-10-11"));
    EXPECT_EQ(view.remaining_wd, 3);
    EXPECT_FALSE(view.provisional);
  }
  EXPECT_TRUE(found);
}

TEST(PublicDataOpen, HappyPathToArchived) {
  Case c = harness().register_case(registration(kOpenDataReceivedOn, kOpenData), kOpenDataToday);
  for (const Step& s : open_data_path("archived")) {
    SCOPED_TRACE(s.action);
    auto result = engine().apply(c, s.action, s.input, actor(s.role), moment(kOpenDataToday));
    ASSERT_TRUE(result.ok()) << describe(result);
    EXPECT_EQ(result.value().next.version, c.version + 1);
    EXPECT_EQ(result.value().event.type, s.action);
    c = result.value().next;
    if (s.action == "accept") {
      EXPECT_EQ(c.state, "providing");
      for (const DeadlineView& view : engine().deadlines(c, date(kOpenDataToday)))
        if (view.kind == "acceptance") {
          EXPECT_EQ(view.status, ClockStatus::met);
        }
    }
    if (s.action == "provide") {
      EXPECT_EQ(c.state, "closed");
      EXPECT_EQ(c.closed_on, date("2025-10-13"));
      EXPECT_TRUE(c.outcome.has_value());
    }
  }
  EXPECT_EQ(c.state, "archived");
  EXPECT_EQ(c.version, 4);
}

TEST(PublicDataOpen, LateAcceptanceIsMissed) {
  const Case registered = harness().walk_open_data_to("registered");
  auto late = engine().apply(registered, "accept", object(R"({"on": "2025-10-13"})"),
                             actor("supervisor"), moment(kOpenDataToday));
  ASSERT_TRUE(late.ok()) << describe(late);
  for (const DeadlineView& view : engine().deadlines(late.value().next, date(kOpenDataToday)))
    if (view.kind == "acceptance") {
      EXPECT_EQ(view.status, ClockStatus::missed);
    }
}

TEST(PublicDataOpen, ForbiddenTransitions) {
  const Moment now = moment(kOpenDataToday);
  const Case registered = harness().walk_open_data_to("registered");
  const Case providing = harness().walk_open_data_to("providing");
  const Case closed = harness().walk_open_data_to("closed");
  const Case archived = harness().walk_open_data_to("archived");
  const json::object on = object(R"({"on": "2025-10-15"})");
  const json::object provide = object(R"({"on": "2025-10-15", "means": "api"})");

  // Data is provided only after acceptance; acceptance happens once; archive only once closed.
  EXPECT_TRUE(refused(engine().apply(registered, "provide", provide, actor("handler"), now),
                      ErrorCode::not_allowed_in_state));
  EXPECT_TRUE(refused(engine().apply(providing, "accept", on, actor("reviewer"), now),
                      ErrorCode::not_allowed_in_state));
  EXPECT_TRUE(refused(engine().apply(closed, "accept", on, actor("reviewer"), now),
                      ErrorCode::not_allowed_in_state));
  EXPECT_TRUE(refused(engine().apply(closed, "provide", provide, actor("handler"), now),
                      ErrorCode::not_allowed_in_state));
  for (const Case* c : {&registered, &providing}) {
    SCOPED_TRACE(c->state);
    EXPECT_TRUE(refused(engine().apply(*c, "archive", json::object{}, actor("registrar"), now),
                        ErrorCode::not_allowed_in_state));
  }
  EXPECT_TRUE(refused(engine().apply(closed, "withdraw", on, actor("registrar"), now),
                      ErrorCode::not_allowed_in_state));
  EXPECT_TRUE(refused(engine().apply(archived, "archive", json::object{}, actor("registrar"), now),
                      ErrorCode::not_allowed_in_state));
  EXPECT_TRUE(
      refused(engine().apply(archived, "note", valid_input("note"), actor("registrar"), now),
              ErrorCode::not_allowed_in_state));
  // Withdrawal closes from each open state.
  for (const Case* c : {&registered, &providing}) {
    SCOPED_TRACE(c->state);
    auto withdrawn = engine().apply(*c, "withdraw", on, actor("registrar"), now);
    ASSERT_TRUE(withdrawn.ok()) << describe(withdrawn);
    EXPECT_EQ(withdrawn.value().next.state, "closed");
    EXPECT_EQ(withdrawn.value().next.closed_on, date("2025-10-15"));
    ASSERT_TRUE(withdrawn.value().next.outcome.has_value());
    EXPECT_EQ(withdrawn.value().next.outcome->determination, "other.withdrawn");
  }
  // The gov-info-disclosure actions do not exist here: the engine has no per-workflow code.
  for (const std::string action : {"submit_review", "draft_reply", "reopen", "record_remedy"}) {
    SCOPED_TRACE(action);
    EXPECT_TRUE(refused(engine().apply(providing, action, json::object{}, actor("supervisor"), now),
                        ErrorCode::unknown_action));
  }
  // auditor and admin take no case actions in any workflow.
  for (const Case* c : {&registered, &providing, &closed, &archived}) {
    for (const std::string role : {"auditor", "admin"}) {
      SCOPED_TRACE(c->state + " " + role);
      EXPECT_TRUE(engine().available_actions(*c, actor(role)).empty());
    }
  }
}

// ---- 7. registration validation ---------------------------------------------------------------

void erase_path(json::object& doc, const std::string& path) {
  auto dot = path.find('.');
  if (dot == std::string::npos) {
    doc.erase(path);
    return;
  }
  erase_path(doc.at(path.substr(0, dot)).as_object(), path.substr(dot + 1));
}

void set_path(json::object& doc, const std::string& path, json::value value) {
  auto dot = path.find('.');
  if (dot == std::string::npos) {
    doc[path] = std::move(value);
    return;
  }
  set_path(doc.at(path.substr(0, dot)).as_object(), path.substr(dot + 1), std::move(value));
}

Result<Decision> register_as(const json::object& doc, const Actor& who = actor("registrar")) {
  return engine().register_case(doc, who, moment());
}

TEST(Registration, TheDesignExampleRegisters) {
  auto result = register_as(registration());
  ASSERT_TRUE(result.ok()) << describe(result);
  const Decision& d = result.value();
  EXPECT_EQ(d.next.state, "registered");
  EXPECT_EQ(d.next.version, 1);
  EXPECT_EQ(d.next.agency, kAgency);
  EXPECT_EQ(d.next.workflow, kGovInfo);
  EXPECT_EQ(d.next.registration.received_on, date(kReceivedOn));
  EXPECT_EQ(d.next.registration.channel, "online");
  EXPECT_EQ(d.next.registration.applicant.kind, "natural_person");
  EXPECT_EQ(d.next.registration.applicant.name, "张三");
  EXPECT_EQ(d.next.registration.request.description, "2024年某地块征收补偿方案");
  EXPECT_EQ(d.next.registration.tags, std::vector<std::string>{"征地拆迁"});
  EXPECT_EQ(d.event.type, "register");
  EXPECT_EQ(d.event.seq, 1);
  EXPECT_EQ(d.event.from_state, "");
  EXPECT_EQ(d.event.to_state, "registered");
  EXPECT_EQ(d.event.on, date(kReceivedOn));
  // The reply clock starts at received_on (§2): 2025-03-03 (Mon) + 20 wd = 2025-03-31 (March 2025
  // has no holiday); the Art. 30 补正 notice is due within 7 wd = 2025-03-12.
  std::map<std::string, Date> due;
  for (const DeadlineView& view : engine().deadlines(d.next, date(kReceivedOn)))
    if (view.due_on) due[view.kind] = *view.due_on;
  EXPECT_EQ(due["reply"], date("2025-03-31"));
  EXPECT_EQ(due["correction_notice"], date("2025-03-12"));
}

TEST(Registration, EachChannelAndApplicantKindOfDesignIsAccepted) {
  for (const std::string channel : {"in_person", "mail_signed", "mail_plain", "online", "fax"}) {
    SCOPED_TRACE(channel);
    json::object doc = registration();
    doc["channel"] = channel;
    EXPECT_TRUE(register_as(doc).ok());
  }
  for (const std::string kind : {"natural_person", "commercial", "research", "public_welfare",
                                 "legal_service", "other_org"}) {
    SCOPED_TRACE(kind);
    json::object doc = registration();
    set_path(doc, "applicant.kind", json::string(kind));
    EXPECT_TRUE(register_as(doc).ok());
  }
}

TEST(Registration, EachRequiredFieldMissing) {
  for (const std::string path :
       {"workflow", "agency", "channel", "received_on", "applicant", "applicant.kind",
        "applicant.name", "request", "request.description"}) {
    SCOPED_TRACE(path);
    json::object doc = registration();
    erase_path(doc, path);
    EXPECT_TRUE(refused(register_as(doc), ErrorCode::missing_input, path));
  }
}

TEST(Registration, OptionalFieldsMayBeOmitted) {
  json::object doc = registration();
  for (const std::string path :
       {"receipt_evidence", "tags", "applicant.id_type", "applicant.id_number", "applicant.phone",
        "applicant.address", "applicant.email", "request.form", "request.delivery"})
    erase_path(doc, path);
  auto result = register_as(doc);
  EXPECT_TRUE(result.ok()) << describe(result);
}

TEST(Registration, BadValuesNameTheirPath) {
  struct Bad {
    std::string path;
    std::string value;  // JSON
  };
  const std::vector<Bad> bad = {
      {"channel", R"("email")"},
      {"channel", R"("ONLINE")"},
      {"channel", "1"},
      {"applicant.kind", R"("company")"},
      {"applicant.kind", "true"},
      {"received_on", R"("2025-02-30")"},
      {"received_on", R"("03/03/2025")"},
      {"received_on", R"("2025-3-3")"},
      {"received_on", "20250303"},
      {"applicant", R"("张三")"},
      {"request", "[]"},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.path + " = " + b.value);
    json::object doc = registration();
    set_path(doc, b.path, json::parse(b.value));
    EXPECT_TRUE(refused(register_as(doc), ErrorCode::invalid_input, b.path));
  }
}

TEST(Registration, UnknownFieldIsNamed) {
  json::object doc = registration();
  doc["priority"] = "high";
  EXPECT_TRUE(refused(register_as(doc), ErrorCode::invalid_input, "priority"));
  doc = registration();
  set_path(doc, "applicant.age", json::value(30));
  EXPECT_TRUE(refused(register_as(doc), ErrorCode::invalid_input, "applicant.age"));
}

TEST(Registration, FutureReceiptIsRefused) {
  EXPECT_TRUE(
      refused(register_as(registration("2025-07-01")), ErrorCode::date_in_future, "received_on"));
  auto today = register_as(registration(kToday));
  EXPECT_TRUE(today.ok()) << describe(today);
}

TEST(Registration, UnknownWorkflow) {
  EXPECT_TRUE(refused(register_as(registration(kReceivedOn, "foia")), ErrorCode::unknown_workflow,
                      "workflow"));
}

TEST(Registration, RegistrarOfAnotherAgencyIsOutOfScope) {
  EXPECT_TRUE(
      refused(register_as(registration(), actor("registrar", "other")), ErrorCode::out_of_scope));
  // A scope_all registrar of the district office may register for any agency.
  auto district = register_as(registration(), Actor{"u:41", {"registrar"}, "qzfb", true});
  EXPECT_TRUE(district.ok()) << describe(district);
}

TEST(Registration, OnlyTheRegistrarMayRegister) {
  for (const std::string& role : every_role()) {
    if (role == "registrar") continue;
    SCOPED_TRACE(role);
    EXPECT_TRUE(refused(register_as(registration(), actor(role)), ErrorCode::role_not_permitted));
  }
}

}  // namespace
}  // namespace disclose
