// The SQLite store's issue #4 parts: schema 3, staff contacts, the case-write hook, timers, the
// reminder ledger, subscriptions and the outbox. Every moment is injected; nothing sleeps.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "sqlite/migrations.h"
#include "sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace disclose {
namespace {
namespace json = boost::json;

Instant T(const char* text) {
  std::optional<Instant> at = parse_instant(text);
  if (!at) throw std::invalid_argument(std::string("bad test instant ") + text);
  return *at;
}

Date D(const char* text) {
  return *Date::parse(text);
}

Notification note(const std::string& type, Instant at, CaseId case_id = 0) {
  return Notification{type, at, json::object{{"case", json::object{{"id", case_id}}}}};
}

PlannedTimer timer(const std::string& deadline, int offset_wd, Instant fire_at,
                   TimerPurpose purpose = TimerPurpose::reminder, int epoch = 1) {
  PlannedTimer t;
  t.purpose = purpose;
  t.deadline = deadline;
  t.epoch = epoch;
  t.offset_wd = offset_wd;
  t.fire_on = local_date(fire_at, 8 * 60);
  t.fire_at = fire_at;
  return t;
}

// "deadline/offset@fire_at", for readable comparisons of timer lists.
std::vector<std::string> describe(const std::vector<PlannedTimer>& timers) {
  std::vector<std::string> out;
  for (const PlannedTimer& t : timers) {
    out.push_back((t.purpose == TimerPurpose::expiry ? "expiry:" : "") + t.deadline + "/" +
                  std::to_string(t.offset_wd) + "@" + format_instant(t.fire_at, 0));
  }
  return out;
}

Subscription subscription(std::optional<std::string> agency = std::nullopt,
                          std::vector<std::string> events = {"*"}, bool enabled = true) {
  Subscription s;
  s.url = "https://hooks.example.cn/h";
  s.kind = SubscriptionKind::webhook;
  s.secret = "whsec_c2VjcmV0";
  s.agency = std::move(agency);
  s.events = std::move(events);
  s.enabled = enabled;
  s.description = "值班群";
  return s;
}

// A filter built field by field (designated initializers that skip fields trip
// -Wmissing-field-initializers).
struct Filter {
  OutboxFilter f;
  Filter& status(OutboxStatus s) {
    f.status = s;
    return *this;
  }
  Filter& subscription(int64_t id) {
    f.subscription_id = id;
    return *this;
  }
  Filter& of_case(CaseId id) {
    f.case_id = id;
    return *this;
  }
  Filter& after(int64_t id) {
    f.after_id = id;
    return *this;
  }
  Filter& limit(int n) {
    f.limit = n;
    return *this;
  }
  operator OutboxFilter() const { return f; }
};

User staff(const std::string& name, const std::string& role, const std::string& agency,
           bool scope_all = false, const std::string& mobile = "",
           const std::string& wecom_userid = "") {
  User u;
  u.name = name;
  u.role = role;
  u.agency = agency;
  u.scope_all = scope_all;
  u.mobile = mobile;
  u.wecom_userid = wecom_userid;
  return u;
}

class OutboxStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = (dir_ / "disclose.db").string(); }
  void TearDown() override { store_.reset(); }

  void open() { store_ = open_sqlite_store({path_}); }

  void open_with_agencies() {
    open();
    store_->add_agency({"zrzy", "区自然资源局", "自然资源"});
    store_->add_agency({"gov", "区政府办公室", ""});
  }

  SQLite::Database raw() { return SQLite::Database(path_, SQLite::OPEN_READWRITE); }

  int64_t count(const std::string& sql) { return raw().execAndGet(sql).getInt64(); }

  // A case as the engine hands it over, received on 2025-03-03.
  Case create(const std::string& agency = "zrzy") {
    Case c;
    c.workflow = "gov-info-disclosure";
    c.agency = agency;
    c.state = "registered";
    c.version = 1;
    c.registration.channel = "online";
    c.registration.received_on = D("2025-03-03");
    c.registration.applicant.name = "张三";
    c.last_dated_on = D("2025-03-03");
    c.created_at = c.updated_at = T("2025-03-03T02:00:00Z");
    Event e;
    e.seq = 1;
    e.type = "register";
    e.actor = "u:1";
    e.recorded_at = c.created_at;
    e.on = c.registration.received_on;
    e.to_state = "registered";
    return store_->create_case(c, e, {});
  }

  // One more event on the case; returns the case as stored.
  Case act(const Case& current, const std::string& to_state, Instant at) {
    Case next = current;
    next.version = current.version + 1;
    next.state = to_state;
    next.updated_at = at;
    Event e;
    e.case_id = current.id;
    e.seq = next.version;
    e.type = "to_" + to_state;
    e.actor = "u:2";
    e.recorded_at = at;
    e.from_state = current.state;
    e.to_state = to_state;
    store_->append_event(next, e, current.version, {});
    return next;
  }

  std::vector<OutboxItem> outbox(OutboxFilter filter = {}) { return store_->list_outbox(filter); }

  // (subscription id, type) of every outbox row, in id order.
  std::vector<std::pair<int64_t, std::string>> routed() {
    std::vector<std::pair<int64_t, std::string>> out;
    for (const OutboxItem& item : outbox()) {
      out.emplace_back(item.subscription_id, item.notification.type);
    }
    return out;
  }

  // Installs a hook that plans `timers` and notifies `types` on every case write.
  void hook(std::vector<PlannedTimer> timers, std::vector<std::string> types) {
    store_->set_case_write_hook(
        [timers, types](const Case& stored, const Event& event, const CaseWriteContext&) {
          CaseWriteEffects effects;
          effects.timers = timers;
          for (const std::string& type : types) {
            effects.notifications.push_back(note(type, event.recorded_at, stored.id));
          }
          return effects;
        });
  }

  ReminderFiring firing(const Case& c, const std::string& key, Instant at,
                        std::vector<PlannedTimer> timers = {}) {
    ReminderFiring f;
    f.case_id = c.id;
    f.expected_version = c.version;
    f.reminders.push_back({key, note("reminder.due_soon", at, c.id)});
    f.timers = std::move(timers);
    f.fired_at = at;
    return f;
  }

  fixture::TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

// --- schema ---------------------------------------------------------------------------------

TEST_F(OutboxStoreTest, Migration3KeepsTheDataOfAVersion2Database) {
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    sqlite::migrate(db, 2);
    db.exec("INSERT INTO agencies VALUES ('zrzy', '区自然资源局', '自然资源')");
    db.exec(
        "INSERT INTO users(name, role, agency, scope_all, active, created_at)"
        " VALUES ('李四', 'handler', 'zrzy', 0, 1, '2025-01-01T00:00:00Z')");
    db.exec("INSERT INTO idempotency_keys VALUES ('u:1', 'k', 'f', 201, '{}', 't')");
    EXPECT_FALSE(db.tableExists("timers"));
  }
  open();
  {
    SQLite::Database db = raw();
    EXPECT_EQ(db.execAndGet("SELECT MAX(version) FROM schema_migrations").getInt(),
              sqlite::latest_schema_version());
    EXPECT_GE(sqlite::latest_schema_version(), 3);
    for (const char* table : {"subscriptions", "timers", "reminder_ledger"}) {
      EXPECT_TRUE(db.tableExists(table)) << table;
    }
    std::set<std::string> outbox_columns;
    SQLite::Statement columns(db, "SELECT name FROM pragma_table_info('outbox')");
    while (columns.executeStep()) outbox_columns.insert(columns.getColumn(0).getString());
    EXPECT_TRUE(outbox_columns.count("subscription_id"));
    EXPECT_TRUE(outbox_columns.count("first_attempt_at"));
  }
  std::vector<User> users = store_->users();
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].name, "李四");
  EXPECT_EQ(users[0].agency, "zrzy");
  EXPECT_EQ(users[0].mobile, "");
  EXPECT_EQ(store_->find_idempotent("u:1", "k")->status, 201);

  User contacts = users[0];
  contacts.mobile = "13900000000";
  contacts.wecom_userid = "LiSi";
  contacts.dingtalk_userid = "ding-lisi";
  contacts.feishu_user_id = "ou_lisi";
  store_->set_user_contacts(contacts);
  User stored = *store_->find_user(users[0].id);
  EXPECT_EQ(stored.mobile, "13900000000");
  EXPECT_EQ(stored.wecom_userid, "LiSi");
  EXPECT_EQ(stored.dingtalk_userid, "ding-lisi");
  EXPECT_EQ(stored.feishu_user_id, "ou_lisi");
  contacts.id = 999;
  EXPECT_THROW(store_->set_user_contacts(contacts), StoreError);

  // The schema refuses what the store never writes.
  SQLite::Database db = raw();
  EXPECT_THROW(db.exec("INSERT INTO subscriptions(url, kind, created_at) VALUES('u', 'sms', 't')"),
               SQLite::Exception);
  EXPECT_THROW(db.exec("INSERT INTO subscriptions(url, kind, events, created_at)"
                       " VALUES('u', 'wecom', '{}', 't')"),
               SQLite::Exception);
}

TEST_F(OutboxStoreTest, AddUserStoresContactFields) {
  open_with_agencies();
  User u = staff("王五", "supervisor", "zrzy", false, "13700000000", "WangWu");
  u.dingtalk_userid = "ding-ww";
  u.feishu_user_id = "ou_ww";
  User added = store_->add_user(u);
  User found = *store_->find_user(added.id);
  EXPECT_EQ(found.mobile, "13700000000");
  EXPECT_EQ(found.wecom_userid, "WangWu");
  EXPECT_EQ(found.dingtalk_userid, "ding-ww");
  EXPECT_EQ(found.feishu_user_id, "ou_ww");
  EXPECT_EQ(store_->users().at(0).feishu_user_id, "ou_ww");
}

// --- the case-write hook --------------------------------------------------------------------

// A new case is planned inside its transaction (its id and number are assigned there); a later
// write is planned before it joins a commit group, before its place in the global chain is known.
TEST_F(OutboxStoreTest, HookPlansEachWriteBeforeItCommitsAndItsEffectsAreStored) {
  open_with_agencies();
  User handler = store_->add_user(staff("李四", "handler", "zrzy", false, "139"));
  User gone = store_->add_user(staff("赵六", "handler", "zrzy"));
  store_->set_user_active(gone.id, false);
  store_->add_user(staff("钱七", "handler", "gov"));
  store_->add_user(staff("督查", "supervisor", "", true));
  Subscription sub = store_->add_subscription(subscription());

  SQLite::Database observer = raw();
  int calls = 0;
  std::vector<std::string> seen;
  store_->set_case_write_hook([&](const Case& stored, const Event& event,
                                  const CaseWriteContext& context) {
    ++calls;
    // Not committed yet: another connection still sees the database without this event.
    int64_t committed =
        observer
            .execAndGet("SELECT COUNT(*) FROM events WHERE case_id = " + std::to_string(stored.id))
            .getInt64();
    EXPECT_EQ(committed, stored.version - 1);
    EXPECT_NE(stored.id, 0);
    EXPECT_EQ(stored.number.rfind("2025-自然资源-", 0), 0u) << stored.number;
    EXPECT_EQ(event.seq, stored.version);
    if (stored.version == 1) {
      EXPECT_GT(event.global_seq, 0);
    } else {
      EXPECT_EQ(event.global_seq, 0);
    }
    EXPECT_EQ(event.hash.size(), 64u);  // sealed into the case's chain
    EXPECT_TRUE(context.agency && context.agency->name == "区自然资源局");
    std::vector<int64_t> staff;
    for (const User& u : context.agency_users) staff.push_back(u.id);
    EXPECT_EQ(staff, std::vector<int64_t>{handler.id});
    EXPECT_EQ(context.agency_users.at(0).mobile, "139");
    seen.assign(context.sent_reminders.begin(), context.sent_reminders.end());
    CaseWriteEffects effects;
    effects.timers = {timer("reply", -2, T("2025-03-27T01:00:00Z")),
                      timer("reply", 0, T("2025-03-31T01:00:00Z"), TimerPurpose::expiry)};
    effects.notifications = {note("case.registered", T("2025-03-03T02:00:05Z"), stored.id),
                             note("case.assigned", T("2025-03-03T02:00:06Z"), stored.id)};
    return effects;
  });

  Case c = create();
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(seen.empty());
  EXPECT_EQ(describe(store_->pending_timers(c.id)),
            (std::vector<std::string>{"reply/-2@2025-03-27T01:00:00Z",
                                      "expiry:reply/0@2025-03-31T01:00:00Z"}));
  std::vector<OutboxItem> rows = outbox();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].subscription_id, sub.id);
  EXPECT_EQ(rows[0].case_id, c.id);
  EXPECT_EQ(rows[0].notification.type, "case.registered");
  EXPECT_EQ(rows[0].notification.data, note("", {}, c.id).data);
  EXPECT_EQ(rows[0].status, OutboxStatus::pending);
  EXPECT_EQ(rows[0].attempts, 0);
  EXPECT_EQ(rows[0].created_at, T("2025-03-03T02:00:00Z"));       // the event's recorded_at
  EXPECT_EQ(rows[0].next_attempt_at, T("2025-03-03T02:00:05Z"));  // the notification's time
  EXPECT_FALSE(rows[0].first_attempt_at);
  EXPECT_EQ(rows[1].notification.type, "case.assigned");
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE event_seq = 1"), 2);

  // The ledger is handed to the next write; the write's plan replaces the pending timers.
  ASSERT_EQ(store_->record_reminders(firing(c, "r:1:reply:1:-2", T("2025-03-27T01:00:00Z"))), 1);
  act(c, "review", T("2025-03-28T01:00:00Z"));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(seen, std::vector<std::string>{"r:1:reply:1:-2"});
}

// The plan made before the write is checked inside its transaction: when what it was made from
// changed meanwhile (here, from another connection while the hook ran), the write plans again.
TEST_F(OutboxStoreTest, AWriteWhosePlanInputsChangedPlansAgainInsideItsTransaction) {
  open_with_agencies();
  store_->add_user(staff("李四", "handler", "zrzy", false, "139"));
  Subscription sub = store_->add_subscription(subscription());
  SQLite::Database other = raw();
  std::function<void()> meanwhile;  // runs during the hook's next call, then is cleared
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> calls;
  std::vector<std::size_t> subscriptions_seen;  // per call
  store_->set_case_write_hook(
      [&](const Case& stored, const Event&, const CaseWriteContext& context) {
        subscriptions_seen.push_back(context.subscriptions.size());
        std::vector<std::string> mobiles;
        for (const User& u : context.agency_users) mobiles.push_back(u.mobile);
        calls.emplace_back(
            std::vector<std::string>(context.sent_reminders.begin(), context.sent_reminders.end()),
            mobiles);
        if (meanwhile) std::exchange(meanwhile, {})();
        CaseWriteEffects effects;
        effects.notifications = {note("case.assigned", T("2025-03-03T02:00:06Z"), stored.id)};
        boost::json::array listed;
        for (const std::string& mobile : mobiles) listed.emplace_back(mobile);
        effects.notifications[0].data["mobiles"] = listed;
        return effects;
      });
  Case c = create();
  ASSERT_EQ(calls.size(), 1u);

  // Nothing changed: one call.
  c = act(c, "review", T("2025-03-04T01:00:00Z"));
  EXPECT_EQ(calls.size(), 2u);

  // A reminder recorded for the case while the write was being planned.
  meanwhile = [&] {
    other.exec(
        "INSERT INTO reminder_ledger(key, case_id, sent_at) VALUES ('r:" + std::to_string(c.id) +
        ":reply:1:-2', " + std::to_string(c.id) + ", '2025-03-27T01:00:00Z')");
  };
  c = act(c, "accept", T("2025-03-05T01:00:00Z"));
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_TRUE(calls[2].first.empty());
  EXPECT_EQ(calls[3].first, std::vector<std::string>{"r:" + std::to_string(c.id) + ":reply:1:-2"});

  // A member of staff changed (by another process: the schema's triggers see it too).
  meanwhile = [&] { other.exec("UPDATE users SET mobile = '138' WHERE name = '李四'"); };
  c = act(c, "draft", T("2025-03-06T01:00:00Z"));
  ASSERT_EQ(calls.size(), 6u);
  EXPECT_EQ(calls[4].second, std::vector<std::string>{"139"});
  EXPECT_EQ(calls[5].second, std::vector<std::string>{"138"});
  // What was stored is the second plan.
  std::vector<OutboxItem> rows = outbox();
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.back().subscription_id, sub.id);
  EXPECT_EQ(rows.back().notification.data.at("mobiles"), boost::json::array{"138"});

  // A subscription turned off meanwhile: the write fans out to nobody.
  std::size_t before = outbox().size();
  meanwhile = [&] { other.exec("UPDATE subscriptions SET enabled = 0"); };
  c = act(c, "approve", T("2025-03-07T01:00:00Z"));
  EXPECT_EQ(calls.size(), 8u);
  EXPECT_EQ(outbox().size(), before);

  // A subscription added meanwhile: the second plan is made knowing it (a hook composes only
  // what some subscription takes), and the write fans out to it.
  meanwhile = [&] {
    other.exec(
        "INSERT INTO subscriptions(url, kind, created_at)"
        " VALUES ('http://127.0.0.1:9/late', 'webhook', '2025-03-08T00:00:00Z')");
  };
  c = act(c, "reply", T("2025-03-08T01:00:00Z"));
  ASSERT_EQ(subscriptions_seen.size(), 10u);
  EXPECT_EQ(subscriptions_seen[8], 0u);
  EXPECT_EQ(subscriptions_seen[9], 1u);
  EXPECT_EQ(outbox().size(), before + 1);

  // Staff changed between two writes: the next write's one plan is made from the change, not
  // from what earlier writes read (the store keeps an agency's inputs per revision).
  other.exec("UPDATE users SET mobile = '137' WHERE name = '李四'");
  c = act(c, "deliver", T("2025-03-09T01:00:00Z"));
  ASSERT_EQ(calls.size(), 11u);
  EXPECT_EQ(calls[10].second, std::vector<std::string>{"137"});
}

// A stale write fails before it is planned or waits for a group.
TEST_F(OutboxStoreTest, AStaleWriteFailsBeforeItIsPlanned) {
  open_with_agencies();
  int calls = 0;
  store_->set_case_write_hook([&](const Case&, const Event&, const CaseWriteContext&) {
    ++calls;
    return CaseWriteEffects{};
  });
  Case c = create();
  Case moved = act(c, "review", T("2025-03-04T01:00:00Z"));
  ASSERT_EQ(calls, 2);
  try {
    act(c, "accept", T("2025-03-05T01:00:00Z"));
    FAIL() << "a write at an old version was stored";
  } catch (const VersionConflict& conflict) {
    EXPECT_EQ(conflict.current, moved.version);
  }
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(store_->history(c.id).size(), 2u);
}

// The observer hears of each case write once it has committed, with what it wrote; a write that
// failed is not told; writes inside a batch are told once the batch commits.
TEST_F(OutboxStoreTest, TheWrittenObserverIsToldAfterTheCommit) {
  open_with_agencies();
  hook({timer("reply", -2, T("2025-03-27T01:00:00Z"))}, {"case.registered"});
  SQLite::Database observer_db = raw();
  std::vector<std::pair<int64_t, std::size_t>> told;  // committed events, timers written
  store_->set_case_written_observer([&](const CaseWriteEffects& written) {
    int64_t events = observer_db.execAndGet("SELECT COUNT(*) FROM events").getInt64();
    told.emplace_back(events, written.timers.size());
    EXPECT_EQ(written.notifications.size(), 1u);
  });
  Case c = create();
  const Case first = c;
  c = act(c, "review", T("2025-03-04T01:00:00Z"));
  EXPECT_EQ(told, (std::vector<std::pair<int64_t, std::size_t>>{{1, 1}, {2, 1}}));

  EXPECT_THROW(act(first, "accept", T("2025-03-05T01:00:00Z")), VersionConflict);
  EXPECT_EQ(told.size(), 2u);

  store_->batch([&] {
    c = act(c, "accept", T("2025-03-05T01:00:00Z"));
    c = act(c, "draft", T("2025-03-06T01:00:00Z"));
    EXPECT_EQ(told.size(), 2u);  // not yet committed
  });
  EXPECT_EQ(told, (std::vector<std::pair<int64_t, std::size_t>>{{1, 1}, {2, 1}, {4, 1}, {4, 1}}));

  store_->set_case_written_observer({});
  act(c, "approve", T("2025-03-07T01:00:00Z"));
  EXPECT_EQ(told.size(), 4u);
}

TEST_F(OutboxStoreTest, WithoutAHookCaseWritesLeaveTimersAndOutboxAlone) {
  open_with_agencies();
  store_->add_subscription(subscription());
  Case c = create();
  store_->replace_timers(c.id, 1, {timer("reply", -2, T("2025-03-27T01:00:00Z"))});
  act(c, "review", T("2025-03-04T01:00:00Z"));
  EXPECT_EQ(store_->pending_timers(c.id).size(), 1u);
  EXPECT_TRUE(outbox().empty());
}

TEST_F(OutboxStoreTest, AThrowingHookRollsTheWholeWriteBack) {
  open_with_agencies();
  store_->add_subscription(subscription());
  hook({timer("reply", -2, T("2025-03-27T01:00:00Z"))}, {"case.registered"});
  Case c = create();
  ASSERT_EQ(outbox().size(), 1u);

  store_->set_case_write_hook(
      [](const Case&, const Event&, const CaseWriteContext&) -> CaseWriteEffects {
        throw std::runtime_error("planner");
      });
  EXPECT_THROW(act(c, "review", T("2025-03-04T01:00:00Z")), std::runtime_error);
  EXPECT_EQ(store_->load_case(c.id)->version, 1);
  EXPECT_EQ(store_->history(c.id).size(), 1u);
  EXPECT_EQ(store_->pending_timers(c.id).size(), 1u);
  EXPECT_EQ(outbox().size(), 1u);
  EXPECT_THROW(create(), std::runtime_error);
  EXPECT_EQ(count("SELECT COUNT(*) FROM cases"), 1);
  EXPECT_TRUE(store_->verify_audit().ok);

  // The same write goes through once the hook is fixed.
  hook({}, {"case.transitioned"});
  act(c, "review", T("2025-03-04T01:00:00Z"));
  EXPECT_EQ(store_->load_case(c.id)->version, 2);
  EXPECT_TRUE(store_->pending_timers(c.id).empty());
  EXPECT_EQ(outbox().size(), 2u);
}

TEST_F(OutboxStoreTest, FanOutHonoursEnabledAgencyAndEventList) {
  open_with_agencies();
  int64_t every = store_->add_subscription(subscription()).id;
  int64_t zrzy = store_->add_subscription(subscription("zrzy")).id;
  store_->add_subscription(subscription("gov"));
  int64_t moves = store_->add_subscription(subscription({}, {"case.transitioned"})).id;
  store_->add_subscription(subscription({}, {"*"}, false));
  int64_t zrzy_moves =
      store_->add_subscription(subscription("zrzy", {"case.assigned", "case.transitioned"})).id;

  hook({}, {"case.registered"});
  Case c = create("zrzy");
  hook({}, {"case.transitioned"});
  act(c, "review", T("2025-03-04T01:00:00Z"));

  using Rows = std::vector<std::pair<int64_t, std::string>>;
  EXPECT_EQ(routed(), (Rows{{every, "case.registered"},
                            {zrzy, "case.registered"},
                            {every, "case.transitioned"},
                            {zrzy, "case.transitioned"},
                            {moves, "case.transitioned"},
                            {zrzy_moves, "case.transitioned"}}));

  // Disabling takes effect for the next write.
  Subscription off = *store_->find_subscription(zrzy);
  off.enabled = false;
  ASSERT_TRUE(store_->update_subscription(off));
  hook({}, {"case.registered"});
  create("gov");
  EXPECT_EQ(outbox(Filter().of_case(2)).size(), 2u);  // every + gov
}

TEST_F(OutboxStoreTest, MessageIdsAreStableUniqueAndCarriedByEveryRow) {
  open_with_agencies();
  store_->add_subscription(subscription());
  store_->add_subscription(subscription());
  hook({}, {"case.registered", "case.assigned"});
  Case c = create();
  hook({}, {"case.transitioned"});
  Case next = act(c, "review", T("2025-03-04T01:00:00Z"));
  store_->record_reminders(firing(next, "r:1:reply:1:-2", T("2025-03-27T01:00:00Z")));
  Subscription extra = store_->add_subscription(subscription());
  store_->enqueue(extra.id, 0, note("case.registered", T("2025-03-05T00:00:00Z")),
                  T("2025-03-05T00:00:00Z"));
  store_->enqueue(extra.id, 0, note("case.registered", T("2025-03-05T00:00:00Z")),
                  T("2025-03-05T00:00:00Z"));

  std::set<std::string> ids;
  for (const OutboxItem& item : outbox()) {
    EXPECT_EQ(item.message_id.size(), 36u) << item.message_id;
    EXPECT_EQ(item.message_id.rfind("msg_", 0), 0u) << item.message_id;
    EXPECT_EQ(item.message_id.find_first_not_of("0123456789abcdef", 4), std::string::npos);
    ids.insert(item.message_id);
  }
  EXPECT_EQ(ids.size(), 10u);  // 2×2 + 2 + 2 reminders + 2 by hand, all different

  // Claiming and retrying keep the id.
  OutboxItem first = outbox().at(0);
  store_->claim_outbox(T("2025-04-01T00:00:00Z"), T("2025-04-01T00:01:00Z"), 100);
  store_->mark_retry(first.id, 1, T("2025-04-01T00:05:00Z"), "HTTP 500");
  EXPECT_EQ(store_->find_outbox(first.id)->message_id, first.message_id);
}

// --- reminders and timers -------------------------------------------------------------------

TEST_F(OutboxStoreTest, RecordRemindersSendsEachLedgerKeyAtMostOnce) {
  open_with_agencies();
  store_->add_subscription(subscription());
  store_->add_subscription(subscription("zrzy", {"reminder.due_soon"}));
  store_->add_subscription(subscription({}, {"reminder.overdue"}));
  Case c = create();

  ReminderFiring f = firing(c, "r:1:reply:1:-2", T("2025-03-27T01:00:00Z"));
  EXPECT_EQ(store_->record_reminders(f), 1);
  EXPECT_EQ(outbox().size(), 2u);
  EXPECT_EQ(store_->record_reminders(f), 0);
  EXPECT_EQ(outbox().size(), 2u);
  EXPECT_EQ(store_->sent_reminders(c.id), (std::set<std::string>{"r:1:reply:1:-2"}));

  // One new key beside the old one: only the new one is queued.
  f.reminders.push_back({"r:1:reply:1:0", note("reminder.due_today", f.fired_at, c.id)});
  EXPECT_EQ(store_->record_reminders(f), 1);
  EXPECT_EQ(outbox(Filter().status(OutboxStatus::pending)).size(), 3u);
  EXPECT_EQ(count("SELECT COUNT(*) FROM reminder_ledger"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE event_seq IS NULL"), 3);
}

TEST_F(OutboxStoreTest, RecordRemindersOnAMovedCaseWritesNothing) {
  open_with_agencies();
  store_->add_subscription(subscription());
  Case c = create();
  store_->replace_timers(c.id, 1, {timer("reply", -2, T("2025-03-27T01:00:00Z"))});
  ReminderFiring stale = firing(c, "r:1:reply:1:-2", T("2025-03-27T01:00:00Z"));
  act(c, "review", T("2025-03-26T01:00:00Z"));

  try {
    store_->record_reminders(stale);
    ADD_FAILURE() << "expected VersionConflict";
  } catch (const VersionConflict& conflict) {
    EXPECT_EQ(conflict.case_id, c.id);
    EXPECT_EQ(conflict.current, 2);
  }
  EXPECT_TRUE(store_->sent_reminders(c.id).empty());
  EXPECT_TRUE(outbox().empty());
  EXPECT_EQ(store_->pending_timers(c.id).size(), 1u);
  EXPECT_THROW(store_->replace_timers(c.id, 1, {}), VersionConflict);
  EXPECT_EQ(store_->pending_timers(c.id).size(), 1u);
  stale.case_id = 99;
  EXPECT_THROW(store_->record_reminders(stale), StoreError);
}

TEST_F(OutboxStoreTest, FiringMarksDueTimersAndReplacesThePendingOnes) {
  open_with_agencies();
  Case c = create();
  PlannedTimer soon = timer("reply", -5, T("2025-03-24T01:00:00Z"));
  PlannedTimer later = timer("reply", -2, T("2025-03-27T01:00:00Z"));
  PlannedTimer expiry = timer("reply", 0, T("2025-03-31T16:00:00Z"), TimerPurpose::expiry);
  store_->replace_timers(c.id, 1, {later, soon, expiry});
  EXPECT_EQ(
      describe(store_->pending_timers(c.id)),
      (std::vector<std::string>{"reply/-5@2025-03-24T01:00:00Z", "reply/-2@2025-03-27T01:00:00Z",
                                "expiry:reply/0@2025-03-31T16:00:00Z"}));

  // Fired at 03-25: -5 is due and fired; the new plan keeps -2 and the expiry.
  ReminderFiring f = firing(c, "r:1:reply:1:-5", T("2025-03-25T00:00:00Z"), {later, expiry});
  store_->record_reminders(f);
  EXPECT_EQ(describe(store_->pending_timers(c.id)),
            (std::vector<std::string>{"reply/-2@2025-03-27T01:00:00Z",
                                      "expiry:reply/0@2025-03-31T16:00:00Z"}));
  EXPECT_EQ(count("SELECT COUNT(*) FROM timers WHERE fired_at = '2025-03-25T00:00:00Z'"), 1);

  // Planning the fired occurrence again at the same time does not arm it a second time …
  store_->replace_timers(c.id, 1, {soon, later});
  EXPECT_EQ(describe(store_->pending_timers(c.id)),
            (std::vector<std::string>{"reply/-2@2025-03-27T01:00:00Z"}));
  // … but at another time (the due date moved within the epoch) it is armed again.
  PlannedTimer moved = timer("reply", -5, T("2025-03-26T01:00:00Z"));
  store_->replace_timers(c.id, 1, {moved, later});
  EXPECT_EQ(
      describe(store_->pending_timers(c.id)),
      (std::vector<std::string>{"reply/-5@2025-03-26T01:00:00Z", "reply/-2@2025-03-27T01:00:00Z"}));
  // A new epoch is a new schedule.
  store_->replace_timers(
      c.id, 1, {timer("reply", -5, T("2025-03-24T01:00:00Z"), TimerPurpose::reminder, 2)});
  EXPECT_EQ(store_->pending_timers(c.id).at(0).epoch, 2);
  store_->replace_timers(c.id, 1, {});
  EXPECT_TRUE(store_->pending_timers(c.id).empty());
  EXPECT_FALSE(store_->next_timer_at());
}

TEST_F(OutboxStoreTest, NextTimerAndDueCasesComeEarliestFirst) {
  open_with_agencies();
  EXPECT_FALSE(store_->next_timer_at());
  EXPECT_TRUE(store_->cases_with_due_timers(T("2030-01-01T00:00:00Z"), 10).empty());
  Case a = create();
  Case b = create();
  Case c = create("gov");
  store_->replace_timers(a.id, 1,
                         {timer("reply", -2, T("2025-03-27T01:00:00Z")),
                          timer("reply", 0, T("2025-03-20T01:00:00Z"))});
  store_->replace_timers(b.id, 1, {timer("reply", -2, T("2025-03-10T01:00:00Z"))});
  store_->replace_timers(c.id, 1, {timer("reply", -2, T("2025-04-10T01:00:00Z"))});

  EXPECT_EQ(store_->next_timer_at(), T("2025-03-10T01:00:00Z"));
  using Ids = std::vector<CaseId>;
  EXPECT_EQ(store_->cases_with_due_timers(T("2025-03-09T00:00:00Z"), 10), Ids{});
  EXPECT_EQ(store_->cases_with_due_timers(T("2025-03-10T01:00:00Z"), 10), Ids{b.id});  // at = due
  EXPECT_EQ(store_->cases_with_due_timers(T("2025-03-28T00:00:00Z"), 10), (Ids{b.id, a.id}));
  EXPECT_EQ(store_->cases_with_due_timers(T("2025-05-01T00:00:00Z"), 10), (Ids{b.id, a.id, c.id}));
  EXPECT_EQ(store_->cases_with_due_timers(T("2025-05-01T00:00:00Z"), 2), (Ids{b.id, a.id}));
  EXPECT_EQ(store_->cases_with_due_timers(T("2025-05-01T00:00:00Z"), -1), Ids{});

  // Fired timers no longer count.
  ReminderFiring f;
  f.case_id = b.id;
  f.expected_version = 1;
  f.fired_at = T("2025-03-10T01:00:00Z");
  EXPECT_EQ(store_->record_reminders(f), 0);
  EXPECT_EQ(store_->next_timer_at(), T("2025-03-20T01:00:00Z"));
  EXPECT_EQ(store_->cases_with_due_timers(T("2025-05-01T00:00:00Z"), 10), (Ids{a.id, c.id}));
}

// --- the outbox -----------------------------------------------------------------------------

TEST_F(OutboxStoreTest, ClaimLeasesRowsUntilTheLeaseRunsOut) {
  open_with_agencies();
  int64_t sub = store_->add_subscription(subscription()).id;
  Case c = create();
  OutboxItem late = store_->enqueue(sub, c.id, note("case.registered", T("2025-03-03T02:00:00Z")),
                                    T("2025-03-03T02:02:00Z"));
  OutboxItem early = store_->enqueue(sub, 0, note("case.registered", T("2025-03-03T02:00:00Z")),
                                     T("2025-03-03T02:01:00Z"));
  OutboxItem tie = store_->enqueue(sub, 0, note("case.registered", T("2025-03-03T02:00:00Z")),
                                   T("2025-03-03T02:02:00Z"));
  EXPECT_EQ(late.case_id, c.id);
  EXPECT_EQ(late.next_attempt_at, T("2025-03-03T02:02:00Z"));
  EXPECT_EQ(store_->next_outbox_at(), T("2025-03-03T02:01:00Z"));
  EXPECT_EQ(store_->outbox_backlog(), 3);

  auto ids = [](const std::vector<OutboxItem>& items) {
    std::vector<int64_t> out;
    for (const OutboxItem& i : items) out.push_back(i.id);
    return out;
  };
  EXPECT_TRUE(
      store_->claim_outbox(T("2025-03-04T00:00:00Z"), T("2025-03-04T00:05:00Z"), -1).empty());
  // Not due yet.
  EXPECT_TRUE(
      store_->claim_outbox(T("2025-03-03T02:00:59Z"), T("2025-03-03T02:05:00Z"), 10).empty());
  // Oldest first, ties by id, at most `limit`.
  std::vector<OutboxItem> claimed =
      store_->claim_outbox(T("2025-03-03T02:03:00Z"), T("2025-03-03T02:08:00Z"), 2);
  EXPECT_EQ(ids(claimed), (std::vector<int64_t>{early.id, late.id}));
  EXPECT_EQ(claimed[0].next_attempt_at, T("2025-03-03T02:08:00Z"));
  EXPECT_EQ(claimed[0].first_attempt_at, T("2025-03-03T02:03:00Z"));
  EXPECT_EQ(claimed[0].notification.type, "case.registered");
  EXPECT_EQ(store_->find_outbox(early.id)->next_attempt_at, T("2025-03-03T02:08:00Z"));

  // Leased rows are not claimable again before the lease ends; the third one is.
  EXPECT_EQ(ids(store_->claim_outbox(T("2025-03-03T02:07:59Z"), T("2025-03-03T02:12:00Z"), 10)),
            std::vector<int64_t>{tie.id});
  EXPECT_EQ(store_->next_outbox_at(), T("2025-03-03T02:08:00Z"));
  // After the lease (a crashed dispatcher), they come back (now tied, so by id); the first
  // attempt time stays.
  claimed = store_->claim_outbox(T("2025-03-03T02:08:00Z"), T("2025-03-03T02:13:00Z"), 10);
  EXPECT_EQ(ids(claimed), (std::vector<int64_t>{late.id, early.id}));
  EXPECT_EQ(claimed[1].first_attempt_at, T("2025-03-03T02:03:00Z"));
  EXPECT_EQ(store_->find_outbox(late.id)->first_attempt_at, T("2025-03-03T02:03:00Z"));
  EXPECT_EQ(store_->outbox_backlog(), 3);  // leased rows are still pending
}

TEST_F(OutboxStoreTest, DeliveredRetryDeadAndReplay) {
  open_with_agencies();
  int64_t sub = store_->add_subscription(subscription()).id;
  auto queue = [&] {
    return store_
        ->enqueue(sub, 0, note("case.registered", T("2025-03-03T02:00:00Z")),
                  T("2025-03-03T02:00:00Z"))
        .id;
  };
  int64_t ok = queue(), flaky = queue(), doomed = queue();
  store_->claim_outbox(T("2025-03-03T02:00:00Z"), T("2025-03-03T02:05:00Z"), 10);

  store_->mark_delivered(ok, 1, T("2025-03-03T02:00:02Z"));
  OutboxItem delivered = *store_->find_outbox(ok);
  EXPECT_EQ(delivered.status, OutboxStatus::delivered);
  EXPECT_EQ(delivered.attempts, 1);
  EXPECT_EQ(delivered.delivered_at, T("2025-03-03T02:00:02Z"));

  store_->mark_retry(flaky, 1, T("2025-03-03T02:00:30Z"), "HTTP 503");
  OutboxItem retrying = *store_->find_outbox(flaky);
  EXPECT_EQ(retrying.status, OutboxStatus::pending);
  EXPECT_EQ(retrying.attempts, 1);
  EXPECT_EQ(retrying.next_attempt_at, T("2025-03-03T02:00:30Z"));
  EXPECT_EQ(retrying.last_error, "HTTP 503");
  EXPECT_EQ(store_->next_outbox_at(), T("2025-03-03T02:00:30Z"));

  store_->mark_dead(doomed, 3, "HTTP 404");
  OutboxItem dead = *store_->find_outbox(doomed);
  EXPECT_EQ(dead.status, OutboxStatus::dead);
  EXPECT_EQ(dead.attempts, 3);
  EXPECT_EQ(dead.last_error, "HTTP 404");
  EXPECT_EQ(store_->outbox_backlog(), 1);  // only the retrying one
  std::vector<OutboxItem> due =
      store_->claim_outbox(T("2025-03-10T00:00:00Z"), T("2025-03-10T00:05:00Z"), 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, flaky);
  EXPECT_EQ(due[0].first_attempt_at, T("2025-03-03T02:00:00Z"));

  // Late reports about finished rows change nothing.
  store_->mark_retry(ok, 2, T("2025-03-04T00:00:00Z"), "late");
  store_->mark_delivered(doomed, 4, T("2025-03-04T00:00:00Z"));
  EXPECT_EQ(store_->find_outbox(ok)->status, OutboxStatus::delivered);
  EXPECT_EQ(store_->find_outbox(doomed)->status, OutboxStatus::dead);
  store_->mark_delivered(flaky, 2, T("2025-03-10T00:00:03Z"));

  EXPECT_FALSE(store_->replay(ok, T("2025-03-11T00:00:00Z")));
  EXPECT_FALSE(store_->replay(flaky, T("2025-03-11T00:00:00Z")));
  EXPECT_FALSE(store_->replay(999, T("2025-03-11T00:00:00Z")));
  EXPECT_TRUE(store_->replay(doomed, T("2025-03-11T00:00:00Z")));
  OutboxItem replayed = *store_->find_outbox(doomed);
  EXPECT_EQ(replayed.status, OutboxStatus::pending);
  EXPECT_EQ(replayed.attempts, 0);
  EXPECT_FALSE(replayed.first_attempt_at);
  EXPECT_EQ(replayed.next_attempt_at, T("2025-03-11T00:00:00Z"));
  EXPECT_EQ(replayed.message_id, dead.message_id);
  due = store_->claim_outbox(T("2025-03-11T00:00:00Z"), T("2025-03-11T00:05:00Z"), 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, doomed);
  EXPECT_EQ(due[0].first_attempt_at, T("2025-03-11T00:00:00Z"));
}

TEST_F(OutboxStoreTest, ListOutboxFiltersAndPages) {
  open_with_agencies();
  int64_t a = store_->add_subscription(subscription()).id;
  int64_t b = store_->add_subscription(subscription("zrzy")).id;
  hook({}, {"case.registered"});
  Case c1 = create();  // rows 1 (a), 2 (b)
  Case c2 = create();  // rows 3 (a), 4 (b)
  store_->mark_dead(1, 1, "HTTP 410");
  store_->mark_delivered(4, 1, T("2025-03-03T03:00:00Z"));

  auto ids = [&](OutboxFilter f) {
    std::vector<int64_t> out;
    for (const OutboxItem& i : store_->list_outbox(f)) out.push_back(i.id);
    return out;
  };
  using Ids = std::vector<int64_t>;
  EXPECT_EQ(ids(Filter()), (Ids{1, 2, 3, 4}));
  EXPECT_EQ(ids(Filter().status(OutboxStatus::pending)), (Ids{2, 3}));
  EXPECT_EQ(ids(Filter().status(OutboxStatus::dead)), Ids{1});
  EXPECT_EQ(ids(Filter().subscription(b)), (Ids{2, 4}));
  EXPECT_EQ(ids(Filter().of_case(c2.id)), (Ids{3, 4}));
  EXPECT_EQ(ids(Filter().status(OutboxStatus::pending).subscription(a).of_case(c2.id)), Ids{3});
  EXPECT_EQ(ids(Filter().of_case(c1.id).limit(1)), Ids{1});
  EXPECT_EQ(ids(Filter().after(1).limit(2)), (Ids{2, 3}));
  EXPECT_EQ(ids(Filter().after(3).limit(2)), Ids{4});
  EXPECT_EQ(ids(Filter().after(4)), Ids{});
  EXPECT_THROW(store_->list_outbox(Filter().limit(0)), StoreError);
  EXPECT_FALSE(store_->find_outbox(99));
}

// --- subscriptions --------------------------------------------------------------------------

TEST_F(OutboxStoreTest, SubscriptionsRoundTripAndUpdate) {
  open_with_agencies();
  EXPECT_THROW(store_->add_subscription(subscription("nowhere")), StoreError);
  Subscription robot = subscription("zrzy", {"reminder.overdue", "case.auto_closed"});
  robot.kind = SubscriptionKind::dingtalk;
  Subscription added = store_->add_subscription(robot);
  EXPECT_GT(added.id, 0);
  EXPECT_GT(added.created_at, T("2020-01-01T00:00:00Z"));
  Subscription found = *store_->find_subscription(added.id);
  EXPECT_EQ(found.url, robot.url);
  EXPECT_EQ(found.kind, SubscriptionKind::dingtalk);
  EXPECT_EQ(found.secret, robot.secret);
  EXPECT_EQ(found.agency, std::optional<std::string>("zrzy"));
  EXPECT_EQ(found.events, robot.events);
  EXPECT_TRUE(found.enabled);
  EXPECT_EQ(found.description, "值班群");
  EXPECT_EQ(found.created_at, added.created_at);

  found.kind = SubscriptionKind::feishu;
  found.agency.reset();
  found.events = {"*"};
  found.enabled = false;
  found.url = "https://open.feishu.cn/open-apis/bot/v2/hook/x";
  found.created_at = T("2000-01-01T00:00:00Z");  // not replaced
  ASSERT_TRUE(store_->update_subscription(found));
  Subscription updated = *store_->find_subscription(added.id);
  EXPECT_EQ(updated.kind, SubscriptionKind::feishu);
  EXPECT_FALSE(updated.agency);
  EXPECT_EQ(updated.events, std::vector<std::string>{"*"});
  EXPECT_FALSE(updated.enabled);
  EXPECT_EQ(updated.url, found.url);
  EXPECT_EQ(updated.created_at, added.created_at);

  found.agency = "nowhere";
  EXPECT_THROW(store_->update_subscription(found), StoreError);
  found.id = 42;
  found.agency.reset();
  EXPECT_FALSE(store_->update_subscription(found));
  EXPECT_FALSE(store_->find_subscription(42));
  Subscription wecom = subscription();
  wecom.kind = SubscriptionKind::wecom;
  store_->add_subscription(wecom);
  std::vector<Subscription> all = store_->subscriptions();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].kind, SubscriptionKind::wecom);
}

TEST_F(OutboxStoreTest, RemovingASubscriptionDropsItsUndeliveredRowsAndKeepsHistory) {
  open_with_agencies();
  int64_t gone = store_->add_subscription(subscription()).id;
  int64_t kept = store_->add_subscription(subscription()).id;
  hook({}, {"case.registered"});
  create();  // rows 1 (gone), 2 (kept)
  create();  // rows 3 (gone), 4 (kept)
  create();  // rows 5 (gone), 6 (kept)
  store_->mark_delivered(1, 1, T("2025-03-03T03:00:00Z"));
  store_->mark_dead(3, 5, "HTTP 404");

  EXPECT_TRUE(store_->remove_subscription(gone));
  EXPECT_FALSE(store_->remove_subscription(gone));
  EXPECT_FALSE(store_->find_subscription(gone));
  std::vector<OutboxItem> rows = outbox();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].id, 1);
  EXPECT_EQ(rows[0].subscription_id, 0);  // delivered: kept, detached
  EXPECT_EQ(rows[0].status, OutboxStatus::delivered);
  for (size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(rows[i].subscription_id, kept);
  EXPECT_EQ(store_->outbox_backlog(), 3);

  create();
  EXPECT_EQ(outbox(Filter().of_case(4)).size(), 1u);
  EXPECT_THROW(store_->enqueue(gone, 0, note("case.registered", T("2025-03-03T02:00:00Z")),
                               T("2025-03-03T02:00:00Z")),
               StoreError);
  EXPECT_THROW(store_->enqueue(kept, 99, note("case.registered", T("2025-03-03T02:00:00Z")),
                               T("2025-03-03T02:00:00Z")),
               StoreError);
}

// --- durability -----------------------------------------------------------------------------

TEST_F(OutboxStoreTest, AReopenedFileKeepsEverything) {
  open_with_agencies();
  User u = store_->add_user(staff("李四", "handler", "zrzy", false, "139", "ls"));
  int64_t sub = store_->add_subscription(subscription("zrzy")).id;
  hook({timer("reply", -2, T("2025-03-27T01:00:00Z"))}, {"case.registered"});
  Case c = create();
  store_->record_reminders(firing(c, "r:1:reply:1:-5", T("2025-03-24T01:00:00Z"),
                                  {timer("reply", -2, T("2025-03-27T01:00:00Z"))}));
  std::vector<OutboxItem> claimed =
      store_->claim_outbox(T("2025-03-24T01:00:00Z"), T("2025-03-24T01:05:00Z"), 1);
  ASSERT_EQ(claimed.size(), 1u);
  store_->mark_retry(claimed[0].id, 1, T("2025-03-24T01:00:20Z"), "timeout");
  std::vector<OutboxItem> before = outbox();

  store_.reset();
  open();
  EXPECT_EQ(store_->find_user(u.id)->wecom_userid, "ls");
  EXPECT_EQ(store_->find_subscription(sub)->agency, std::optional<std::string>("zrzy"));
  EXPECT_EQ(store_->sent_reminders(c.id), (std::set<std::string>{"r:1:reply:1:-5"}));
  EXPECT_EQ(describe(store_->pending_timers(c.id)),
            std::vector<std::string>{"reply/-2@2025-03-27T01:00:00Z"});
  EXPECT_EQ(store_->next_timer_at(), T("2025-03-27T01:00:00Z"));
  std::vector<OutboxItem> after = outbox();
  ASSERT_EQ(after.size(), before.size());
  ASSERT_EQ(after.size(), 2u);
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].message_id, before[i].message_id);
    EXPECT_EQ(after[i].notification.type, before[i].notification.type);
    EXPECT_EQ(after[i].notification.timestamp, before[i].notification.timestamp);
    EXPECT_EQ(after[i].notification.data, before[i].notification.data);
    EXPECT_EQ(after[i].next_attempt_at, before[i].next_attempt_at);
    EXPECT_EQ(after[i].first_attempt_at, before[i].first_attempt_at);
    EXPECT_EQ(after[i].attempts, before[i].attempts);
    EXPECT_EQ(after[i].last_error, before[i].last_error);
  }
  EXPECT_EQ(after[0].last_error, "timeout");
  // The hook is not stored: a reopened store leaves timers alone until one is installed again.
  act(c, "review", T("2025-03-25T01:00:00Z"));
  EXPECT_EQ(store_->pending_timers(c.id).size(), 1u);
  EXPECT_EQ(outbox().size(), 2u);
}

}  // namespace
}  // namespace disclose
