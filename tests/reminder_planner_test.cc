// The reminder planner (include/disclose/reminders.h) over the bundled gov-info-disclosure
// workflow and the official calendar. Its rule: offsets [-5, -2, 0, 1], repeat while overdue,
// 09:00 local, recipients [assignee], overdue [assignee, supervisor].
//
// Most cases here are received on 2025-09-26 (Fri), so their clocks cross National Day
// (2025-10-01..08 off; Sun 09-28 and Sat 10-11 are make-up working days):
//   correction_notice: 7 wd → 09-28, 09-29, 09-30, 10-09, 10-10, 10-11, 10-13 (Mon)
//   reply: 20 wd → 2025-10-30 (Thu), as DESIGN.md §3's worked example.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "disclose/reminders.h"
#include "engine_fixture.h"

namespace disclose {

// Readable dates in failure messages (found by argument-dependent lookup).
void PrintTo(const Date& day, std::ostream* out) {
  *out << day.str();
}

namespace {

using fixture::date;
using fixture::Harness;
using fixture::object;
using fixture::registration;
using fixture::Step;

constexpr CaseId kCaseId = 42;
constexpr int kChina = 8 * 60;

// Local time `hour:minute` at +08:00 on `day`.
Moment at(const std::string& day, int hour = 10, int minute = 0, int second = 0) {
  Date local = date(day);
  Instant instant = Instant{std::chrono::sys_days{std::chrono::days{local.days()}}} +
                    std::chrono::hours{hour} + std::chrono::minutes{minute - kChina} +
                    std::chrono::seconds{second};
  return Moment{instant, local};
}

// Instants compare as UTC text, so a failure prints something readable.
std::string utc_text(Instant instant) {
  return format_instant(instant, 0);
}

class ReminderPlannerTest : public ::testing::Test {
 protected:
  const Harness& harness = Harness::shared();
  ReminderPlanner planner{harness.workflows(), harness.calendar()};

  // A gov-info-disclosure case received on `received_on`, registered on `today`.
  Case received(const std::string& received_on, const std::string& today) const {
    Case c = harness.register_case(registration(received_on), today);
    c.id = kCaseId;
    return c;
  }

  // Received 2025-09-26, accepted on 2025-10-09: only the reply clock runs.
  Case handling() const {
    Case c = received("2025-09-26", "2025-10-09");
    c = harness.step(c, {"submit_review", "registrar", {}}, "2025-10-09");
    c = harness.step(c,
                     {"accept", "reviewer", object(R"({"assignee": "u:2", "on": "2025-10-09"})")},
                     "2025-10-09");
    return c;
  }

  Date engine_due(const Case& c, const std::string& kind, const std::string& today) const {
    for (const DeadlineView& view : harness.engine().deadlines(c, date(today))) {
      if (view.kind == kind && view.due_on) return *view.due_on;
    }
    ADD_FAILURE() << "no due date for " << kind;
    return {};
  }
};

std::vector<DueReminder> reminders_for(const DueWork& work, const std::string& deadline) {
  std::vector<DueReminder> out;
  for (const DueReminder& reminder : work.reminders) {
    if (reminder.deadline == deadline) out.push_back(reminder);
  }
  return out;
}

std::vector<PlannedTimer> timers_for(const std::vector<PlannedTimer>& timers,
                                     const std::string& deadline, TimerPurpose purpose) {
  std::vector<PlannedTimer> out;
  for (const PlannedTimer& timer : timers) {
    if (timer.deadline == deadline && timer.purpose == purpose) out.push_back(timer);
  }
  return out;
}

// Walks day by day at 10:00 local, sends whatever reminder of `deadline` is due and returns
// date → offset of each one sent.
std::map<std::string, int> send_daily(const ReminderPlanner& planner, const Case& c,
                                      const std::string& deadline, Date first, Date last,
                                      std::set<std::string>& sent) {
  std::map<std::string, int> log;
  for (Date day = first; day <= last; day = day + 1) {
    std::vector<DueReminder> due = reminders_for(planner.due(c, sent, at(day.str())), deadline);
    EXPECT_LE(due.size(), 1u) << day.str();
    for (const DueReminder& reminder : due) {
      log[day.str()] = reminder.offset_wd;
      sent.insert(reminder.ledger_key);
    }
  }
  return log;
}

TEST(ReminderNames, LedgerKeyAndTimerPurpose) {
  EXPECT_EQ(reminder_ledger_key(42, "reply", 2, -5), "r:42:reply:2:-5");
  EXPECT_EQ(reminder_ledger_key(7, "fee_payment", 1, 0), "r:7:fee_payment:1:0");
  EXPECT_EQ(reminder_ledger_key(7, "reply", 1, 12), "r:7:reply:1:12");
  for (TimerPurpose purpose : {TimerPurpose::reminder, TimerPurpose::expiry}) {
    EXPECT_EQ(timer_purpose_from(to_string(purpose)), purpose);
  }
  EXPECT_STREQ(to_string(TimerPurpose::expiry), "expiry");
  EXPECT_FALSE(timer_purpose_from("Reminder").has_value());
  EXPECT_FALSE(timer_purpose_from("").has_value());
}

TEST_F(ReminderPlannerTest, PlanOffersFirstOccurrenceAtNineLocal) {
  Case c = received("2025-09-26", "2025-09-26");
  std::vector<PlannedTimer> timers = planner.plan(c, {}, at("2025-09-26"));
  ASSERT_EQ(timers.size(), 2u);  // no expiry: neither clock has on_expiry

  // correction_notice due 10-13; five working days before it, counting back over the holiday:
  // 10-11 (make-up Sat), 10-10, 10-09, 09-30, 09-29.
  auto notice = timers_for(timers, "correction_notice", TimerPurpose::reminder);
  ASSERT_EQ(notice.size(), 1u);
  EXPECT_EQ(notice[0].offset_wd, -5);
  EXPECT_EQ(notice[0].epoch, 1);
  EXPECT_EQ(notice[0].fire_on, date("2025-09-29"));
  // 09:00 at +08:00 is 01:00 UTC.
  EXPECT_EQ(utc_text(notice[0].fire_at), "2025-09-29T01:00:00Z");
  EXPECT_EQ(format_instant(notice[0].fire_at, kChina), "2025-09-29T09:00:00+08:00");

  // reply due 10-30: 10-29, 10-28, 10-27, 10-24, 10-23.
  auto reply = timers_for(timers, "reply", TimerPurpose::reminder);
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_EQ(reply[0].offset_wd, -5);
  EXPECT_EQ(reply[0].fire_on, date("2025-10-23"));
  EXPECT_EQ(utc_text(reply[0].fire_at), "2025-10-23T01:00:00Z");

  EXPECT_TRUE(planner.due(c, {}, at("2025-09-26")).empty());
}

TEST_F(ReminderPlannerTest, UtcOffsetMovesTheSendInstant) {
  ReminderPlanner utc_planner(harness.workflows(), harness.calendar(), 0);
  Case c = received("2025-09-26", "2025-09-26");
  auto notice = timers_for(utc_planner.plan(c, {}, at("2025-09-26")), "correction_notice",
                           TimerPurpose::reminder);
  ASSERT_EQ(notice.size(), 1u);
  EXPECT_EQ(utc_text(notice[0].fire_at), "2025-09-29T09:00:00Z");
}

TEST_F(ReminderPlannerTest, OffsetsLandOnWorkingDaysAcrossNationalDay) {
  Case c = received("2025-09-26", "2025-09-26");
  ASSERT_EQ(engine_due(c, "correction_notice", "2025-09-26"), date("2025-10-13"));
  std::set<std::string> sent;
  auto log =
      send_daily(planner, c, "correction_notice", date("2025-09-26"), date("2025-10-16"), sent);
  // After the due day, every working day repeats: 10-14 (+1), 10-15, 10-16.
  const std::map<std::string, int> expected = {{"2025-09-29", -5}, {"2025-10-10", -2},
                                               {"2025-10-13", 0},  {"2025-10-14", 1},
                                               {"2025-10-15", 2},  {"2025-10-16", 3}};
  EXPECT_EQ(log, expected);
  EXPECT_EQ(sent.count("r:42:correction_notice:1:-5"), 1u);
  EXPECT_EQ(sent.count("r:42:correction_notice:1:3"), 1u);
}

TEST_F(ReminderPlannerTest, DueReminderDescribesTheSituation) {
  Case c = received("2025-09-26", "2025-09-26");
  auto due = reminders_for(planner.due(c, {}, at("2025-09-29")), "correction_notice");
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].offset_wd, -5);
  EXPECT_EQ(due[0].event_type, kReminderDueSoon);
  EXPECT_EQ(due[0].deadline_label, "补正告知期限");
  EXPECT_EQ(due[0].due_on, date("2025-10-13"));
  EXPECT_EQ(due[0].remaining_wd, 5);  // 09-30, 10-09, 10-10, 10-11, 10-13
  EXPECT_EQ(due[0].recipients, std::vector<std::string>{"assignee"});
  EXPECT_EQ(due[0].ledger_key, "r:42:correction_notice:1:-5");
  EXPECT_EQ(due[0].epoch, 1);

  auto today = reminders_for(planner.due(c, {}, at("2025-10-13")), "correction_notice");
  ASSERT_EQ(today.size(), 1u);
  EXPECT_EQ(today[0].event_type, kReminderDueToday);
  EXPECT_EQ(today[0].remaining_wd, 0);
  EXPECT_EQ(today[0].recipients, std::vector<std::string>{"assignee"});

  auto overdue = reminders_for(planner.due(c, {}, at("2025-10-14")), "correction_notice");
  ASSERT_EQ(overdue.size(), 1u);
  EXPECT_EQ(overdue[0].event_type, kReminderOverdue);
  EXPECT_EQ(overdue[0].remaining_wd, -1);
  EXPECT_EQ(overdue[0].recipients, (std::vector<std::string>{"assignee", "supervisor"}));
}

TEST_F(ReminderPlannerTest, ReminderIsDueOnceUntilTheNextOccurrence) {
  Case c = received("2025-09-26", "2025-09-26");
  auto notice_due = [&](const std::set<std::string>& sent, Moment now) {
    return reminders_for(planner.due(c, sent, now), "correction_notice");
  };
  // Not a second early.
  EXPECT_TRUE(notice_due({}, at("2025-09-29", 8, 59, 59)).empty());
  auto first = notice_due({}, at("2025-09-29", 9, 0));
  ASSERT_EQ(first.size(), 1u);

  std::set<std::string> sent = {first[0].ledger_key};
  EXPECT_TRUE(notice_due(sent, at("2025-09-29", 9, 0)).empty());
  EXPECT_TRUE(notice_due(sent, at("2025-09-30")).empty());
  EXPECT_TRUE(notice_due(sent, at("2025-10-10", 8, 59)).empty());

  // The plan now points at the next occurrence, -2 on 10-10.
  auto next = timers_for(planner.plan(c, sent, at("2025-09-29", 9, 0)), "correction_notice",
                         TimerPurpose::reminder);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].offset_wd, -2);
  EXPECT_EQ(utc_text(next[0].fire_at), "2025-10-10T01:00:00Z");

  auto second = notice_due(sent, at("2025-10-10", 9, 0));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].offset_wd, -2);
}

TEST_F(ReminderPlannerTest, RegisteredCloseToTheDeadlineGetsOnlyTheLatestReminder) {
  // Registered on the make-up Saturday 10-11, one working day before correction_notice is due:
  // -5 (09-29) and -2 (10-10) have both passed; only -2 is sent.
  Case c = received("2025-09-26", "2025-10-11");
  Moment now = at("2025-10-11");
  DueWork work = planner.due(c, {}, now);
  ASSERT_EQ(work.reminders.size(), 1u);  // reply's first occurrence is 10-23
  EXPECT_TRUE(work.expiries.empty());
  const DueReminder& reminder = work.reminders[0];
  EXPECT_EQ(reminder.deadline, "correction_notice");
  EXPECT_EQ(reminder.offset_wd, -2);
  EXPECT_EQ(reminder.remaining_wd, 1);
  EXPECT_EQ(reminder.ledger_key, "r:42:correction_notice:1:-2");

  // The due one keeps its past time, so the scheduler fires it at once.
  auto planned = timers_for(planner.plan(c, {}, now), "correction_notice", TimerPurpose::reminder);
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0].offset_wd, -2);
  EXPECT_EQ(utc_text(planned[0].fire_at), "2025-10-10T01:00:00Z");

  // Once sent, the next occurrence is the due day, Monday 10-13 (Sunday 10-12 is off).
  std::set<std::string> sent = {reminder.ledger_key};
  EXPECT_TRUE(planner.due(c, sent, now).empty());
  planned = timers_for(planner.plan(c, sent, now), "correction_notice", TimerPurpose::reminder);
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0].offset_wd, 0);
  EXPECT_EQ(planned[0].fire_on, date("2025-10-13"));
  EXPECT_EQ(utc_text(planned[0].fire_at), "2025-10-13T01:00:00Z");
}

TEST_F(ReminderPlannerTest, SentLaterOffsetSupersedesEarlierOnes) {
  Case c = received("2025-09-26", "2025-10-11");
  Moment now = at("2025-10-11");
  // Only an older occurrence was sent: -2 is still due.
  EXPECT_EQ(reminders_for(planner.due(c, {"r:42:correction_notice:1:-5"}, now), "correction_notice")
                .size(),
            1u);
  // A later offset of the same epoch was sent (e.g. before the calendar moved the due date):
  // -2 is superseded, and the plan skips to the first occurrence above it.
  std::set<std::string> sent = {"r:42:correction_notice:1:0"};
  EXPECT_TRUE(reminders_for(planner.due(c, sent, now), "correction_notice").empty());
  auto planned =
      timers_for(planner.plan(c, sent, now), "correction_notice", TimerPurpose::reminder);
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0].offset_wd, 1);
  EXPECT_EQ(planned[0].fire_on, date("2025-10-14"));
  // Keys of another case, deadline or epoch do not count.
  std::set<std::string> others = {"r:43:correction_notice:1:9", "r:42:reply:1:9",
                                  "r:42:correction_notice:2:9", "r:42:correction_notice:1:x"};
  EXPECT_EQ(reminders_for(planner.due(c, others, now), "correction_notice").size(), 1u);
}

TEST_F(ReminderPlannerTest, OverdueRepeatsEveryWorkingDaySkippingWeekendsAndHolidays) {
  // Received 09-17: correction_notice due Fri 09-26 (09-18, 19, 22, 23, 24, 25, 26).
  Case c = received("2025-09-17", "2025-09-17");
  ASSERT_EQ(engine_due(c, "correction_notice", "2025-09-17"), date("2025-09-26"));
  std::set<std::string> sent;
  auto log =
      send_daily(planner, c, "correction_notice", date("2025-09-17"), date("2025-10-14"), sent);
  // Sat 09-27 is off, Sun 09-28 is a make-up working day, 10-01..08 are off, Sat 10-11 works,
  // Sun 10-12 is off.
  const std::map<std::string, int> expected = {
      {"2025-09-19", -5}, {"2025-09-24", -2}, {"2025-09-26", 0}, {"2025-09-28", 1},
      {"2025-09-29", 2},  {"2025-09-30", 3},  {"2025-10-09", 4}, {"2025-10-10", 5},
      {"2025-10-11", 6},  {"2025-10-13", 7},  {"2025-10-14", 8}};
  EXPECT_EQ(log, expected);

  // Seen from 09-30 after +3 was sent, the next repeat is after the holiday.
  std::set<std::string> through_plus3 = {"r:42:correction_notice:1:3"};
  auto planned = timers_for(planner.plan(c, through_plus3, at("2025-10-03")), "correction_notice",
                            TimerPurpose::reminder);
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0].offset_wd, 4);
  EXPECT_EQ(planned[0].fire_on, date("2025-10-09"));

  // Overdue repeats go to the overdue recipients.
  auto repeat = reminders_for(planner.due(c, {}, at("2025-10-09")), "correction_notice");
  ASSERT_EQ(repeat.size(), 1u);
  EXPECT_EQ(repeat[0].recipients, (std::vector<std::string>{"assignee", "supervisor"}));
  EXPECT_EQ(repeat[0].remaining_wd, -4);
}

TEST_F(ReminderPlannerTest, CatchUpAfterDowntimeSendsOnlyTheLatest) {
  Case c = handling();
  // Reply due Thu 10-30: -5 10-23, -2 10-28, 0 10-30, +1 Fri 10-31; nothing sent. Sunday 11-02:
  DueWork work = planner.due(c, {}, at("2025-11-02"));
  ASSERT_EQ(work.reminders.size(), 1u);
  const DueReminder& reminder = work.reminders[0];
  EXPECT_EQ(reminder.deadline, "reply");
  EXPECT_EQ(reminder.offset_wd, 1);
  EXPECT_EQ(reminder.event_type, kReminderOverdue);
  EXPECT_EQ(reminder.due_on, date("2025-10-30"));
  EXPECT_EQ(reminder.remaining_wd, -1);
  EXPECT_EQ(reminder.deadline_label, "答复期限");

  // After it, the next repeat is Monday 11-03.
  auto planned = timers_for(planner.plan(c, {reminder.ledger_key}, at("2025-11-02")), "reply",
                            TimerPurpose::reminder);
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0].offset_wd, 2);
  EXPECT_EQ(planned[0].fire_on, date("2025-11-03"));

  // Long after, still one reminder and a bounded plan: offset = working days since due.
  Moment much_later = at("2026-06-01");
  auto late = reminders_for(planner.due(c, {}, much_later), "reply");
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].offset_wd, -late[0].remaining_wd);
  EXPECT_GT(late[0].offset_wd, 100);
}

TEST_F(ReminderPlannerTest, ExtensionStartsANewScheduleWithNewKeys) {
  Case c = handling();
  auto before = reminders_for(planner.due(c, {}, at("2025-10-28")), "reply");
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0].ledger_key, "r:42:reply:1:-2");
  std::set<std::string> sent = {before[0].ledger_key, "r:42:reply:1:1"};

  // +10 wd: 10-31, 11-03..07, 11-10..13 → due 11-13; -5 falls on 11-06.
  c = harness.step(c,
                   {"extend", "supervisor",
                    object(R"({"on": "2025-10-28", "working_days": 10, "reason": "需调取档案"})")},
                   "2025-10-28");
  ASSERT_EQ(c.clock("reply")->epoch, 2);
  ASSERT_EQ(engine_due(c, "reply", "2025-10-28"), date("2025-11-13"));

  EXPECT_TRUE(planner.due(c, sent, at("2025-10-28")).empty());
  auto planned =
      timers_for(planner.plan(c, sent, at("2025-10-28")), "reply", TimerPurpose::reminder);
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0].epoch, 2);
  EXPECT_EQ(planned[0].offset_wd, -5);
  EXPECT_EQ(planned[0].fire_on, date("2025-11-06"));

  // The old epoch's keys, even a later offset, do not silence the new schedule.
  auto after = reminders_for(planner.due(c, sent, at("2025-11-06")), "reply");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].ledger_key, "r:42:reply:2:-5");
  EXPECT_EQ(after[0].due_on, date("2025-11-13"));
  EXPECT_EQ(after[0].remaining_wd, 5);
}

TEST_F(ReminderPlannerTest, PausedClockHasNoRemindersAndItsWindowGetsAnExpiry) {
  Case c = handling();
  c = harness.step(c, {"consult", "handler", object(R"({"on": "2025-10-10", "party": "third_party",
                               "party_name": "某开发公司", "party_received_on": "2025-10-10"})")},
                   "2025-10-10");
  ASSERT_EQ(c.clock("reply")->status, ClockStatus::paused);
  // Consultation: 15 wd from 10-10 → 10-11, 10-13..17, 10-20..24, 10-27..30.
  ASSERT_EQ(engine_due(c, "consultation", "2025-10-10"), date("2025-10-30"));

  std::vector<PlannedTimer> timers = planner.plan(c, {}, at("2025-10-10"));
  for (const PlannedTimer& timer : timers) EXPECT_NE(timer.deadline, "reply");
  auto reminder = timers_for(timers, "consultation", TimerPurpose::reminder);
  ASSERT_EQ(reminder.size(), 1u);
  EXPECT_EQ(reminder[0].fire_on, date("2025-10-23"));
  auto expiry = timers_for(timers, "consultation", TimerPurpose::expiry);
  ASSERT_EQ(expiry.size(), 1u);
  EXPECT_EQ(expiry[0].fire_on, date("2025-10-31"));
  EXPECT_EQ(utc_text(expiry[0].fire_at), "2025-10-30T16:00:00Z");  // 00:00 +08:00
  EXPECT_EQ(expiry[0].offset_wd, 0);

  // However long the pause lasts, the reply clock stays silent.
  for (const char* day : {"2025-10-28", "2025-10-30", "2025-11-20"}) {
    EXPECT_TRUE(reminders_for(planner.due(c, {}, at(day)), "reply").empty()) << day;
  }
  DueWork work = planner.due(c, {}, at("2025-10-31", 0, 0));
  ASSERT_EQ(work.expiries.size(), 1u);
  EXPECT_EQ(work.expiries[0].deadline, "consultation");
  EXPECT_EQ(work.expiries[0].action, "consultation_expired");
  EXPECT_EQ(work.expiries[0].on, date("2025-10-31"));
}

TEST_F(ReminderPlannerTest, CorrectionWindowExpiresAtMidnightAfterItsDueDay) {
  Case c = received("2025-09-26", "2025-10-09");
  c = harness.step(c, {"submit_review", "registrar", {}}, "2025-10-09");
  c = harness.step(c,
                   {"request_correction", "registrar",
                    object(R"({"on": "2025-10-09", "items": ["地块位置"], "window_wd": 15})")},
                   "2025-10-09");
  // 15 wd from 10-09: 10-10, 10-11, 10-13..17, 10-20..24, 10-27..29.
  ASSERT_EQ(engine_due(c, "correction_window", "2025-10-09"), date("2025-10-29"));

  auto expiry =
      timers_for(planner.plan(c, {}, at("2025-10-09")), "correction_window", TimerPurpose::expiry);
  ASSERT_EQ(expiry.size(), 1u);
  EXPECT_EQ(expiry[0].fire_on, date("2025-10-30"));
  EXPECT_EQ(utc_text(expiry[0].fire_at), "2025-10-29T16:00:00Z");

  EXPECT_TRUE(planner.due(c, {}, at("2025-10-29", 23, 59, 59)).expiries.empty());
  DueWork work = planner.due(c, {}, at("2025-10-30", 0, 0));
  ASSERT_EQ(work.expiries.size(), 1u);
  EXPECT_EQ(work.expiries[0].action, "correction_expired");
  EXPECT_EQ(work.expiries[0].on, date("2025-10-30"));
  EXPECT_EQ(work.expiries[0].epoch, 1);
  // At midnight the due day's reminder (09:00 on 10-29, never sent here) is still the latest;
  // the first overdue one comes at 09:00.
  ASSERT_EQ(work.reminders.size(), 1u);
  EXPECT_EQ(work.reminders[0].offset_wd, 0);

  // Applying the expiry closes the case: nothing more to plan or send.
  Case closed = harness.step(c, {"correction_expired", "system", object(R"({"on": "2025-10-30"})")},
                             "2025-10-30");
  ASSERT_EQ(closed.state, "closed");
  EXPECT_TRUE(planner.plan(closed, {}, at("2025-11-05")).empty());
  EXPECT_TRUE(planner.due(closed, {}, at("2025-11-05")).empty());
}

TEST_F(ReminderPlannerTest, FeePaymentExpiresTheCalendarDayAfterItsDueDay) {
  Case c = handling();
  c = harness.step(c,
                   {"fee_notice", "handler",
                    object(R"({"on": "2025-10-10", "method": "per_item", "amount_yuan": 100,
                               "applicant_received_on": "2025-10-10"})")},
                   "2025-10-10");
  // 20 wd from 10-10: 10-11, 10-13..17, 10-20..24, 10-27..31, 11-03..06.
  ASSERT_EQ(engine_due(c, "fee_payment", "2025-10-10"), date("2025-11-06"));
  auto expiry =
      timers_for(planner.plan(c, {}, at("2025-10-10")), "fee_payment", TimerPurpose::expiry);
  ASSERT_EQ(expiry.size(), 1u);
  EXPECT_EQ(expiry[0].fire_on, date("2025-11-07"));
  EXPECT_EQ(utc_text(expiry[0].fire_at), "2025-11-06T16:00:00Z");
  DueWork work = planner.due(c, {}, at("2025-11-07", 0, 0));
  ASSERT_EQ(work.expiries.size(), 1u);
  EXPECT_EQ(work.expiries[0].action, "fee_expired");
  EXPECT_EQ(work.expiries[0].on, date("2025-11-07"));
}

TEST_F(ReminderPlannerTest, ClosedOrUnknownCasesHaveNothing) {
  // A real closed case (its reply met by delivery).
  Case delivered = harness.walk_to("closed");
  EXPECT_TRUE(planner.plan(delivered, {}, at("2025-06-30")).empty());

  // Clocks still running, but the state says the case is no longer open: the state decides.
  Case c = received("2025-09-17", "2025-09-17");
  Moment overdue = at("2025-10-09");
  ASSERT_FALSE(planner.due(c, {}, overdue).empty());
  for (const char* state : {"closed", "archived", "no_such_state"}) {
    Case copy = c;
    copy.state = state;
    EXPECT_TRUE(planner.plan(copy, {}, overdue).empty()) << state;
    EXPECT_TRUE(planner.due(copy, {}, overdue).empty()) << state;
  }
  Case unknown = c;
  unknown.workflow = "no-such-workflow";
  EXPECT_TRUE(planner.plan(unknown, {}, overdue).empty());
  EXPECT_TRUE(planner.due(unknown, {}, overdue).empty());

  // Stopped and met clocks are silent too.
  Case stopped = c;
  for (Clock& clock : stopped.clocks) clock.status = ClockStatus::stopped;
  EXPECT_TRUE(planner.plan(stopped, {}, overdue).empty());
  stopped.clocks[0].status = ClockStatus::met;
  EXPECT_TRUE(planner.due(stopped, {}, overdue).empty());
}

TEST_F(ReminderPlannerTest, ProvisionalDatesStillGetReminders) {
  // 2027 has no official data: weekends only. Received Mon 2027-03-01, correction_notice due
  // Wed 03-10 (03-02..05, 03-08..10); -5 is Wed 03-03.
  Case c = received("2027-03-01", "2027-03-01");
  bool provisional = false;
  for (const DeadlineView& view : harness.engine().deadlines(c, date("2027-03-01"))) {
    if (view.kind == "correction_notice") provisional = view.provisional;
  }
  ASSERT_TRUE(provisional);
  auto planned = timers_for(planner.plan(c, {}, at("2027-03-01")), "correction_notice",
                            TimerPurpose::reminder);
  ASSERT_EQ(planned.size(), 1u);
  EXPECT_EQ(planned[0].fire_on, date("2027-03-03"));
  EXPECT_EQ(reminders_for(planner.due(c, {}, at("2027-03-03")), "correction_notice").size(), 1u);
}

// Rules other than the bundled one, on a copy of the bundled workflow.
class CustomRuleTest : public ReminderPlannerTest {
 protected:
  void use_rules(std::vector<ReminderRule> rules) {
    Workflow workflow = *harness.workflows().find(fixture::kGovInfo);
    workflow.reminders = std::move(rules);
    registry_ = WorkflowRegistry();
    registry_.add(std::move(workflow));
  }

  static ReminderRule rule(const std::string& deadline, std::vector<int> offsets) {
    ReminderRule r;
    r.deadline = deadline;
    r.offsets_wd = std::move(offsets);
    r.recipients = {"assignee"};
    r.overdue_recipients = {"assignee", "supervisor"};
    return r;
  }

  // A registered case whose reply clock is overridden to `due_on`.
  Case reply_due_on(const std::string& due_on) const {
    Case c = received("2025-11-03", "2025-11-03");
    c.clock("reply")->override_due = date(due_on);
    c.clock("correction_notice")->status = ClockStatus::stopped;
    return c;
  }

  WorkflowRegistry registry_;
  ReminderPlanner custom_{registry_, harness.calendar()};
};

TEST_F(CustomRuleTest, ExactDeadlineRuleWinsOverWildcard) {
  ReminderRule wildcard = rule("*", {-5});
  ReminderRule exact = rule("reply", {-1});
  exact.send_at = "14:30";
  exact.repeat_overdue = false;
  use_rules({wildcard, exact});
  Case c = received("2025-09-26", "2025-09-26");
  std::vector<PlannedTimer> timers = custom_.plan(c, {}, at("2025-09-26"));
  auto reply = timers_for(timers, "reply", TimerPurpose::reminder);
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_EQ(reply[0].offset_wd, -1);
  EXPECT_EQ(reply[0].fire_on, date("2025-10-29"));
  EXPECT_EQ(utc_text(reply[0].fire_at), "2025-10-29T06:30:00Z");
  auto notice = timers_for(timers, "correction_notice", TimerPurpose::reminder);
  ASSERT_EQ(notice.size(), 1u);
  EXPECT_EQ(notice[0].offset_wd, -5);

  // Without repeat_overdue, the schedule ends: nothing after the last offset.
  std::set<std::string> sent = {"r:42:reply:1:-1"};
  EXPECT_TRUE(
      timers_for(custom_.plan(c, sent, at("2025-10-29", 15)), "reply", TimerPurpose::reminder)
          .empty());
  EXPECT_TRUE(reminders_for(custom_.due(c, sent, at("2025-12-01")), "reply").empty());
}

TEST_F(CustomRuleTest, NoRuleMeansNoReminders) {
  use_rules({rule("correction_notice", {0})});
  Case c = received("2025-09-26", "2025-09-26");
  for (const PlannedTimer& timer : custom_.plan(c, {}, at("2025-09-26"))) {
    EXPECT_EQ(timer.deadline, "correction_notice");
  }
  EXPECT_TRUE(reminders_for(custom_.due(c, {}, at("2025-11-20")), "reply").empty());
}

TEST_F(CustomRuleTest, DueDayOffAWorkingDayIsAnnouncedTheWorkingDayBefore) {
  // -1 and 0 then fall on the same Friday: only the due-day reminder is kept.
  use_rules({rule("*", {-1, 0, 1})});
  Case c = reply_due_on("2025-11-15");  // a Saturday
  std::set<std::string> sent;
  auto log = send_daily(custom_, c, "reply", date("2025-11-10"), date("2025-11-19"), sent);
  const std::map<std::string, int> expected = {
      {"2025-11-14", 0}, {"2025-11-17", 1}, {"2025-11-18", 2}, {"2025-11-19", 3}};
  EXPECT_EQ(log, expected);
}

TEST_F(CustomRuleTest, CalendarDayRemindersRepeatEveryDay) {
  ReminderRule every_day = rule("*", {0, 1});
  every_day.working_days_only = false;
  use_rules({every_day});

  // Due Wed 11-19: 0 that day, +1 the next working day, then one a day, weekend included,
  // numbered on from the last fixed offset.
  Case c = reply_due_on("2025-11-19");
  std::set<std::string> sent;
  auto log = send_daily(custom_, c, "reply", date("2025-11-17"), date("2025-11-25"), sent);
  const std::map<std::string, int> expected = {
      {"2025-11-19", 0}, {"2025-11-20", 1}, {"2025-11-21", 2}, {"2025-11-22", 3},
      {"2025-11-23", 4}, {"2025-11-24", 5}, {"2025-11-25", 6}};
  EXPECT_EQ(log, expected);

  // A due day on a Saturday is announced on that Saturday.
  Case weekend = reply_due_on("2025-11-15");
  auto due = reminders_for(custom_.due(weekend, {}, at("2025-11-15")), "reply");
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].offset_wd, 0);
  auto next = timers_for(custom_.plan(weekend, {due[0].ledger_key}, at("2025-11-15")), "reply",
                         TimerPurpose::reminder);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].offset_wd, 1);
  EXPECT_EQ(next[0].fire_on, date("2025-11-17"));
}

}  // namespace
}  // namespace disclose
