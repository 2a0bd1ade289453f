// Deadline clocks driven through the real gov-info-disclosure workflow and the official calendar
// (DESIGN.md §3). Every expected date below was counted by hand from the holiday data; the
// comments show the count so a reader can check it.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "disclose/case_json.h"
#include "disclose/engine.h"

namespace disclose {
namespace {

namespace json = boost::json;

Date d(const char* text) {
  return *Date::parse(text);
}

Moment on_day(const char* text) {
  Date day = d(text);
  return Moment{Instant{std::chrono::sys_days{std::chrono::days{day.days()}}}, day};
}

class ClockRules : public ::testing::Test {
 protected:
  ClockRules()
      : workflows_(WorkflowRegistry::load_dir(DISCLOSE_SOURCE_WORKFLOWS)),
        calendar_(load_calendar_dir(std::string(DISCLOSE_SOURCE_WORKFLOWS) + "/calendars")),
        engine_(workflows_, calendar_) {}

  Case registered(const char* received_on) {
    json::value doc = json::parse(R"({"workflow": "gov-info-disclosure", "agency": "zrzy",
      "channel": "online", "received_on": ")" +
                                  std::string(received_on) + R"(",
      "applicant": {"kind": "natural_person", "name": "张三"},
      "request": {"description": "某地块征收补偿方案"}})");
    auto decision = engine_.register_case(doc, operator_, today_);
    EXPECT_TRUE(decision.ok()) << (decision.ok() ? "" : decision.error().message);
    Case c = decision.value().next;
    c.id = 1;
    return c;
  }

  Result<Decision> try_act(const Case& c, const std::string& action, const char* input) {
    return engine_.apply(c, action, json::parse(input), operator_, today_);
  }

  Case act(const Case& c, const std::string& action, const char* input = "{}") {
    auto decision = try_act(c, action, input);
    EXPECT_TRUE(decision.ok()) << action << ": " << (decision.ok() ? "" : decision.error().message);
    return decision.ok() ? decision.value().next : c;
  }

  DeadlineView deadline(const Case& c, const std::string& kind, const char* today) {
    for (const auto& view : engine_.deadlines(c, d(today)))
      if (view.kind == kind) return view;
    ADD_FAILURE() << "no deadline " << kind;
    return {};
  }

  std::string due(const Case& c, const std::string& kind, const char* today = "2025-12-31") {
    auto view = deadline(c, kind, today);
    return view.due_on ? view.due_on->str() : "none";
  }

  WorkflowRegistry workflows_;
  WorkingCalendar calendar_;
  Engine engine_;
  Actor operator_{"cli:test", case_roles(), "", true};
  Moment today_ = on_day("2026-12-31");
};

TEST_F(ClockRules, RegistrationStartsReplyAndCorrectionNoticeFromReceipt) {
  // DESIGN.md worked example: 2025-09-26 → 7 wd 2025-10-13, 20 wd 2025-10-30.
  Case c = registered("2025-09-26");
  EXPECT_EQ(due(c, "reply"), "2025-10-30");
  EXPECT_EQ(due(c, "correction_notice"), "2025-10-13");
  EXPECT_EQ(deadline(c, "reply", "2025-10-29").remaining_wd, 1);
  EXPECT_FALSE(deadline(c, "reply", "2025-10-30").overdue);
  EXPECT_EQ(deadline(c, "reply", "2025-10-30").remaining_wd, 0);
  // Overdue from the next day, even a Saturday; remaining counts working days only.
  EXPECT_TRUE(deadline(c, "reply", "2025-10-31").overdue);
  EXPECT_EQ(deadline(c, "reply", "2025-10-31").remaining_wd, -1);
  EXPECT_EQ(deadline(c, "reply", "2025-11-01").remaining_wd, -1);
  EXPECT_EQ(deadline(c, "reply", "2025-11-03").remaining_wd, -2);
}

TEST_F(ClockRules, CorrectionRestartThenConsultationPauseThenExtension) {
  Case c = registered("2025-09-26");
  c = act(c, "submit_review");
  // Notice on 09-30, within the 7 wd: met, no flag. Window 15 wd after 09-30: 10-09, 10-10,
  // 10-11 (make-up Saturday), 10-13 … 10-28 is the 15th.
  c = act(c, "request_correction", R"({"on": "2025-09-30", "items": ["地块位置"]})");
  EXPECT_EQ(deadline(c, "correction_notice", "2025-10-01").status, ClockStatus::met);
  EXPECT_EQ(c.flags.count("late_correction_notice"), 0u);
  EXPECT_EQ(deadline(c, "reply", "2025-10-01").status, ClockStatus::stopped);
  EXPECT_FALSE(deadline(c, "reply", "2025-10-01").due_on.has_value());
  EXPECT_EQ(due(c, "correction_window"), "2025-10-28");

  // Art. 30: the reply clock restarts from zero on 10-15: 20 wd → 11-12.
  c = act(c, "correction_received", R"({"on": "2025-10-15"})");
  EXPECT_EQ(deadline(c, "correction_window", "2025-10-15").status, ClockStatus::met);
  EXPECT_EQ(due(c, "reply"), "2025-11-12");
  EXPECT_EQ(c.state, "review");

  c = act(c, "accept", "{}");
  // Paused from 10-20; the consultation runs 15 wd from the party's receipt on 10-21 → 11-11.
  c = act(c, "consult",
          R"({"on": "2025-10-20", "party": "third_party", "party_name": "某公司",
              "party_received_on": "2025-10-21"})");
  EXPECT_EQ(c.state, "consulting");
  EXPECT_EQ(due(c, "consultation"), "2025-11-11");
  DeadlineView paused = deadline(c, "reply", "2025-10-24");
  EXPECT_EQ(paused.status, ClockStatus::paused);
  // Frozen: 10-16, 10-17 and 10-20 were counted (the pause day itself counts), 17 remain however
  // long the pause lasts.
  EXPECT_EQ(paused.remaining_wd, 17);
  EXPECT_EQ(deadline(c, "reply", "2025-10-27").remaining_wd, 17);

  // Resumed 10-27: the pause removed 10-21, 22, 23, 24, 27 (5 wd) → 20 + 5 wd = 11-19.
  c = act(c, "consultation_done", R"({"on": "2025-10-27", "opinion": "object"})");
  EXPECT_EQ(c.state, "handling");
  EXPECT_EQ(due(c, "reply"), "2025-11-19");
  EXPECT_EQ(deadline(c, "consultation", "2025-10-27").status, ClockStatus::met);

  // Art. 33: one extension of 10 wd → 35 wd after 10-15 = 12-03.
  c = act(c, "extend", R"({"on": "2025-11-10", "working_days": 10, "reason": "涉及第三方"})");
  EXPECT_EQ(due(c, "reply"), "2025-12-03");

  auto second =
      try_act(c, "extend", R"({"on": "2025-11-11", "working_days": 5, "reason": "再延"})");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::extension_cap_exceeded);

  auto explanation = engine_.explain(c, "reply", d("2025-11-11"));
  ASSERT_TRUE(explanation.has_value());
  EXPECT_EQ(explanation->start, d("2025-10-15"));
  EXPECT_EQ(explanation->working_days, 20);
  EXPECT_EQ(explanation->extension_wd, 10);
  EXPECT_EQ(explanation->paused_wd, 5);
  EXPECT_EQ(explanation->calendar_version, calendar_.version());
  std::vector<std::string> steps;
  for (const auto& s : explanation->steps) steps.push_back(s.what);
  EXPECT_EQ(steps,
            (std::vector<std::string>{"start", "stop", "restart", "pause", "resume", "extend"}));
}

TEST_F(ClockRules, ExtensionIsCappedAtTwentyWorkingDays) {
  Case c = act(act(registered("2025-03-03"), "submit_review"), "accept");
  auto too_long =
      try_act(c, "extend", R"({"on": "2025-03-10", "working_days": 21, "reason": "x"})");
  ASSERT_FALSE(too_long.ok());
  // 21 is outside the input's declared range as well as the cap: either refusal names the field.
  EXPECT_EQ(too_long.error().field, "working_days");
  Case extended = act(c, "extend", R"({"on": "2025-03-10", "working_days": 20, "reason": "x"})");
  // 2025-03-03 + 40 wd (Qingming 04-04 falls inside): 03-31 is the 20th, 04-29 the 40th? Count:
  // April 1–3 (3), 7–11 (8), 14–18 (13), 21–25 (18), 27 Sunday make-up (19), 28 (20) → 04-28.
  EXPECT_EQ(due(extended, "reply"), "2025-04-28");
}

TEST_F(ClockRules, ExtensionAfterTheDeadlinePassedIsRefused) {
  Case c = act(act(registered("2025-03-03"), "submit_review"), "accept");
  // Reply due 2025-03-31; an extension dated 04-01 comes too late.
  EXPECT_EQ(due(c, "reply"), "2025-03-31");
  auto late = try_act(c, "extend", R"({"on": "2025-04-01", "working_days": 5, "reason": "x"})");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::extension_after_deadline);
  // On the due day itself it is still in time.
  Case in_time = act(c, "extend", R"({"on": "2025-03-31", "working_days": 5, "reason": "x"})");
  EXPECT_EQ(due(in_time, "reply"), "2025-04-08");  // 04-01,02,03,07,08 (04-04…06 off)
}

TEST_F(ClockRules, LateCorrectionNoticeIsAllowedButFlagged) {
  Case c = act(registered("2025-09-26"), "submit_review");
  // Notice due 2025-10-13; sent 10-14.
  c = act(c, "request_correction", R"({"on": "2025-10-14", "items": ["x"], "window_wd": 10})");
  EXPECT_EQ(c.flags.count("late_correction_notice"), 1u);
  EXPECT_EQ(deadline(c, "correction_notice", "2025-10-14").status, ClockStatus::missed);
  // Window of 10 wd chosen by the agency: 10-15 … 10-28.
  EXPECT_EQ(due(c, "correction_window"), "2025-10-28");
}

TEST_F(ClockRules, CorrectionWindowMayBeAnExplicitDate) {
  Case c = act(registered("2025-09-26"), "submit_review");
  c = act(c, "request_correction",
          R"({"on": "2025-09-30", "items": ["x"], "due_on": "2025-11-03"})");
  EXPECT_EQ(due(c, "correction_window"), "2025-11-03");
  auto before = try_act(act(registered("2025-09-26"), "submit_review"), "request_correction",
                        R"({"on": "2025-09-30", "items": ["x"], "due_on": "2025-09-29"})");
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.error().field, "due_on");
}

TEST_F(ClockRules, Article35DelayReplacesTheDate) {
  Case c = act(act(registered("2025-03-03"), "submit_review"), "accept");
  c = act(c, "delay",
          R"({"on": "2025-03-20", "due_on": "2025-06-30", "reason": "需要较长时间检索"})");
  EXPECT_EQ(due(c, "reply"), "2025-06-30");
  auto e = engine_.explain(c, "reply", d("2025-03-20"));
  ASSERT_TRUE(e && e->override_due);
  EXPECT_EQ(e->override_due->str(), "2025-06-30");
  EXPECT_EQ(e->steps.back().note, "需要较长时间检索");
}

TEST_F(ClockRules, FeeNoticePausesReplyAndStartsPaymentWindow) {
  Case c = act(act(registered("2025-03-03"), "submit_review"), "accept");
  c = act(c, "fee_notice",
          R"({"on": "2025-03-10", "method": "per_item", "amount_yuan": 100,
              "applicant_received_on": "2025-03-12"})");
  EXPECT_EQ(c.state, "awaiting_fee");
  // 20 wd from the day after 03-12: 03-13 … 04-10 (04-04 off) → 04-10.
  EXPECT_EQ(due(c, "fee_payment"), "2025-04-10");
  ASSERT_EQ(c.fees.size(), 1u);
  EXPECT_FALSE(c.fees[0].paid);
  // Paid 03-17: paused 03-11, 12, 13, 14, 17 (5 wd) → reply 03-31 + 5 wd = 04-08 (04-04…06 off).
  c = act(c, "fee_paid", R"({"on": "2025-03-17"})");
  EXPECT_TRUE(c.fees[0].paid);
  EXPECT_EQ(due(c, "reply"), "2025-04-08");
}

TEST_F(ClockRules, DeliveryMeetsOrMissesTheReplyDeadline) {
  Case base = act(act(registered("2025-03-03"), "submit_review"), "accept");
  base = act(base, "draft_reply",
             R"({"determination": "granted", "basis": "条例第三十六条第（二）项"})");
  base = act(base, "approve_reply");
  Case on_time = act(base, "record_delivery", R"({"method": "direct", "on": "2025-03-31"})");
  EXPECT_EQ(deadline(on_time, "reply", "2026-01-01").status, ClockStatus::met);
  EXPECT_FALSE(deadline(on_time, "reply", "2026-01-01").overdue);
  EXPECT_EQ(on_time.closed_on, d("2025-03-31"));
  Case late = act(base, "record_delivery", R"({"method": "post", "on": "2025-04-01"})");
  EXPECT_EQ(deadline(late, "reply", "2026-01-01").status, ClockStatus::missed);
}

TEST_F(ClockRules, ReopenStartsANewReplyPeriodFromTheDecision) {
  Case c = act(act(registered("2025-03-03"), "submit_review"), "accept");
  c = act(c, "draft_reply", R"({"determination": "unavailable.not_held"})");
  c = act(act(c, "approve_reply"), "record_delivery",
          R"({"method": "direct", "on": "2025-03-20"})");
  c = act(c, "reopen", R"({"on": "2025-06-02", "order": "复议决定责令重新答复"})");
  EXPECT_EQ(c.state, "handling");
  EXPECT_FALSE(c.closed_on.has_value());
  // 20 wd after 06-02 (Dragon Boat 05-31…06-02 is before it): 06-03 … 06-30.
  EXPECT_EQ(due(c, "reply"), "2025-06-30");
  EXPECT_EQ(deadline(c, "reply", "2025-06-03").status, ClockStatus::running);
}

TEST_F(ClockRules, WithdrawStopsEveryRunningClock) {
  Case c = act(registered("2025-09-26"), "submit_review");
  c = act(c, "withdraw", R"({"on": "2025-09-29"})");
  EXPECT_EQ(c.state, "closed");
  for (const auto& view : engine_.deadlines(c, d("2025-12-01"))) {
    EXPECT_FALSE(view.overdue) << view.kind;
    EXPECT_NE(view.status, ClockStatus::running) << view.kind;
  }
  ASSERT_TRUE(c.outcome.has_value());
  EXPECT_EQ(c.outcome->determination, "other.withdrawn");
}

TEST_F(ClockRules, BeyondTheOfficialDataTheDeadlineIsProvisional) {
  Case c = registered("2026-12-15");
  DeadlineView reply = deadline(c, "reply", "2026-12-15");
  EXPECT_TRUE(reply.provisional);
  // Weekends only in 2027: 12-16 … 12-31 (12 wd), then 2027-01-01 (Fri, no data yet) … 01-12.
  EXPECT_EQ(reply.due_on, d("2027-01-12"));
  EXPECT_FALSE(deadline(registered("2026-03-02"), "reply", "2026-03-02").provisional);
}

TEST_F(ClockRules, RecomputeRecordsWhichDeadlinesMovedWithANewCalendar) {
  Case c = registered("2025-09-26");
  WorkingCalendar weekends_only;
  // Against a weekends-only calendar the National Day holiday moves the reply date.
  auto decision = engine_.recompute_deadlines(c, weekends_only, today_);
  ASSERT_TRUE(decision.has_value());
  EXPECT_EQ(decision->event.type, "deadline.recomputed");
  EXPECT_EQ(decision->next.version, c.version + 1);
  const auto& moved = decision->event.effects.at("clocks").as_array();
  ASSERT_FALSE(moved.empty());
  EXPECT_EQ(moved[0].at("due_after").as_string(), "2025-10-30");
  EXPECT_FALSE(engine_.recompute_deadlines(c, calendar_, today_).has_value());
}

TEST_F(ClockRules, ReplayingTheSameActionsGivesTheSameCase) {
  auto run = [&] {
    Case c = act(registered("2025-09-26"), "submit_review");
    c = act(c, "request_correction", R"({"on": "2025-09-30", "items": ["x"]})");
    c = act(c, "correction_received", R"({"on": "2025-10-15"})");
    return json::serialize(to_json(act(c, "accept", R"({"assignee": "7"})")));
  };
  EXPECT_EQ(run(), run());
}

}  // namespace
}  // namespace disclose
