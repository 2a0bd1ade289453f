// The timer service over a real (in-memory) SQLite store: timers planned with every case write,
// reminders fired once through the ledger, superseded after downtime, escalated when overdue,
// expiry actions applied as `system`, and the notifications each of these queues.
#include <gtest/gtest.h>

#include <algorithm>

#include "disclose/case_notifications.h"
#include "disclose/reminders.h"
#include "disclose/timer_service.h"
#include "engine_fixture.h"
#include "scheduler/timer_loop.h"
#include "sqlite/sqlite_store.h"

#include <boost/asio/io_context.hpp>

namespace disclose {
namespace {

using namespace fixture;

// hh:mm local time (+08:00) on a local date.
Moment local(const std::string& day, int hour, int minute = 0) {
  Date d = date(day);
  Instant at{std::chrono::seconds{int64_t{d.days()} * 86400 + (hour - 8) * 3600 + minute * 60}};
  return Moment{at, d};
}

class TimerServiceTest : public ::testing::Test {
 protected:
  TimerServiceTest()
      : harness_(Harness::shared()),
        planner_(harness_.workflows(), harness_.calendar()),
        notes_(harness_.engine(), "https://ogi.example.gov.cn/"),
        store_(open_sqlite_store({":memory:"})),
        service_(*store_, harness_.engine(), planner_, notes_) {
    store_->add_agency({"zrzy", "区自然资源局", "自然资源"});
    add_user("赵登记", "registrar", "13800000001");   // id 1
    add_user("李办理", "handler", "13800000002");     // id 2: fixture assignee "u:2"
    add_user("孙审核", "reviewer", "");               // id 3
    add_user("王主任", "supervisor", "13800000004");  // id 4
    Subscription all;
    all.url = "http://127.0.0.1:9/hook";
    all.kind = SubscriptionKind::webhook;
    all.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    subscription_ = store_->add_subscription(all).id;
    store_->set_case_write_hook(service_.write_hook());
  }

  void add_user(const std::string& name, const std::string& role, const std::string& mobile) {
    User u;
    u.name = name;
    u.role = role;
    u.agency = "zrzy";
    u.mobile = mobile;
    store_->add_user(u);
  }

  Case create(const json::object& document, Moment now) {
    auto decision = harness_.engine().register_case(document, actor("registrar"), now);
    EXPECT_TRUE(decision.ok()) << describe(decision);
    const Case& next = decision.value().next;
    return store_->create_case(next, decision.value().event,
                               harness_.engine().deadlines(next, now.today));
  }

  Case act(const Case& current, const Step& step, Moment now) {
    auto decision =
        harness_.engine().apply(current, step.action, step.input, actor(step.role), now);
    EXPECT_TRUE(decision.ok()) << describe(decision);
    const Case& next = decision.value().next;
    store_->append_event(next, decision.value().event, current.version,
                         harness_.engine().deadlines(next, now.today));
    return *store_->load_case(current.id);
  }

  // A case received 2025-03-03, accepted and assigned to the handler on 03-04: only the reply
  // clock runs, due Monday 2025-03-31 (20 working days, no holiday in March 2025).
  Case handling_case() {
    Case c = create(registration(), local("2025-03-03", 10));
    for (const Step& step : gov_info_path("handling")) c = act(c, step, local("2025-03-04", 10));
    return c;
  }

  std::vector<OutboxItem> queued(const std::string& type) {
    OutboxFilter filter;
    filter.limit = 1000;
    std::vector<OutboxItem> out;
    for (OutboxItem& item : store_->list_outbox(filter))
      if (item.notification.type == type) out.push_back(std::move(item));
    return out;
  }

  std::optional<PlannedTimer> reply_reminder(CaseId id) {
    for (const PlannedTimer& t : store_->pending_timers(id))
      if (t.purpose == TimerPurpose::reminder && t.deadline == "reply") return t;
    return std::nullopt;
  }

  const Harness& harness_;
  ReminderPlanner planner_;
  CaseNotifications notes_;
  std::unique_ptr<Store> store_;
  TimerService service_;
  int64_t subscription_ = 0;
};

TEST_F(TimerServiceTest, EveryCaseWritePlansTheNextReminder) {
  Case c = handling_case();
  auto timer = reply_reminder(c.id);
  ASSERT_TRUE(timer);
  // Five working days before 2025-03-31, at 09:00 +08:00.
  EXPECT_EQ(timer->offset_wd, -5);
  EXPECT_EQ(timer->fire_on, date("2025-03-24"));
  EXPECT_EQ(format_instant(timer->fire_at, 0), "2025-03-24T01:00:00Z");
  EXPECT_EQ(store_->next_timer_at(), timer->fire_at);
}

TEST_F(TimerServiceTest, AReminderIsSentOnceAtItsTime) {
  Case c = handling_case();
  EXPECT_EQ(service_.fire_due(local("2025-03-24", 8, 59)).reminders, 0);
  EXPECT_TRUE(queued("reminder.due_soon").empty());

  FireReport report = service_.fire_due(local("2025-03-24", 9));
  EXPECT_EQ(report.reminders, 1);
  auto sent = queued("reminder.due_soon");
  ASSERT_EQ(sent.size(), 1u);
  const json::object& data = sent[0].notification.data;
  EXPECT_EQ(data.at("case").at("number"), json::value(c.number));
  EXPECT_EQ(data.at("deadline").at("kind"), "reply");
  EXPECT_EQ(data.at("deadline").at("due_on"), "2025-03-31");
  EXPECT_EQ(data.at("deadline").at("remaining_wd"), 5);
  EXPECT_EQ(data.at("link"),
            json::value("https://ogi.example.gov.cn/cases/" + std::to_string(c.id)));
  ASSERT_EQ(data.at("recipients").as_array().size(), 1u);  // before due: the assignee only
  EXPECT_EQ(data.at("recipients").at(0).at("name"), "李办理");
  EXPECT_EQ(sent[0].subscription_id, subscription_);

  // Firing again, or after a restart, sends nothing new.
  EXPECT_EQ(service_.fire_due(local("2025-03-24", 9)).reminders, 0);
  EXPECT_EQ(service_.fire_due(local("2025-03-24", 15)).reminders, 0);
  EXPECT_EQ(queued("reminder.due_soon").size(), 1u);
  // The next one is two working days before the due day.
  auto next = reply_reminder(c.id);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->offset_wd, -2);
  EXPECT_EQ(next->fire_on, date("2025-03-27"));
}

TEST_F(TimerServiceTest, LaterWritesDoNotReplanASentReminder) {
  Case c = handling_case();
  service_.fire_due(local("2025-03-24", 9));
  act(c, Step{"note", "handler", object(R"({"text": "已联系申请人"})")}, local("2025-03-25", 10));
  auto next = reply_reminder(c.id);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->offset_wd, -2);
  EXPECT_EQ(service_.fire_due(local("2025-03-25", 10)).reminders, 0);
}

TEST_F(TimerServiceTest, AfterDowntimeOnlyTheLatestReminderIsSentAndItEscalates) {
  Case c = handling_case();
  // Nothing ran from 03-24 to Thursday 04-03: due day 03-31, then 04-01 (+1), 04-02 (+2),
  // 04-03 (+3). One reminder, the one that fits now.
  FireReport report = service_.fire_due(local("2025-04-03", 10));
  EXPECT_EQ(report.reminders, 1);
  EXPECT_TRUE(queued("reminder.due_soon").empty());
  EXPECT_TRUE(queued("reminder.due_today").empty());
  auto overdue = queued("reminder.overdue");
  ASSERT_EQ(overdue.size(), 1u);
  const json::object& data = overdue[0].notification.data;
  EXPECT_EQ(data.at("deadline").at("offset_wd"), 3);
  EXPECT_EQ(data.at("deadline").at("remaining_wd"), -3);
  std::vector<std::string> names;
  for (const auto& r : data.at("recipients").as_array())
    names.emplace_back(r.at("name").as_string());
  EXPECT_EQ(names,
            (std::vector<std::string>{"李办理", "王主任"}));  // the supervisor from overdue on

  // Every working day while overdue: Friday 04-04 to Sunday 04-06 are the Qingming holiday.
  auto next = reply_reminder(c.id);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->fire_on, date("2025-04-07"));
  EXPECT_EQ(next->offset_wd, 4);
}

TEST_F(TimerServiceTest, ACaseRegisteredCloseToItsDeadlineIsRemindedAtOnce) {
  // Received 03-03 but registered only on Friday 03-28, one working day before the reply is due.
  Moment now = local("2025-03-28", 11);
  Case c = create(registration(), now);
  auto timer = reply_reminder(c.id);
  ASSERT_TRUE(timer);
  EXPECT_LE(timer->fire_at, now.at);  // due already: the scheduler fires it at once
  // Two clocks run from registration: the reply (due 03-31) and the 补正 notice (7 working days,
  // due 03-12, long overdue). Each gets one reminder now, the one that fits.
  EXPECT_EQ(service_.fire_due(now).reminders, 2);
  auto soon = queued("reminder.due_soon");
  ASSERT_EQ(soon.size(), 1u);
  EXPECT_EQ(soon[0].notification.data.at("deadline").at("kind"), "reply");
  EXPECT_EQ(soon[0].notification.data.at("deadline").at("offset_wd"), -2);
  auto overdue = queued("reminder.overdue");
  ASSERT_EQ(overdue.size(), 1u);
  EXPECT_EQ(overdue[0].notification.data.at("deadline").at("kind"), "correction_notice");
}

TEST_F(TimerServiceTest, AnExtensionStartsANewScheduleThatIsRemindedAgain) {
  Case c = handling_case();
  service_.fire_due(local("2025-03-24", 9));  // epoch 1, −5 sent
  c = act(c,
          Step{"extend", "supervisor",
               object(R"({"on": "2025-03-25", "working_days": 20, "reason": "涉及多个部门"})")},
          local("2025-03-25", 10));
  auto timer = reply_reminder(c.id);
  ASSERT_TRUE(timer);
  EXPECT_EQ(timer->epoch, 2);
  EXPECT_EQ(timer->offset_wd, -5);
  EXPECT_GT(timer->fire_on, date("2025-04-20"));
}

TEST_F(TimerServiceTest, AnExpiredCorrectionWindowClosesTheCaseAsSystem) {
  Case c = create(registration(), local("2025-03-03", 10));
  for (const Step& step : gov_info_path("awaiting_correction"))
    c = act(c, step, local("2025-03-04", 10));
  ASSERT_EQ(c.state, "awaiting_correction");
  // Window: 15 working days from 03-04, due 03-25; it runs out at 00:00 on 03-26.
  bool has_expiry = false;
  for (const PlannedTimer& t : store_->pending_timers(c.id)) {
    if (t.purpose != TimerPurpose::expiry) continue;
    has_expiry = true;
    EXPECT_EQ(t.deadline, "correction_window");
    EXPECT_EQ(format_instant(t.fire_at, 0), "2025-03-25T16:00:00Z");
  }
  EXPECT_TRUE(has_expiry);
  EXPECT_EQ(service_.fire_due(local("2025-03-25", 23, 59)).expiries, 0);

  FireReport report = service_.fire_due(local("2025-03-26", 0, 1));
  EXPECT_EQ(report.expiries, 1);
  Case closed = *store_->load_case(c.id);
  EXPECT_EQ(closed.state, "closed");
  ASSERT_TRUE(closed.outcome);
  EXPECT_EQ(closed.outcome->determination, "other.no_correction");
  std::vector<Event> history = store_->history(c.id);
  EXPECT_EQ(history.back().type, "correction_expired");
  EXPECT_EQ(history.back().actor, "system");
  EXPECT_EQ(history.back().on, date("2025-03-26"));
  EXPECT_EQ(queued("case.auto_closed").size(), 1u);
  // A closed case has no timers left, and firing again changes nothing.
  EXPECT_TRUE(store_->pending_timers(c.id).empty());
  EXPECT_EQ(service_.fire_due(local("2025-03-27", 9)).expiries, 0);
  EXPECT_EQ(store_->history(c.id).size(), history.size());
}

TEST_F(TimerServiceTest, CaseEventsQueueTheirNotifications) {
  Case c = handling_case();
  auto registered = queued("case.registered");
  ASSERT_EQ(registered.size(), 1u);
  EXPECT_EQ(registered[0].case_id, c.id);
  EXPECT_EQ(registered[0].notification.data.at("case").at("agency_name"), "区自然资源局");
  auto assigned = queued("case.assigned");
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].notification.data.at("recipients").at(0).at("mobile"), "13800000002");
  EXPECT_EQ(queued("case.transitioned").size(), 2u);  // submit_review, accept
  // The stable message id differs per row and is what receivers de-duplicate on.
  EXPECT_NE(registered[0].message_id, assigned[0].message_id);
}

TEST_F(TimerServiceTest, ASubscriptionOnlyGetsTheTypesAndAgencyItAskedFor) {
  store_->add_agency({"gov", "区政府办公室", "政府办"});
  Subscription narrow;
  narrow.url = "http://127.0.0.1:9/overdue";
  narrow.kind = SubscriptionKind::dingtalk;
  narrow.events = {"reminder.overdue"};
  narrow.agency = "zrzy";
  int64_t narrow_id = store_->add_subscription(narrow).id;
  Subscription elsewhere = narrow;
  elsewhere.agency = "gov";
  int64_t elsewhere_id = store_->add_subscription(elsewhere).id;

  handling_case();
  service_.fire_due(local("2025-04-01", 9));
  OutboxFilter filter;
  filter.subscription_id = narrow_id;
  auto rows = store_->list_outbox(filter);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].notification.type, "reminder.overdue");
  filter.subscription_id = elsewhere_id;
  EXPECT_TRUE(store_->list_outbox(filter).empty());
}

// A notification that no subscription takes is not composed at all: the write carries none, so
// the dispatcher is not woken for it either.
TEST_F(TimerServiceTest, OnlyNotificationsSomeSubscriptionTakesAreComposed) {
  std::vector<std::string> composed;
  store_->set_case_written_observer([&](const CaseWriteEffects& written) {
    for (const Notification& n : written.notifications) composed.push_back(n.type);
  });
  ASSERT_TRUE(store_->remove_subscription(subscription_));
  Subscription assigned_only;
  assigned_only.url = "http://127.0.0.1:9/assigned";
  assigned_only.events = {"case.assigned"};
  int64_t assigned_only_id = store_->add_subscription(assigned_only).id;

  handling_case();  // registered, submitted, accepted and assigned
  EXPECT_EQ(composed, std::vector<std::string>{"case.assigned"});
  EXPECT_EQ(queued("case.assigned").size(), 1u);

  ASSERT_TRUE(store_->remove_subscription(assigned_only_id));
  composed.clear();
  create(registration(), local("2025-03-05", 10));
  EXPECT_TRUE(composed.empty());
  EXPECT_TRUE(queued("case.registered").empty());
}

TEST_F(TimerServiceTest, ReplanningGivesTimersToCasesWrittenWithoutThem) {
  // As after an upgrade from a version without timers: cases exist, no timer rows.
  store_->set_case_write_hook({});
  Case c = handling_case();
  EXPECT_TRUE(store_->pending_timers(c.id).empty());
  EXPECT_EQ(service_.replan_open_cases(local("2025-03-05", 10)), 1);
  auto timer = reply_reminder(c.id);
  ASSERT_TRUE(timer);
  EXPECT_EQ(timer->fire_on, date("2025-03-24"));
}

// The Asio loop around the service: catch-up at start, in batches, then it sleeps until the
// earliest timer and stops when told to. Time is the FixedTimeSource's; the loop only decides
// when to look.
TEST_F(TimerServiceTest, TheLoopCatchesUpInBatchesAtStartAndStops) {
  for (int i = 0; i < 5; ++i) handling_case();
  FixedTimeSource clock(local("2025-04-01", 10));  // every case overdue by one working day
  boost::asio::io_context io;
  int after_fire_calls = 0;
  scheduler::TimerLoopOptions options;
  options.batch_cases = 2;  // five cases: three rounds of firing
  int rounds_that_would_miss_a_late_timer = 0;
  scheduler::TimerLoop loop(io, *store_, service_, clock, options, [&](const FireReport&) {
    ++after_fire_calls;
    // Inside a round, before it reads the rows again: any timer committed now must wake it.
    if (!loop.needs_wake_for(local("2025-04-30", 9).at)) ++rounds_that_would_miss_a_late_timer;
  });
  EXPECT_TRUE(loop.needs_wake_for(local("2025-04-03", 9).at));  // no round yet: anything
  loop.start();
  for (int i = 0; i < 1000 && queued("reminder.overdue").size() < 5; ++i)
    io.run_one_for(std::chrono::seconds(1));
  EXPECT_EQ(queued("reminder.overdue").size(), 5u);
  EXPECT_GE(loop.rounds(), 3u);
  EXPECT_EQ(after_fire_calls, 3);
  EXPECT_EQ(rounds_that_would_miss_a_late_timer, 0);
  // Nothing else is due until 04-02 09:00: the loop sleeps (its next look is within the sweep).
  // A timer planned after that look costs no round; one before it wakes the loop.
  io.poll();
  std::size_t rounds = loop.rounds();
  // Other threads can tell which timers the loop will see without a wake-up.
  EXPECT_FALSE(loop.needs_wake_for(local("2025-04-02", 9).at));
  EXPECT_TRUE(loop.needs_wake_for(local("2025-04-01", 10).at));
  loop.wake_if_before(local("2025-04-02", 9).at);
  io.poll();
  EXPECT_EQ(loop.rounds(), rounds);
  loop.wake_if_before(local("2025-04-01", 10).at);
  io.poll();
  EXPECT_EQ(loop.rounds(), rounds + 1);
  // stop() ends the loop and run() returns.
  loop.stop();
  io.run_for(std::chrono::seconds(5));
  EXPECT_TRUE(io.stopped());
  EXPECT_EQ(queued("reminder.overdue").size(), 5u);
}

// A loop that has ended (stopped, its coroutine done) starts again: start() is refused only
// while the loop is still running.
TEST_F(TimerServiceTest, AStoppedLoopStartsAgain) {
  FixedTimeSource clock(local("2025-04-01", 10));
  boost::asio::io_context io;
  scheduler::TimerLoop loop(io, *store_, service_, clock, scheduler::TimerLoopOptions{});
  loop.start();
  loop.start();  // already running: no second coroutine
  io.poll();
  EXPECT_EQ(loop.rounds(), 1u);
  loop.stop();
  io.run_for(std::chrono::seconds(5));
  ASSERT_TRUE(io.stopped());
  io.restart();
  loop.start();
  io.poll();
  EXPECT_EQ(loop.rounds(), 2u);
  loop.stop();
  io.run_for(std::chrono::seconds(5));
  EXPECT_TRUE(io.stopped());
}

// A loop started and destroyed before its io_context ever ran: the spawned coroutine still
// owns the loop's state when it runs (under ASan a dangling one fails here), sees it stopped
// and ends without a round.
TEST_F(TimerServiceTest, ALoopDestroyedBeforeTheIoContextRunsEndsCleanly) {
  FixedTimeSource clock(local("2025-04-01", 10));
  boost::asio::io_context io;
  {
    scheduler::TimerLoop loop(io, *store_, service_, clock, scheduler::TimerLoopOptions{});
    loop.start();
  }
  io.run_for(std::chrono::seconds(5));
  EXPECT_TRUE(io.stopped());
  EXPECT_TRUE(queued("reminder.overdue").empty());
}

}  // namespace
}  // namespace disclose
