#include "sqlite/sqlite_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "commit_hold.h"
#include "disclose/audit.h"
#include "disclose/case_json.h"
#include "sqlite/migrations.h"
#include "temp_dir.h"

namespace disclose {
namespace {
namespace json = boost::json;

Date D(const char* text) {
  return *Date::parse(text);
}
Instant T(const char* text) {
  return *parse_instant(text);
}

// A registered case as the engine would hand it over: no id, no number, version 1.
Case new_case(const std::string& agency, const char* received_on,
              const std::string& workflow = "gov-info-disclosure") {
  Case c;
  c.workflow = workflow;
  c.agency = agency;
  c.state = "registered";
  c.version = 1;
  c.registration.channel = "online";
  c.registration.received_on = D(received_on);
  c.registration.applicant = {
      "natural_person", "张三", "resident_id", "370302199001011234", "13800000000", "…", "", ""};
  c.registration.request.description = "2024年某地块征收补偿方案";
  Clock reply;
  reply.kind = "reply";
  reply.start = D(received_on);
  reply.working_days = 20;
  c.clocks.push_back(reply);
  c.last_dated_on = D(received_on);
  c.created_at = c.updated_at = T("2025-03-03T01:00:00Z");
  return c;
}

Event register_event(const Case& c) {
  Event e;
  e.seq = 1;
  e.type = "register";
  e.actor = "u:1";
  e.recorded_at = c.created_at;
  e.on = c.registration.received_on;
  e.to_state = "registered";
  e.input = {{"channel", "online"}};
  return e;
}

DeadlineView deadline(const std::string& kind, const char* due_on,
                      ClockStatus status = ClockStatus::running) {
  DeadlineView d;
  d.kind = kind;
  d.due_on = D(due_on);
  d.remaining_wd = 5;
  d.status = status;
  return d;
}

// The case after one more action, and the event that records it.
struct Step {
  Case next;
  Event event;
};

Step advance(const Case& current, const std::string& type, const std::string& to_state) {
  Step s{current, Event{}};
  s.next.version = current.version + 1;
  s.next.state = to_state;
  s.next.updated_at = current.updated_at + std::chrono::hours(1);
  s.event.case_id = current.id;
  s.event.seq = s.next.version;
  s.event.type = type;
  s.event.actor = "u:2";
  s.event.recorded_at = s.next.updated_at;
  s.event.from_state = current.state;
  s.event.to_state = to_state;
  s.event.input = {{"text", type + " of case " + std::to_string(current.id)}};
  return s;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (dir_ / "disclose.db").string();
    store_ = open_sqlite_store({path_});
  }
  void TearDown() override { store_.reset(); }

  // A second, raw connection to the same file, as an intruder (or a test) would use. It waits
  // for the store's writes as any other process must (tokens' last use is written behind).
  SQLite::Database raw() { return SQLite::Database(path_, SQLite::OPEN_READWRITE, 5000); }

  void add_agencies() {
    store_->add_agency({"zrzy", "区自然资源局", "自然资源"});
    store_->add_agency({"gov", "区政府办公室", ""});
  }

  Case create(const std::string& agency, const char* received_on,
              std::vector<DeadlineView> deadlines = {}) {
    Case c = new_case(agency, received_on);
    return store_->create_case(c, register_event(c), deadlines);
  }

  Case act(const Case& current, const std::string& type, const std::string& to_state,
           std::vector<DeadlineView> deadlines = {}) {
    Step s = advance(current, type, to_state);
    store_->append_event(s.next, s.event, current.version, deadlines);
    return s.next;
  }

  int64_t count(const std::string& table) {
    SQLite::Database db = raw();
    return db.execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
  }

  fixture::TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, MigrationsRunOnceAndReopeningIsANoOp) {
  add_agencies();
  store_.reset();
  store_ = open_sqlite_store({path_, "NORMAL"});
  store_.reset();
  store_ = open_sqlite_store({path_});
  EXPECT_EQ(store_->agencies().size(), 2u);

  SQLite::Database db = raw();
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM schema_migrations").getInt(),
            sqlite::latest_schema_version());
  EXPECT_EQ(db.execAndGet("SELECT MAX(version) FROM schema_migrations").getInt(),
            sqlite::latest_schema_version());
  EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
  for (const char* table : {"agencies", "users", "api_tokens", "case_counters", "cases", "events",
                            "deadlines", "calendar_years", "outbox", "idempotency_keys"}) {
    EXPECT_TRUE(db.tableExists(table)) << table;
  }
}

TEST_F(SqliteStoreTest, RefusesUnknownSynchronousModeAndNewerSchema) {
  EXPECT_THROW(open_sqlite_store({path_, "OFF; DROP TABLE cases"}), StoreError);
  {
    SQLite::Database db = raw();
    db.exec("INSERT INTO schema_migrations(version, applied_at) VALUES(99, 'later')");
  }
  EXPECT_THROW(open_sqlite_store({path_}), StoreError);
}

TEST_F(SqliteStoreTest, InMemoryDatabaseWorks) {
  auto memory = open_sqlite_store({":memory:"});
  memory->add_agency({"gov", "区政府办公室", ""});
  Case c = new_case("gov", "2025-03-03");
  EXPECT_EQ(memory->create_case(c, register_event(c), {}).number, "2025-gov-0001");
  EXPECT_TRUE(memory->verify_audit().ok);
}

// Reads inside read_together() see the database as of the first of them, whatever commits
// meanwhile on another thread; after it, the next read sees the new state. A scope inside one
// adds nothing (it does not end the outer snapshot).
TEST_F(SqliteStoreTest, ReadsTogetherSeeOneSnapshot) {
  add_agencies();
  Case registered = create("zrzy", "2025-03-03");
  {
    ReadTogether reads = store_->read_together();
    ASSERT_EQ(store_->load_case(registered.id)->version, 1);
    std::thread([&] { act(registered, "accept", "accepted"); }).join();
    {
      ReadTogether inner = store_->read_together();
      EXPECT_EQ(store_->load_case(registered.id)->version, 1);
    }
    EXPECT_EQ(store_->load_case(registered.id)->state, "registered");
    EXPECT_EQ(store_->history(registered.id).size(), 1u);
  }
  EXPECT_EQ(store_->load_case(registered.id)->version, 2);
  EXPECT_EQ(store_->history(registered.id).size(), 2u);
}

// Scopes of two stores on one thread: ending the inner one gives the outer store its snapshot
// back.
TEST_F(SqliteStoreTest, AnotherStoresScopeInsideLeavesThisOneOpen) {
  add_agencies();
  Case registered = create("zrzy", "2025-03-03");
  fixture::TempDir other_dir;
  auto other = open_sqlite_store({(other_dir / "other.db").string()});
  ReadTogether reads = store_->read_together();
  ASSERT_EQ(store_->load_case(registered.id)->version, 1);
  {
    ReadTogether other_reads = other->read_together();
    EXPECT_TRUE(other->agencies().empty());
  }
  std::thread([&] { act(registered, "accept", "accepted"); }).join();
  EXPECT_EQ(store_->load_case(registered.id)->version, 1);
}

// A private in-memory database reads on the writing connection: no scope there, every read sees
// the latest commit.
TEST(SqliteStoreInMemoryTest, ReadsTogetherAddNothing) {
  auto store = open_sqlite_store({":memory:"});
  store->add_agency({"zrzy", "区自然资源局", "自然资源"});
  Case c = new_case("zrzy", "2025-03-03");
  Case registered = store->create_case(c, register_event(c), {});
  ReadTogether reads = store->read_together();
  ASSERT_EQ(store->load_case(registered.id)->version, 1);
  Step accepted = advance(registered, "accept", "accepted");
  std::thread([&] { store->append_event(accepted.next, accepted.event, 1, {}); }).join();
  EXPECT_EQ(store->load_case(registered.id)->version, 2);
}

TEST_F(SqliteStoreTest, Agencies) {
  add_agencies();
  EXPECT_THROW(store_->add_agency({"zrzy", "duplicate", ""}), StoreError);
  EXPECT_THROW(store_->add_agency({"", "no code", ""}), StoreError);
  // Case numbers are YEAR-SHORT-NNNN: a second agency may not take a short name in use.
  EXPECT_THROW(store_->add_agency({"zrzy2", "another", "自然资源"}), StoreError);
  EXPECT_THROW(store_->add_agency({"gov2", "another", "gov"}), StoreError);
  std::vector<Agency> all = store_->agencies();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].code, "gov");
  EXPECT_EQ(all[0].short_name, "gov");  // defaults to the code
  EXPECT_EQ(all[1].short_name, "自然资源");
  EXPECT_EQ(store_->find_agency("zrzy")->name, "区自然资源局");
  EXPECT_FALSE(store_->find_agency("nope").has_value());
}

TEST_F(SqliteStoreTest, UsersAndTokens) {
  add_agencies();
  EXPECT_THROW(store_->add_user({0, "x", "handler", "nope", false, true, "", "", "", "", ""}),
               StoreError);
  EXPECT_THROW(store_->add_user({0, "x", "handler", "", false, true, "", "", "", "", ""}),
               StoreError);
  User ann = store_->add_user({0, "Ann", "handler", "zrzy", false, true, "", "", "", "", ""});
  User sup = store_->add_user({0, "Sup", "supervisor", "", true, true, "", "", "", "", ""});
  EXPECT_GT(ann.id, 0);
  EXPECT_NE(ann.id, sup.id);
  EXPECT_EQ(store_->find_user(ann.id)->agency, "zrzy");
  EXPECT_TRUE(store_->find_user(sup.id)->scope_all);
  EXPECT_EQ(store_->find_user(sup.id)->agency, "");
  EXPECT_FALSE(store_->find_user(999).has_value());
  EXPECT_THROW(store_->issue_token(999), StoreError);

  IssuedToken issued = store_->issue_token(ann.id);
  std::string token = issued.token;
  EXPECT_GT(issued.id, 0);
  ASSERT_EQ(token.size(), 4u + 64u);
  EXPECT_EQ(token.rfind("dsk_", 0), 0u);
  EXPECT_EQ(token.find_first_not_of("0123456789abcdef", 4), std::string::npos);
  IssuedToken another = store_->issue_token(ann.id);
  EXPECT_NE(another.token, token);
  EXPECT_NE(another.id, issued.id);

  {
    SQLite::Database db = raw();
    SQLite::Statement st(db, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?");
    st.bind(1, sha256_hex(token));
    st.executeStep();
    EXPECT_EQ(st.getColumn(0).getInt(), 1);
    // The token itself is nowhere in the row.
    SQLite::Statement leak(db,
                           "SELECT COUNT(*) FROM api_tokens WHERE instr(token_hash || created_at,"
                           " ?) > 0 OR last_used_at IS NOT NULL");
    leak.bind(1, token.substr(4));
    leak.executeStep();
    EXPECT_EQ(leak.getColumn(0).getInt(), 0);
  }

  std::optional<User> found = store_->user_by_token(token);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->id, ann.id);
  EXPECT_EQ(found->role, "handler");
  EXPECT_FALSE(store_->user_by_token(token + "0").has_value());
  EXPECT_FALSE(store_->user_by_token("dsk_" + std::string(64, '0')).has_value());
  EXPECT_FALSE(store_->user_by_token("").has_value());
  // The use is written behind the lookup; listing the tokens waits for it.
  EXPECT_TRUE(store_->tokens(ann.id).at(0).last_used_at.has_value());
  EXPECT_EQ(count("api_tokens WHERE last_used_at IS NOT NULL"), 1);

  EXPECT_TRUE(store_->revoke_token(ann.id, issued.id));
  EXPECT_FALSE(store_->user_by_token(token).has_value());
  EXPECT_TRUE(store_->user_by_token(another.token).has_value());

  std::string second = store_->issue_token(sup.id).token;
  EXPECT_TRUE(store_->user_by_token(second).has_value());
  raw().exec("UPDATE users SET active = 0 WHERE scope_all = 1");
  EXPECT_FALSE(store_->user_by_token(second).has_value());
}

// A token found once is kept with its user while nothing that could change what it finds has
// changed: any change to its user or to the token's row (by any process: triggers see them)
// makes the next lookup read again. Dropping a trigger shows that the kept user is what a
// known token gets.
TEST_F(SqliteStoreTest, AKnownTokensUserIsReadAgainAfterAnyChangeToUsersOrTokens) {
  add_agencies();
  User ann = store_->add_user({0, "安", "handler", "zrzy", false, true, "", "", "", "", ""});
  User bo = store_->add_user({0, "博", "handler", "zrzy", false, true, "", "", "", "", ""});
  IssuedToken issued = store_->issue_token(ann.id);
  ASSERT_EQ(store_->user_by_token(issued.token)->role, "handler");

  raw().exec("UPDATE users SET role = 'reviewer' WHERE id = " + std::to_string(ann.id));
  EXPECT_EQ(store_->user_by_token(issued.token)->role, "reviewer");
  raw().exec("UPDATE users SET agency = 'gov' WHERE id = " + std::to_string(bo.id));  // another
  EXPECT_EQ(store_->user_by_token(issued.token)->role, "reviewer");
  raw().exec("UPDATE api_tokens SET user_id = " + std::to_string(bo.id));
  EXPECT_EQ(store_->user_by_token(issued.token)->id, bo.id);
  raw().exec("UPDATE api_tokens SET revoked_at = '2026-01-01T00:00:00Z'");
  EXPECT_FALSE(store_->user_by_token(issued.token).has_value());
  raw().exec("UPDATE api_tokens SET revoked_at = NULL");
  EXPECT_EQ(store_->user_by_token(issued.token)->id, bo.id);
  raw().exec("DELETE FROM api_tokens");
  EXPECT_FALSE(store_->user_by_token(issued.token).has_value());

  IssuedToken again = store_->issue_token(ann.id);
  ASSERT_EQ(store_->user_by_token(again.token)->role, "reviewer");
  raw().exec("DROP TRIGGER users_updated_auth");
  raw().exec("UPDATE users SET role = 'auditor' WHERE id = " + std::to_string(ann.id));
  EXPECT_EQ(store_->user_by_token(again.token)->role, "reviewer");  // kept: nothing said otherwise
}

// The kept tokens are only as right as these triggers: a migration that rebuilds users or
// api_tokens must create them again.
TEST_F(SqliteStoreTest, EveryTriggerThatKeepsKnownTokensRightExists) {
  SQLite::Database db = raw();
  SQLite::Statement st(db,
                       "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                       " AND name LIKE '%\\_auth' ESCAPE '\\' ORDER BY name");
  std::vector<std::string> names;
  while (st.executeStep()) names.push_back(st.getColumn(0).getString());
  EXPECT_EQ(names, (std::vector<std::string>{"api_tokens_deleted_auth", "api_tokens_inserted_auth",
                                             "api_tokens_updated_auth", "users_deleted_auth",
                                             "users_inserted_auth", "users_updated_auth"}));
}

TEST_F(SqliteStoreTest, ATokensLastUseIsRecordedAtMostOnceAMinuteOnTheStoresClock) {
  const Instant start = *parse_instant("2026-03-02T01:00:00Z");
  FixedTimeSource clock(Moment{start, Date::parse("2026-03-02").value()});
  store_.reset();
  store_ = open_sqlite_store({path_, "FULL", &clock});
  add_agencies();
  User ann = store_->add_user({0, "Ann", "handler", "zrzy", false, true, "", "", "", "", ""});
  std::string token = store_->issue_token(ann.id).token;
  auto listed = [&] { return store_->tokens(ann.id).at(0); };
  EXPECT_EQ(listed().created_at, start);
  EXPECT_FALSE(listed().last_used_at.has_value());

  auto use_at = [&](std::chrono::seconds later) {
    clock.set(Moment{start + later, Date::parse("2026-03-02").value()});
    ASSERT_TRUE(store_->user_by_token(token).has_value());
  };
  use_at(std::chrono::seconds(0));
  EXPECT_EQ(listed().last_used_at, start);
  use_at(std::chrono::seconds(59));  // within the minute: not written again
  EXPECT_EQ(listed().last_used_at, start);
  use_at(std::chrono::seconds(60));
  EXPECT_EQ(listed().last_used_at, start + std::chrono::seconds(60));
  store_.reset();  // before the clock it was given goes
}

TEST_F(SqliteStoreTest, ATokenUseStillQueuedIsWrittenWhenTheStoreCloses) {
  add_agencies();
  User ann = store_->add_user({0, "Ann", "handler", "zrzy", false, true, "", "", "", "", ""});
  std::string token = store_->issue_token(ann.id).token;
  ASSERT_TRUE(store_->user_by_token(token).has_value());
  store_.reset();  // no flush by a reader: closing the store must write the queued touch
  EXPECT_EQ(count("api_tokens WHERE last_used_at IS NOT NULL"), 1);
}

TEST_F(SqliteStoreTest, CreateCaseAssignsNumbersPerAgencyPerYear) {
  add_agencies();
  Case a1 = create("zrzy", "2025-03-03", {deadline("reply", "2025-03-31")});
  Case a2 = create("zrzy", "2025-12-31");
  Case b1 = create("gov", "2025-05-05");
  Case a3 = create("zrzy", "2026-01-05");
  EXPECT_EQ(a1.number, "2025-自然资源-0001");
  EXPECT_EQ(a2.number, "2025-自然资源-0002");
  EXPECT_EQ(b1.number, "2025-gov-0001");
  EXPECT_EQ(a3.number, "2026-自然资源-0001");
  EXPECT_LT(a1.id, a2.id);
  EXPECT_GT(a1.id, 0);

  Case c = new_case("nope", "2025-03-03");
  EXPECT_THROW(store_->create_case(c, register_event(c), {}), StoreError);
  Case v2 = new_case("zrzy", "2025-03-03");
  v2.version = 2;
  EXPECT_THROW(store_->create_case(v2, register_event(v2), {}), StoreError);
  EXPECT_EQ(count("cases"), 4);

  std::optional<Case> loaded = store_->load_case(a1.id);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(to_json(*loaded), to_json(a1));
  EXPECT_FALSE(store_->load_case(999).has_value());

  std::vector<Event> history = store_->history(a1.id);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].case_id, a1.id);
  EXPECT_EQ(history[0].type, "register");
  EXPECT_EQ(history[0].prev_hash, genesis_hash());
  EXPECT_EQ(history[0].global_seq, 1);
  EXPECT_EQ(history[0].hash, chain_hash(genesis_hash(), event_body(history[0])));
  EXPECT_EQ(store_->history(a2.id)[0].global_prev_hash, history[0].global_hash);
  EXPECT_EQ(count("deadlines"), 1);
}

TEST_F(SqliteStoreTest, AppendEventChainsAndReplacesDeadlines) {
  add_agencies();
  Case c = create("zrzy", "2025-03-03", {deadline("reply", "2025-03-31")});
  Case other = create("gov", "2025-03-04", {deadline("reply", "2025-04-01")});
  c = act(c, "submit_review", "review");
  c = act(c, "request_correction", "awaiting_correction",
          {deadline("reply", "2025-03-31", ClockStatus::stopped),
           deadline("correction_window", "2025-03-25")});

  std::optional<Case> loaded = store_->load_case(c.id);
  EXPECT_EQ(loaded->version, 3);
  EXPECT_EQ(loaded->state, "awaiting_correction");
  EXPECT_EQ(loaded->number, "2025-自然资源-0001");

  std::vector<Event> h = store_->history(c.id);
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[2].seq, 3);
  EXPECT_EQ(h[2].from_state, "review");
  EXPECT_EQ(h[1].prev_hash, h[0].hash);
  EXPECT_EQ(h[2].prev_hash, h[1].hash);
  EXPECT_EQ(h[2].global_seq, 4);  // the other case's registration came in between

  SQLite::Database db = raw();
  SQLite::Statement st(
      db, "SELECT kind, status, due_on FROM deadlines WHERE case_id = ? ORDER BY kind");
  st.bind(1, c.id);
  std::vector<std::string> rows;
  while (st.executeStep()) {
    rows.push_back(st.getColumn(0).getString() + " " + st.getColumn(1).getString() + " " +
                   st.getColumn(2).getString());
  }
  EXPECT_EQ(rows, (std::vector<std::string>{"correction_window running 2025-03-25",
                                            "reply stopped 2025-03-31"}));
  // The other case's deadlines are untouched.
  EXPECT_EQ(count("deadlines WHERE case_id = " + std::to_string(other.id)), 1);

  // A write writes what changed in a row, whichever field it is (here only remaining_wd).
  DeadlineView window = deadline("correction_window", "2025-03-25");
  window.remaining_wd = 2;
  c = act(c, "note", "awaiting_correction",
          {deadline("reply", "2025-03-31", ClockStatus::stopped), window});
  EXPECT_EQ(count("deadlines WHERE case_id = " + std::to_string(c.id) +
                  " AND kind = 'correction_window' AND remaining_wd = 2"),
            1);
  EXPECT_EQ(count("deadlines WHERE case_id = " + std::to_string(c.id) +
                  " AND kind = 'reply' AND status = 'stopped' AND remaining_wd = 5"),
            1);

  AuditReport report = store_->verify_audit();
  EXPECT_TRUE(report.ok);
  EXPECT_EQ(report.events_checked, 5);
  EXPECT_EQ(report.cases_checked, 2);
  EXPECT_EQ(report.head_hash, store_->history(c.id).back().global_hash);
}

TEST_F(SqliteStoreTest, VersionConflictWritesNothing) {
  add_agencies();
  Case c = create("zrzy", "2025-03-03", {deadline("reply", "2025-03-31")});
  Step first = advance(c, "submit_review", "review");
  Step stale = advance(c, "withdraw", "closed");  // prepared from the same version
  store_->append_event(first.next, first.event, 1, {deadline("reply", "2025-03-31")});

  try {
    store_->append_event(stale.next, stale.event, 1, {});
    FAIL() << "stale write accepted";
  } catch (const VersionConflict& e) {
    EXPECT_EQ(e.case_id, c.id);
    EXPECT_EQ(e.current, 2);
  }
  EXPECT_EQ(count("events"), 2);
  EXPECT_EQ(count("deadlines"), 1);
  EXPECT_EQ(store_->load_case(c.id)->state, "review");

  // The event must be the next version of the case it claims to continue.
  Step skip = advance(first.next, "note", "review");
  skip.event.seq = 4;
  EXPECT_THROW(store_->append_event(skip.next, skip.event, 2, {}), StoreError);
  Step ghost = advance(first.next, "note", "review");
  ghost.next.id = ghost.event.case_id = 999;
  try {
    store_->append_event(ghost.next, ghost.event, 2, {});
    FAIL() << "append to a missing case accepted";
  } catch (const VersionConflict&) {
    FAIL() << "a missing case is not a version conflict";
  } catch (const StoreError&) {
  }
  EXPECT_EQ(count("events"), 2);
  EXPECT_TRUE(store_->verify_audit().ok);
}

// What an append_event_async callback was told: "" for a commit, else the error.
Store::Committed tell(std::promise<std::string>& outcome) {
  return [&outcome](std::exception_ptr error) {
    if (!error) return outcome.set_value("");
    try {
      std::rethrow_exception(error);
    } catch (const VersionConflict& e) {
      outcome.set_value("version conflict, now " + std::to_string(e.current));
    } catch (const std::exception& e) {
      outcome.set_value(e.what());
    }
  };
}

TEST_F(SqliteStoreTest, AsyncAppendsAreToldOnceCommittedAndALoserInTheGroupConflicts) {
  add_agencies();
  Case c = create("zrzy", "2025-03-03", {deadline("reply", "2025-03-31")});
  Step first = advance(c, "submit_review", "review");
  Step stale = advance(c, "withdraw", "closed");  // prepared from the same version
  // Both writes are prepared (each finds version 1) and queued before either commits; the
  // second then conflicts inside the group.
  std::promise<std::string> first_told, stale_told;
  fixture::while_commits_are_held(*store_, [&] {
    store_->append_event_async(first.next, first.event, 1, {deadline("reply", "2025-04-01")}, {},
                               tell(first_told));
    store_->append_event_async(stale.next, stale.event, 1, {}, {}, tell(stale_told));
    EXPECT_EQ(count("events"), 1);  // queued, not written
  });
  EXPECT_EQ(first_told.get_future().get(), "");
  EXPECT_EQ(stale_told.get_future().get(), "version conflict, now 2");
  EXPECT_EQ(count("events"), 2);
  EXPECT_EQ(store_->load_case(c.id)->state, "review");
  EXPECT_EQ(raw().execAndGet("SELECT due_on FROM deadlines").getString(), "2025-04-01");
  EXPECT_TRUE(store_->verify_audit().ok);
}

TEST_F(SqliteStoreTest, AnAsyncAppendAlreadyStaleIsRefusedBeforeItIsQueued) {
  add_agencies();
  Case c = create("zrzy", "2025-03-03");
  Step first = advance(c, "submit_review", "review");
  Step stale = advance(c, "withdraw", "closed");
  store_->append_event(first.next, first.event, 1, {});
  bool called = false;
  EXPECT_THROW(store_->append_event_async(stale.next, stale.event, 1, {}, {},
                                          [&](std::exception_ptr) { called = true; }),
               VersionConflict);
  store_.reset();  // the committing thread has finished whatever was queued
  EXPECT_FALSE(called);
  EXPECT_EQ(count("events"), 2);
}

// An async append of a case this store wrote last is prepared from what that write left (no
// reads back); what it stores must be what a write prepared from the database would store.
TEST_F(SqliteStoreTest, AsyncAppendsAfterThisStoresOwnWritesStoreWhatAFreshReadWould) {
  add_agencies();
  Case c = create("zrzy", "2025-03-03", {deadline("reply", "2025-03-31")});
  auto append = [&](const Step& s, std::vector<DeadlineView> deadlines) {
    std::promise<std::string> told;
    store_->append_event_async(s.next, s.event, s.next.version - 1, deadlines, {}, tell(told));
    return told.get_future().get();
  };
  auto rows = [&] {
    SQLite::Database db = raw();
    SQLite::Statement st(db,
                         "SELECT kind, status, due_on, remaining_wd FROM deadlines"
                         " WHERE case_id = ? ORDER BY kind");
    st.bind(1, c.id);
    std::vector<std::string> out;
    while (st.executeStep()) {
      out.push_back(st.getColumn(0).getString() + " " + st.getColumn(1).getString() + " " +
                    st.getColumn(2).getString() + " " + st.getColumn(3).getString());
    }
    return out;
  };

  Step review = advance(c, "request_correction", "awaiting_correction");
  ASSERT_EQ(append(review, {deadline("reply", "2025-03-31", ClockStatus::stopped),
                            deadline("correction_window", "2025-03-25")}),
            "");
  EXPECT_EQ(rows(), (std::vector<std::string>{"correction_window running 2025-03-25 5",
                                              "reply stopped 2025-03-31 5"}));
  // A row that changes in one field only, and a kind that is gone.
  Step received = advance(review.next, "correction_received", "review");
  DeadlineView window = deadline("correction_window", "2025-03-25");
  window.remaining_wd = 2;
  ASSERT_EQ(append(received, {window}), "");
  EXPECT_EQ(rows(), std::vector<std::string>{"correction_window running 2025-03-25 2"});
  // Columns that only some writes change (state, closed_on, assignee).
  Step assigned = advance(received.next, "assign", "review");
  assigned.next.assignee = "7";
  ASSERT_EQ(append(assigned, {window}), "");
  Step closed = advance(assigned.next, "withdraw", "closed");
  closed.next.closed_on = D("2025-03-20");
  ASSERT_EQ(append(closed, {}), "");
  EXPECT_EQ(rows(), std::vector<std::string>{});
  SQLite::Database db = raw();
  SQLite::Statement columns(db,
                            "SELECT state, closed_on, assignee, version FROM cases WHERE id = ?");
  columns.bind(1, c.id);
  ASSERT_TRUE(columns.executeStep());
  EXPECT_EQ(columns.getColumn(0).getString(), "closed");
  EXPECT_EQ(columns.getColumn(1).getString(), "2025-03-20");
  EXPECT_EQ(columns.getColumn(2).getString(), "7");
  EXPECT_EQ(columns.getColumn(3).getInt(), 5);
  EXPECT_EQ(count("cases WHERE state = 'closed' AND closed_on IS NOT NULL"), 1);  // the index

  std::vector<Event> h = store_->history(c.id);
  ASSERT_EQ(h.size(), 5u);
  for (size_t i = 1; i < h.size(); ++i) EXPECT_EQ(h[i].prev_hash, h[i - 1].hash) << i;
  EXPECT_TRUE(store_->verify_audit().ok);
}

// The write after this store's own write of a case is prepared from memory, not read back:
// shown here by changing a row behind the store's back without a new version (which none of the
// store's writers does), which such a write does not see.
TEST_F(SqliteStoreTest, AnAsyncAppendAfterThisStoresOwnWriteDoesNotReadTheCaseBack) {
  add_agencies();
  Case c = create("zrzy", "2025-03-03", {deadline("reply", "2025-03-31")});
  raw().exec("DELETE FROM deadlines");
  Step note = advance(c, "note", "registered");
  std::promise<std::string> told;
  store_->append_event_async(note.next, note.event, 1, {deadline("reply", "2025-03-31")}, {},
                             tell(told));
  ASSERT_EQ(told.get_future().get(), "");
  EXPECT_EQ(count("deadlines"), 0);  // taken as stored and unchanged, so not written again
  // A synchronous append reads the case back (and writes the row it finds missing).
  Step again = advance(note.next, "note", "registered");
  store_->append_event(again.next, again.event, 2, {deadline("reply", "2025-03-31")});
  EXPECT_EQ(count("deadlines"), 1);
}

// What this store remembers of its last write of a case is only used for a write that expects
// that very version: a write by someone else in between is read back, or conflicts.
TEST_F(SqliteStoreTest, AnAsyncAppendAfterAnotherWritersChangeReadsItOrConflicts) {
  add_agencies();
  Case c = create("zrzy", "2025-03-03", {deadline("reply", "2025-03-31")});
  auto append = [&](Store& store, const Step& s, int64_t expected,
                    std::vector<DeadlineView> deadlines) {
    std::promise<std::string> told;
    store.append_event_async(s.next, s.event, expected, deadlines, {}, tell(told));
    return told.get_future().get();
  };
  Step first = advance(c, "submit_review", "review");
  ASSERT_EQ(append(*store_, first, 1, {deadline("reply", "2025-03-31")}), "");

  // Another store (another process, say) moves the case on and changes its deadline.
  std::unique_ptr<Store> other = open_sqlite_store({path_});
  Step theirs = advance(first.next, "extend", "review");
  other->append_event(theirs.next, theirs.event, 2, {deadline("reply", "2025-04-30")});
  other.reset();

  // A write still expecting version 2 conflicts (inside its commit group)...
  Step stale = advance(first.next, "accept", "handling");
  try {
    EXPECT_EQ(append(*store_, stale, 2, {}), "version conflict, now 3");
  } catch (const VersionConflict& conflict) {  // (or before it is queued: either is right)
    EXPECT_EQ(conflict.current, 3);
  }
  // ...and one expecting version 3 chains to their event and sees their deadline row.
  Step ours = advance(theirs.next, "accept", "handling");
  ASSERT_EQ(append(*store_, ours, 3, {deadline("reply", "2025-04-30")}), "");
  EXPECT_EQ(raw().execAndGet("SELECT due_on FROM deadlines").getString(), "2025-04-30");
  EXPECT_EQ(store_->load_case(c.id)->state, "handling");
  std::vector<Event> h = store_->history(c.id);
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[3].prev_hash, h[2].hash);
  EXPECT_TRUE(store_->verify_audit().ok);
}

TEST_F(SqliteStoreTest, TriggersRefuseUpdateAndDeleteOfEvents) {
  add_agencies();
  create("zrzy", "2025-03-03");
  SQLite::Database db = raw();
  try {
    db.exec("UPDATE events SET actor = 'u:evil'");
    FAIL() << "update accepted";
  } catch (const SQLite::Exception& e) {
    EXPECT_NE(std::string(e.what()).find("append-only"), std::string::npos) << e.what();
  }
  try {
    db.exec("DELETE FROM events");
    FAIL() << "delete accepted";
  } catch (const SQLite::Exception& e) {
    EXPECT_NE(std::string(e.what()).find("append-only"), std::string::npos) << e.what();
  }
  EXPECT_EQ(count("events WHERE actor = 'u:1'"), 1);
}

class TamperTest : public SqliteStoreTest {
 protected:
  // Two cases, five events: a1 a2 b1 a3 b2 (global 1..5).
  void SetUp() override {
    SqliteStoreTest::SetUp();
    add_agencies();
    a_ = create("zrzy", "2025-03-03");
    a_ = act(a_, "submit_review", "review");
    b_ = create("gov", "2025-03-04");
    a_ = act(a_, "accept", "handling");
    b_ = act(b_, "submit_review", "review");
    ASSERT_TRUE(store_->verify_audit().ok);
    intruder_ = std::make_unique<SQLite::Database>(raw());
    intruder_->exec("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete");
  }
  void TearDown() override {
    intruder_.reset();
    SqliteStoreTest::TearDown();
  }

  void expect_break(int64_t global_seq, CaseId case_id, const std::string& words) {
    AuditReport report = store_->verify_audit();
    ASSERT_FALSE(report.ok);
    ASSERT_TRUE(report.first_break.has_value());
    EXPECT_EQ(report.first_break->global_seq, global_seq) << report.first_break->str();
    EXPECT_EQ(report.first_break->case_id, case_id) << report.first_break->str();
    EXPECT_NE(report.first_break->reason.find(words), std::string::npos)
        << report.first_break->str();
  }

  Case a_, b_;
  std::unique_ptr<SQLite::Database> intruder_;
};

TEST_F(TamperTest, EditedBodyIsNamed) {
  intruder_->exec(
      "UPDATE events SET body = replace(body, 'submit_review of', 'nothing of')"
      " WHERE global_seq = 2");
  expect_break(2, a_.id, "hash does not match the body");
}

TEST_F(TamperTest, EditedColumnIsNamed) {
  intruder_->exec("UPDATE events SET type = 'withdraw' WHERE global_seq = 4");
  expect_break(4, a_.id, "body names type");
}

TEST_F(TamperTest, RemovedLastEventIsNamed) {
  intruder_->exec("DELETE FROM events WHERE global_seq = 5");
  AuditReport report = store_->verify_audit();
  ASSERT_FALSE(report.ok);
  EXPECT_EQ(report.first_break->case_id, b_.id);
  EXPECT_NE(report.first_break->reason.find("events missing"), std::string::npos);
}

TEST_F(TamperTest, RemovedMiddleEventIsNamed) {
  intruder_->exec("DELETE FROM events WHERE global_seq = 2");
  expect_break(3, b_.id, "global_seq 3 follows 1");
}

TEST_F(TamperTest, DeletedCaseBreaksTheGlobalChain) {
  // Foreign keys are off on this connection unless asked for, as an intruder would leave them.
  intruder_->exec("DELETE FROM events WHERE case_id = " + std::to_string(b_.id));
  intruder_->exec("DELETE FROM deadlines WHERE case_id = " + std::to_string(b_.id));
  intruder_->exec("DELETE FROM cases WHERE id = " + std::to_string(b_.id));
  expect_break(4, a_.id, "global_seq 4 follows 2");
}

TEST_F(TamperTest, ACutTailWithItsCaseRowMendedIsCaughtOnlyByAnAnchor) {
  AuditReport before = store_->verify_audit();
  ASSERT_EQ(before.head_seq, 5);
  const AuditAnchor head{before.head_seq, before.head_hash};
  // The last event (b's second) goes, and b's row is set back to match: consistent on its own.
  intruder_->exec("DELETE FROM events WHERE global_seq = 5");
  intruder_->exec("UPDATE cases SET version = 1 WHERE id = " + std::to_string(b_.id));
  EXPECT_TRUE(store_->verify_audit().ok);

  AuditReport anchored = store_->verify_audit({head});
  ASSERT_FALSE(anchored.ok);
  EXPECT_EQ(anchored.first_break->global_seq, 5);
  EXPECT_NE(anchored.first_break->reason.find("the log ends at global_seq 4"), std::string::npos)
      << anchored.first_break->str();
}

TEST_F(TamperTest, AnchorsThatHoldAreCounted) {
  AuditReport report = store_->verify_audit();
  AuditReport anchored = store_->verify_audit(
      {{report.head_seq, report.head_hash}, {2, store_->history(a_.id).at(1).global_hash}});
  EXPECT_TRUE(anchored.ok);
  EXPECT_EQ(anchored.anchors_matched, 2);
  // A hash recorded wrongly (or from another database) is a break, named at its position.
  AuditReport wrong = store_->verify_audit({{2, std::string(64, 'f')}});
  ASSERT_FALSE(wrong.ok);
  EXPECT_EQ(wrong.first_break->global_seq, 2);
  EXPECT_NE(wrong.first_break->reason.find("differs from the anchor"), std::string::npos);
}

TEST_F(TamperTest, OrphanedEventsAreNamed) {
  intruder_->exec("DELETE FROM cases WHERE id = " + std::to_string(b_.id));
  AuditReport report = store_->verify_audit();
  ASSERT_FALSE(report.ok);
  EXPECT_EQ(report.first_break->case_id, b_.id);
  EXPECT_NE(report.first_break->reason.find("case row is missing"), std::string::npos);
}

TEST_F(SqliteStoreTest, ListCasesHonoursEveryFilter) {
  add_agencies();
  Case c1 = create("zrzy", "2025-03-03", {deadline("reply", "2025-03-31")});
  Case c2 = create("zrzy", "2025-03-04", {deadline("reply", "2025-04-30")});
  Case c3 = create("gov", "2025-03-05", {deadline("reply", "2025-03-20", ClockStatus::paused)});
  Case c4_new = new_case("gov", "2025-03-06", "public-data-open");
  Case c4 = store_->create_case(c4_new, register_event(c4_new),
                                {deadline("acceptance", "2025-03-10", ClockStatus::met)});
  // c2 is assigned and moves on; c1 closes (its deadline stops).
  Step s = advance(c2, "accept", "handling");
  s.next.assignee = "7";
  store_->append_event(s.next, s.event, 1, {deadline("reply", "2025-04-30")});
  Step close = advance(c1, "withdraw", "closed");
  close.next.closed_on = D("2025-03-10");
  store_->append_event(close.next, close.event, 1,
                       {deadline("reply", "2025-03-31", ClockStatus::stopped)});

  auto ids = [&](const CaseFilter& f) {
    std::vector<CaseId> out;
    for (const Case& c : store_->list_cases(f)) out.push_back(c.id);
    return out;
  };
  using Ids = std::vector<CaseId>;
  EXPECT_EQ(ids({}), (Ids{c1.id, c2.id, c3.id, c4.id}));

  CaseFilter f;
  f.state = "handling";
  EXPECT_EQ(ids(f), Ids{c2.id});
  f = {};
  f.agency = "gov";
  EXPECT_EQ(ids(f), (Ids{c3.id, c4.id}));
  f = {};
  f.workflow = "public-data-open";
  EXPECT_EQ(ids(f), Ids{c4.id});
  f = {};
  f.assignee = "7";
  EXPECT_EQ(ids(f), Ids{c2.id});
  f.assignee = "";
  EXPECT_EQ(ids(f), (Ids{c1.id, c3.id, c4.id}));
  f = {};
  f.open_only = true;
  EXPECT_EQ(ids(f), (Ids{c2.id, c3.id, c4.id}));

  // Overdue on 2025-04-01: c3 (paused, due 03-20). c1 is stopped, c4 met, c2 not yet due.
  f = {};
  f.overdue_on = D("2025-04-01");
  EXPECT_EQ(ids(f), Ids{c3.id});
  f.overdue_on = D("2025-05-01");
  EXPECT_EQ(ids(f), (Ids{c2.id, c3.id}));
  f.overdue_on = D("2025-03-20");  // due that day is not yet overdue
  EXPECT_EQ(ids(f), Ids{});
  f.agency = "zrzy";
  f.overdue_on = D("2025-05-01");
  EXPECT_EQ(ids(f), Ids{c2.id});

  // Pagination by id.
  f = {};
  f.limit = 2;
  EXPECT_EQ(ids(f), (Ids{c1.id, c2.id}));
  f.after_id = c2.id;
  EXPECT_EQ(ids(f), (Ids{c3.id, c4.id}));
  f.limit = 0;
  EXPECT_EQ(ids(f), Ids{});

  // A filter value is data, never SQL.
  f = {};
  f.state = "x' OR '1'='1";
  EXPECT_EQ(ids(f), Ids{});

  std::vector<Case> listed = store_->list_cases({});
  EXPECT_EQ(listed[1].assignee, "7");
  EXPECT_EQ(listed[0].closed_on, D("2025-03-10"));
}

TEST_F(SqliteStoreTest, CalendarYearsRoundTripAndReplaceByYear) {
  CalendarYear y2025{
      2025, "1", "国办发明电〔2024〕12号", {D("2025-01-01"), D("2025-01-28")}, {D("2025-01-26")},
      true};
  CalendarYear y2026{2026, "1", "holiday-cn", {D("2026-01-01")}, {}, false};
  store_->save_calendar_years({y2026, y2025});
  std::vector<CalendarYear> years = store_->calendar_years();
  ASSERT_EQ(years.size(), 2u);
  EXPECT_EQ(years[0].year, 2025);
  EXPECT_EQ(years[0].source, "国办发明电〔2024〕12号");
  EXPECT_EQ(years[0].off_days, y2025.off_days);
  EXPECT_EQ(years[0].work_days, y2025.work_days);
  EXPECT_TRUE(years[0].official);
  EXPECT_FALSE(years[1].official);
  EXPECT_TRUE(years[1].work_days.empty());

  y2026.version = "2";
  y2026.official = true;
  store_->save_calendar_years({y2026});
  years = store_->calendar_years();
  ASSERT_EQ(years.size(), 2u);
  EXPECT_EQ(years[1].version, "2");
  EXPECT_TRUE(years[1].official);
}

}  // namespace
}  // namespace disclose

namespace disclose {
namespace {

// Many threads writing at once (as the server's handler threads do): every write that returned
// is stored, the chains stay whole, and a write that lost a race on one case gets its conflict
// while the writes it shared a commit with are unaffected.
TEST_F(SqliteStoreTest, ConcurrentWritersAllLandAndTheChainStaysWhole) {
  add_agencies();
  constexpr int kThreads = 8;
  constexpr int kCasesPerThread = 12;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> writers;
  std::vector<std::vector<Case>> created(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kCasesPerThread; ++i) {
        Case c = create(t % 2 ? "zrzy" : "gov", "2025-03-03");
        c = act(c, "submit_review", "review");
        // Two moves prepared from the same version: exactly one may land.
        Step first = advance(c, "accept", "handling");
        Step second = advance(c, "withdraw", "closed");
        store_->append_event(first.next, first.event, c.version, {});
        try {
          store_->append_event(second.next, second.event, c.version, {});
        } catch (const VersionConflict&) {
          ++conflicts;
        }
        created[t].push_back(first.next);
        // Reads on other connections see what was committed.
        EXPECT_EQ(store_->load_case(c.id)->state, "handling");
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(conflicts.load(), kThreads * kCasesPerThread);
  EXPECT_EQ(count("cases"), kThreads * kCasesPerThread);
  EXPECT_EQ(count("events"), kThreads * kCasesPerThread * 3);
  for (const auto& cases : created)
    for (const Case& c : cases) EXPECT_EQ(store_->history(c.id).size(), 3u);
  AuditReport report = store_->verify_audit();
  EXPECT_TRUE(report.ok) << (report.first_break ? report.first_break->reason : "");
  // Case numbers stay unique and gapless per agency.
  EXPECT_EQ(count("cases WHERE agency = 'zrzy'"), kThreads / 2 * kCasesPerThread);
  SQLite::Database db = raw();
  EXPECT_EQ(db.execAndGet("SELECT COUNT(DISTINCT number) FROM cases").getInt64(),
            kThreads * kCasesPerThread);
}

// --- batches (Store::batch) ---------------------------------------------------------------

TEST_F(SqliteStoreTest, BatchCommitsItsWritesTogetherAndSeesThemMeanwhile) {
  add_agencies();
  Case before = create("gov", "2025-03-03");
  std::vector<CaseId> ids;
  store_->batch([&] {
    for (int i = 0; i < 5; ++i) {
      Case c = create("zrzy", "2025-03-04");
      c = act(c, "submit_review", "review");
      ids.push_back(c.id);
    }
    // Reads inside the batch see its writes; another connection does not, until it commits.
    EXPECT_EQ(store_->load_case(ids.back())->state, "review");
    EXPECT_EQ(store_->history(ids.back()).size(), 2u);
    EXPECT_EQ(count("cases"), 1);
  });
  EXPECT_EQ(count("cases"), 6);
  EXPECT_EQ(count("events"), 11);
  EXPECT_EQ(store_->load_case(ids.front())->number, "2025-自然资源-0001");
  EXPECT_EQ(store_->load_case(before.id)->version, 1);
  EXPECT_TRUE(store_->verify_audit().ok);
}

TEST_F(SqliteStoreTest, AFailingWriteInABatchRollsBackAloneAndAThrowRollsBackAll) {
  add_agencies();
  Case c = create("gov", "2025-03-03");
  store_->batch([&] {
    Case moved = act(c, "submit_review", "review");
    // A stale version: refused, and only this write is undone.
    Step stale = advance(c, "withdraw", "closed");
    EXPECT_THROW(store_->append_event(stale.next, stale.event, c.version, {}), VersionConflict);
    EXPECT_THROW(create("nowhere", "2025-03-03"), StoreError);
    act(moved, "accept", "handling");
  });
  EXPECT_EQ(store_->load_case(c.id)->state, "handling");
  EXPECT_EQ(count("events"), 3);

  struct Abandon {};
  EXPECT_THROW(store_->batch([&] {
    create("gov", "2025-03-05");
    act(*store_->load_case(c.id), "note", "handling");
    throw Abandon{};
  }),
               Abandon);
  EXPECT_EQ(count("cases"), 1);
  EXPECT_EQ(count("events"), 3);
  EXPECT_THROW(store_->batch([&] { store_->batch([] {}); }), StoreError);
  EXPECT_EQ(count("cases"), 1);
  EXPECT_TRUE(store_->verify_audit().ok);
}

TEST_F(SqliteStoreTest, BatchOnAnInMemoryDatabaseReadsWithoutDeadlock) {
  auto memory = open_sqlite_store({":memory:"});
  memory->add_agency({"gov", "区政府办公室", ""});
  memory->batch([&] {
    Case c = new_case("gov", "2025-03-03");
    Case stored = memory->create_case(c, register_event(c), {});
    EXPECT_EQ(memory->load_case(stored.id)->number, "2025-gov-0001");
  });
  EXPECT_EQ(memory->list_cases({}).size(), 1u);
}

// --- the annual report's view of the cases ------------------------------------------------

TEST_F(SqliteStoreTest, ReportCasesComeFromColumnsAndSkipCasesThatCannotCount) {
  add_agencies();
  auto close = [&](Case c, const char* on, const std::string& determination) {
    Step s = advance(c, "record_delivery", "closed");
    s.next.closed_on = D(on);
    s.next.outcome = Outcome{determination, "条例第二十七条", ""};
    store_->append_event(s.next, s.event, c.version, {});
    return s.next;
  };
  Case long_closed = close(create("gov", "2022-03-01"), "2022-04-01", "disclosed");
  Case closed_last_year = close(create("gov", "2024-05-06"), "2024-06-01", "partial");
  Case open_old = create("gov", "2023-12-01");
  Case this_year = create("zrzy", "2025-02-03");
  Case next_year = create("gov", "2026-01-05");
  // Closed long ago, but a lawsuit this year counts in table 四 of this year.
  Case sued = create("gov", "2021-06-01");
  {
    Step s = advance(close(sued, "2021-07-01", "not_held"), "record_remedy", "closed");
    s.next.remedies = {Remedy{D("2025-03-01"), "suit_direct", "pending"}};
    s.next.fees = {Fee{D("2021-06-20"), "per_page", 120, true}};
    store_->append_event(s.next, s.event, s.next.version - 1, {});
  }
  Case other_workflow = store_->create_case(new_case("gov", "2025-01-06", "public-data-open"),
                                            register_event(new_case("gov", "2025-01-06")), {});

  auto ids = [&](const std::string& agency) {
    std::vector<CaseId> seen;
    store_->for_each_report_case("gov-info-disclosure", agency, 2025, [&](const ReportCase& c) {
      seen.push_back(c.id);
      if (c.id == closed_last_year.id) {
        EXPECT_EQ(c.determination, "partial");
        EXPECT_EQ(c.closed_on, D("2024-06-01"));
        EXPECT_EQ(c.applicant_kind, "natural_person");
        EXPECT_EQ(c.number, closed_last_year.number);
        EXPECT_EQ(c.received_on, D("2024-05-06"));
      }
      if (c.id == sued.id) {
        ASSERT_EQ(c.remedies.size(), 1u);
        EXPECT_EQ(c.remedies[0].kind, "suit_direct");
        ASSERT_EQ(c.fees.size(), 1u);
        EXPECT_EQ(c.fees[0].amount_yuan, 120);
      }
      if (c.id == open_old.id) {
        EXPECT_FALSE(c.closed_on);
      }
    });
    return seen;
  };
  // Oldest received first.
  EXPECT_EQ(ids(""),
            (std::vector<CaseId>{sued.id, open_old.id, closed_last_year.id, this_year.id}));
  EXPECT_EQ(ids("zrzy"), std::vector<CaseId>{this_year.id});
  (void)long_closed;
  (void)next_year;
  (void)other_workflow;
}

TEST_F(SqliteStoreTest, MigrationFiveBackfillsTheReportColumns) {
  // A database at schema 4 with a case written before the columns existed.
  store_.reset();
  std::filesystem::remove(path_);
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    sqlite::migrate(db, 4);
    db.exec("INSERT INTO agencies VALUES('gov', '区政府办公室', 'gov')");
    Case c = new_case("gov", "2024-03-01");
    c.id = 1;
    c.number = "2024-gov-0001";
    c.registration.applicant.kind = "commercial";
    c.outcome = Outcome{"disclosed", "", ""};
    c.closed_on = D("2024-03-20");
    c.remedies = {Remedy{D("2025-01-02"), "review", "upheld"}};
    SQLite::Statement st(db,
                         "INSERT INTO cases(id, number, workflow, agency, state, version,"
                         " received_on, closed_on, doc, created_at, updated_at)"
                         " VALUES(1, ?, 'gov-info-disclosure', 'gov', 'closed', 1, '2024-03-01',"
                         " '2024-03-20', ?, 'x', 'x')");
    st.bind(1, c.number);
    st.bind(2, json::serialize(to_json(c)));
    st.exec();
    db.exec(
        "INSERT INTO cases(id, number, workflow, agency, state, version, received_on, doc,"
        " created_at, updated_at) SELECT 2, '2024-gov-0002', workflow, agency, 'registered', 1,"
        " '2024-04-01', json_remove(doc, '$.remedies', '$.fees', '$.outcome'), 'x', 'x'"
        " FROM cases WHERE id = 1");
  }
  store_ = open_sqlite_store({path_});
  std::vector<ReportCase> seen;
  store_->for_each_report_case("gov-info-disclosure", "", 2025,
                               [&](const ReportCase& c) { seen.push_back(c); });
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].applicant_kind, "commercial");
  EXPECT_EQ(seen[0].determination, "disclosed");
  ASSERT_EQ(seen[0].remedies.size(), 1u);
  EXPECT_EQ(seen[0].remedies[0].on, D("2025-01-02"));
  EXPECT_EQ(seen[0].remedies[0].result, "upheld");
  EXPECT_TRUE(seen[0].fees.empty());
  EXPECT_EQ(seen[1].determination, "");
  EXPECT_TRUE(seen[1].remedies.empty());
  SQLite::Database db = raw();
  EXPECT_TRUE(db.execAndGet("SELECT remedies_fees FROM cases WHERE id = 2").isNull());
}

}  // namespace
}  // namespace disclose
