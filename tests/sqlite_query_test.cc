// The SQLite store's API-facing additions: case filters, sorts and keyset pages, idempotency
// records written with their action, tokens and users, the schema 2 migration and /metrics
// figures.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <filesystem>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "disclose/audit.h"
#include "disclose/case_json.h"
#include "disclose/time_source.h"
#include "sqlite/migrations.h"
#include "sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace disclose {
namespace {
namespace json = boost::json;
using Ids = std::vector<CaseId>;

static_assert(std::is_base_of_v<StoreError, IdempotencyConflict>,
              "callers that handle StoreError also handle a taken key");

Date D(const char* text) {
  return *Date::parse(text);
}

// A registered case as the engine hands it over: no id, no number, version 1.
Case new_case(const std::string& agency, const char* received_on, const std::string& applicant,
              const std::string& description, const std::string& workflow = "gov-info-disclosure") {
  Case c;
  c.workflow = workflow;
  c.agency = agency;
  c.state = "registered";
  c.version = 1;
  c.registration.channel = "online";
  c.registration.received_on = D(received_on);
  c.registration.applicant.kind = "natural_person";
  c.registration.applicant.name = applicant;
  c.registration.request.description = description;
  c.last_dated_on = D(received_on);
  c.created_at = c.updated_at = *parse_instant("2025-03-03T01:00:00Z");
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
  return e;
}

DeadlineView deadline(const std::string& kind, const char* due_on,
                      ClockStatus status = ClockStatus::running) {
  DeadlineView d;
  d.kind = kind;
  d.due_on = D(due_on);
  d.status = status;
  return d;
}

struct Step {
  Case next;
  Event event;
};

// The case after one more action, and the event that records it.
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
  return s;
}

// The response an API handler would remember: it names the stored case.
IdempotencyBuilder remember(const std::string& scope, const std::string& key,
                            const std::string& fingerprint = "fp") {
  return [=](const Case& stored) {
    return IdempotencyRecord{
        scope, key, fingerprint, 201,
        json::serialize(json::object{
            {"id", stored.id}, {"number", stored.number}, {"version", stored.version}})};
  };
}

// Hand-made cursors, to feed the store ones it never issued.
std::string base64url(std::string_view bytes) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3F];
  return out;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = (dir_ / "disclose.db").string(); }
  void TearDown() override { store_.reset(); }

  void open() { store_ = open_sqlite_store({path_}); }

  // A second, raw connection to the same file.
  SQLite::Database raw() { return SQLite::Database(path_, SQLite::OPEN_READWRITE); }

  int64_t count(const std::string& table) {
    SQLite::Database db = raw();
    return db.execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
  }

  void add_agencies() {
    store_->add_agency({"zrzy", "区自然资源局", "自然资源"});
    store_->add_agency({"gov", "区政府办公室", ""});
  }

  Case create(const Case& c, std::vector<DeadlineView> deadlines = {},
              const IdempotencyBuilder& builder = {}) {
    return store_->create_case(c, register_event(c), deadlines, builder);
  }

  fixture::TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

// Six cases with ties in received_on and in due dates, two without a running due date.
//
//        agency received  applicant        state       due (running/paused)
//   c1   zrzy   03-03     张三             registered  03-31
//   c2   zrzy   03-03     李四             handling    03-20 (paused), assignee 7
//   c3   gov    03-05     O'Brien          registered  —
//   c4   gov    03-03     北京某某科技…    registered  03-20 (a stopped clock due 03-10 too)
//   c5   zrzy   03-07     赵六 (public-data-open)  closed 03-12, clock met
//   c6   gov    03-05     张三丰           registered  03-25 and 03-31
class CaseQueryTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    open();
    add_agencies();
    c1_ = create(new_case("zrzy", "2025-03-03", "张三", "2024年某地块征收补偿方案"),
                 {deadline("reply", "2025-03-31")});
    Case c2 = create(new_case("zrzy", "2025-03-03", "李四", "完成率100%_报告"),
                     {deadline("reply", "2025-03-20")});
    c3_ = create(new_case("gov", "2025-03-05", "O'Brien", "申请人称\"公开\"的文件"));
    c4_ = create(new_case("gov", "2025-03-03", "北京某某科技有限公司", "关于征收土地的文件"),
                 {deadline("reply", "2025-03-20"),
                  deadline("correction_window", "2025-03-10", ClockStatus::stopped)});
    Case c5 =
        create(new_case("zrzy", "2025-03-07", "赵六", "数据开放 100 percent", "public-data-open"),
               {deadline("acceptance", "2025-03-10")});
    c6_ = create(new_case("gov", "2025-03-05", "张三丰", "路径 C:\\data"),
                 {deadline("reply", "2025-03-31"), deadline("extension_notice", "2025-03-25")});

    Step accept = advance(c2, "accept", "handling");
    accept.next.assignee = "7";
    store_->append_event(accept.next, accept.event, 1,
                         {deadline("reply", "2025-03-20", ClockStatus::paused)});
    c2_ = accept.next;
    Step close = advance(c5, "withdraw", "closed");
    close.next.closed_on = D("2025-03-12");
    store_->append_event(close.next, close.event, 1,
                         {deadline("acceptance", "2025-03-10", ClockStatus::met)});
    c5_ = close.next;
  }

  Ids listed(const CaseFilter& filter) {
    Ids out;
    for (const Case& c : store_->list_cases(filter)) out.push_back(c.id);
    return out;
  }

  // Every case the filter selects, page by page through query_cases.
  Ids paged(CaseFilter filter, int limit) {
    filter.limit = limit;
    filter.cursor.clear();
    Ids out;
    for (int pages = 1;; ++pages) {
      CasePage page = store_->query_cases(filter);
      EXPECT_LE(page.cases.size(), static_cast<size_t>(limit));
      for (const Case& c : page.cases) out.push_back(c.id);
      if (page.next_cursor.empty()) break;
      // Only a full page may promise another one.
      EXPECT_EQ(page.cases.size(), static_cast<size_t>(limit));
      if (pages > 50) {
        ADD_FAILURE() << "paging does not end";
        break;
      }
      filter.cursor = page.next_cursor;
    }
    return out;
  }

  // list_cases and query_cases with every page size agree on `expected`, in order.
  void expect_cases(const CaseFilter& filter, const Ids& expected) {
    EXPECT_EQ(listed(filter), expected) << "list_cases, sort " << filter.sort;
    for (int limit : {1, 2, 3, 100}) {
      EXPECT_EQ(paged(filter, limit), expected)
          << "query_cases, limit " << limit << ", sort " << filter.sort;
    }
  }

  Case c1_, c2_, c3_, c4_, c5_, c6_;
};

TEST_F(CaseQueryTest, EachFilterAlone) {
  CaseFilter f;
  expect_cases(f, {c1_.id, c2_.id, c3_.id, c4_.id, c5_.id, c6_.id});
  f.state = "handling";
  expect_cases(f, {c2_.id});
  f = {};
  f.agency = "gov";
  expect_cases(f, {c3_.id, c4_.id, c6_.id});
  f = {};
  f.workflow = "public-data-open";
  expect_cases(f, {c5_.id});
  f = {};
  f.assignee = "7";
  expect_cases(f, {c2_.id});
  f = {};
  f.open_only = true;
  expect_cases(f, {c1_.id, c2_.id, c3_.id, c4_.id, c6_.id});
  f = {};
  f.after_id = c4_.id;
  expect_cases(f, {c5_.id, c6_.id});
  f.until_id = c5_.id;
  expect_cases(f, {c5_.id});
  f = {};
  f.until_id = c2_.id;
  f.agency = "zrzy";
  expect_cases(f, {c1_.id, c2_.id});

  // Overdue: due strictly before the day; stopped and met clocks never count.
  f = {};
  f.overdue_on = D("2025-03-20");
  expect_cases(f, {});
  f.overdue_on = D("2025-03-21");
  expect_cases(f, {c2_.id, c4_.id});

  // Due on or before: the day itself counts; c4's stopped clock due 03-10 does not.
  f = {};
  f.due_on_or_before = D("2025-03-19");
  expect_cases(f, {});
  f.due_on_or_before = D("2025-03-20");
  expect_cases(f, {c2_.id, c4_.id});
  f.due_on_or_before = D("2025-03-25");
  expect_cases(f, {c2_.id, c4_.id, c6_.id});
  f.due_on_or_before = D("2025-12-31");
  expect_cases(f, {c1_.id, c2_.id, c4_.id, c6_.id});
}

TEST_F(CaseQueryTest, TextMatchesSubstringsOfNameDescriptionAndNumber) {
  auto text = [](const std::string& t) {
    CaseFilter f;
    f.text = t;
    return f;
  };
  // Chinese substrings, anywhere in the field.
  expect_cases(text("征收"), {c1_.id, c4_.id});              // descriptions
  expect_cases(text("张三"), {c1_.id, c6_.id});              // 张三 and 张三丰
  expect_cases(text("三丰"), {c6_.id});                      // the end of a name
  expect_cases(text("科技"), {c4_.id});                      // inside an organisation's name
  expect_cases(text("自然资源"), {c1_.id, c2_.id, c5_.id});  // the agency part of the number
  expect_cases(text("2025-自然资源-0002"), {c2_.id});        // a whole case number
  expect_cases(text("0002"), {c2_.id, c4_.id});
  expect_cases(text("不存在"), {});

  // LIKE's own characters are taken literally.
  expect_cases(text("%"), {c2_.id});
  expect_cases(text("_"), {c2_.id});
  expect_cases(text("100%"), {c2_.id});  // unescaped it would also match "100 percent"
  expect_cases(text("%_报"), {c2_.id});
  expect_cases(text("0_"), {});  // "_" is not "any character"
  expect_cases(text("\\"), {c6_.id});
  expect_cases(text("C:\\d"), {c6_.id});

  // Quotes are data, and so is SQL.
  expect_cases(text("'"), {c3_.id});
  expect_cases(text("O'Brien"), {c3_.id});
  expect_cases(text("\"公开\""), {c3_.id});
  expect_cases(text("x' OR '1'='1"), {});
  expect_cases(text("%' OR 1=1 --"), {});
}

TEST_F(CaseQueryTest, FiltersCombine) {
  CaseFilter f;
  f.agency = "zrzy";
  f.text = "张三";
  expect_cases(f, {c1_.id});

  f = {};
  f.open_only = true;
  f.agency = "gov";
  f.due_on_or_before = D("2025-03-31");
  expect_cases(f, {c4_.id, c6_.id});

  f = {};
  f.state = "registered";
  f.overdue_on = D("2025-03-21");
  expect_cases(f, {c4_.id});  // c2 is overdue too, but handling

  f = {};
  f.text = "征收";
  f.due_on_or_before = D("2025-03-20");
  expect_cases(f, {c4_.id});

  f = {};
  f.workflow = "gov-info-disclosure";
  f.text = "100";
  expect_cases(f, {c2_.id});  // c5 says 100 too, in another workflow

  f = {};
  f.assignee = "";
  f.open_only = true;
  f.text = "文件";
  f.sort = "-received_on";
  expect_cases(f, {c3_.id, c4_.id});

  f = {};
  f.agency = "gov";
  f.sort = "due_on";
  expect_cases(f, {c4_.id, c6_.id, c3_.id});

  f = {};
  f.agency = "zrzy";
  f.state = "handling";
  f.workflow = "public-data-open";
  expect_cases(f, {});
}

TEST_F(CaseQueryTest, EverySortOrderPagesThroughTies) {
  CaseFilter f;
  f.sort = "id";
  expect_cases(f, {c1_.id, c2_.id, c3_.id, c4_.id, c5_.id, c6_.id});
  f.sort = "-id";
  expect_cases(f, {c6_.id, c5_.id, c4_.id, c3_.id, c2_.id, c1_.id});
  // Ties on received_on are broken by id, ascending and descending with the sort.
  f.sort = "received_on";
  expect_cases(f, {c1_.id, c2_.id, c4_.id, c3_.id, c6_.id, c5_.id});
  f.sort = "-received_on";
  expect_cases(f, {c5_.id, c6_.id, c3_.id, c4_.id, c2_.id, c1_.id});
  // Earliest running or paused due date (c6: 03-25 of its two; c4: its stopped 03-10 does not
  // count), ties by id, cases without one last.
  f.sort = "due_on";
  expect_cases(f, {c2_.id, c4_.id, c6_.id, c1_.id, c3_.id, c5_.id});

  // An exact fit is a single, last page.
  f.limit = 6;
  CasePage page = store_->query_cases(f);
  EXPECT_EQ(page.cases.size(), 6u);
  EXPECT_EQ(page.next_cursor, "");
  f.limit = 5;
  EXPECT_NE(store_->query_cases(f).next_cursor, "");

  // Pages carry whole cases.
  f.sort = "id";
  f.limit = 1;
  page = store_->query_cases(f);
  ASSERT_EQ(page.cases.size(), 1u);
  EXPECT_EQ(to_json(page.cases[0]), to_json(c1_));
}

TEST_F(CaseQueryTest, CursorContinuesAfterItsRowWhileOthersWrite) {
  CaseFilter f;
  f.sort = "received_on";
  f.limit = 2;
  CasePage first = store_->query_cases(f);
  ASSERT_EQ(first.cases.size(), 2u);
  EXPECT_EQ(first.cases[1].id, c2_.id);

  // A case sorting before the cursor, and one tied with its row but with a higher id.
  create(new_case("gov", "2025-03-01", "钱七", "早到的申请"));
  Case tied = create(new_case("gov", "2025-03-03", "孙八", "同日的申请"));
  f.cursor = first.next_cursor;
  f.limit = 100;
  Ids rest;
  for (const Case& c : store_->query_cases(f).cases) rest.push_back(c.id);
  // Nothing seen is repeated, nothing unseen is skipped; the earlier case belongs to page one.
  EXPECT_EQ(rest, (Ids{c4_.id, tied.id, c3_.id, c6_.id, c5_.id}));
  EXPECT_EQ(listed(f).front(), c4_.id);  // list_cases honours the cursor too
}

// case_histories: the page list_cases gives, each case with exactly the events history gives.
TEST_F(CaseQueryTest, CaseHistoriesPairEachCaseOfThePageWithItsEvents) {
  CaseFilter f;
  f.agency = "zrzy";
  f.limit = 2;
  std::vector<CaseHistory> page = store_->case_histories(f, EventDecoding::full);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].a_case.id, c1_.id);
  EXPECT_EQ(page[1].a_case.id, c2_.id);
  EXPECT_EQ(page[1].a_case.version, 2);
  for (const CaseHistory& h : page) {
    std::vector<Event> expected = store_->history(h.a_case.id);
    ASSERT_EQ(h.events.size(), expected.size());
    ASSERT_EQ(h.events.size(), static_cast<size_t>(h.a_case.version));
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(h.events[i].hash, expected[i].hash);
      EXPECT_EQ(h.events[i].type, expected[i].type);
      // The stored canonical body comes along: exports write it as it was hashed.
      EXPECT_EQ(h.events[i].body, event_body(h.events[i]));
      EXPECT_EQ(chain_hash(h.events[i].prev_hash, h.events[i].body), h.events[i].hash);
    }
  }
  // sealed_only: the same events with their seq, body and chain fields, nothing decoded.
  std::vector<CaseHistory> sealed = store_->case_histories(f, EventDecoding::sealed_only);
  ASSERT_EQ(sealed.size(), page.size());
  for (size_t c = 0; c < page.size(); ++c) {
    EXPECT_EQ(sealed[c].a_case.id, page[c].a_case.id);
    EXPECT_EQ(sealed[c].a_case.version, page[c].a_case.version);
    ASSERT_EQ(sealed[c].events.size(), page[c].events.size());
    for (size_t i = 0; i < page[c].events.size(); ++i) {
      const Event& s = sealed[c].events[i];
      const Event& full = page[c].events[i];
      EXPECT_EQ(s.case_id, full.case_id);
      EXPECT_EQ(s.seq, full.seq);
      EXPECT_EQ(s.body, full.body);
      EXPECT_EQ(s.prev_hash, full.prev_hash);
      EXPECT_EQ(s.hash, full.hash);
      EXPECT_EQ(s.global_seq, full.global_seq);
      EXPECT_EQ(s.global_prev_hash, full.global_prev_hash);
      EXPECT_EQ(s.global_hash, full.global_hash);
      EXPECT_TRUE(s.type.empty());
      EXPECT_TRUE(s.input.empty());
      EXPECT_FALSE(full.type.empty());
    }
  }
  f.after_id = c2_.id;
  page = store_->case_histories(f, EventDecoding::full);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].a_case.id, c5_.id);
  f.limit = 0;
  EXPECT_TRUE(store_->case_histories(f, EventDecoding::full).empty());
}

TEST_F(CaseQueryTest, ReceivedIdSpanComesFromTheReceivedDates) {
  // c1, c2 and c4 were received 03-03, c3 and c6 03-05, c5 03-07.
  std::optional<CaseIdSpan> span = store_->received_id_span(D("2025-03-04"), D("2025-03-06"));
  ASSERT_TRUE(span.has_value());
  EXPECT_EQ(span->first, c3_.id);
  EXPECT_EQ(span->last, c6_.id);
  span = store_->received_id_span(std::nullopt, D("2025-03-03"));
  ASSERT_TRUE(span.has_value());
  EXPECT_EQ(span->first, c1_.id);
  EXPECT_EQ(span->last, c4_.id);
  span = store_->received_id_span(D("2025-03-07"), std::nullopt);
  ASSERT_TRUE(span.has_value());
  EXPECT_EQ(span->first, c5_.id);
  EXPECT_EQ(span->last, c5_.id);
  EXPECT_FALSE(store_->received_id_span(D("2025-03-08"), std::nullopt).has_value());
  EXPECT_FALSE(store_->received_id_span(D("2025-03-06"), D("2025-03-04")).has_value());
}

TEST_F(CaseQueryTest, BadSortsAndCursorsAreRefused) {
  for (const char* sort : {"", "ID", "name", "received_on ", "-due_on", "id; DROP TABLE cases"}) {
    CaseFilter f;
    f.sort = sort;
    EXPECT_THROW(store_->query_cases(f), StoreError) << sort;
    EXPECT_THROW(store_->list_cases(f), StoreError) << sort;
  }

  CaseFilter f;
  f.limit = 0;
  EXPECT_THROW(store_->query_cases(f), StoreError);
  EXPECT_TRUE(store_->list_cases(f).empty());
  f = {};
  f.sort = "-id";
  f.after_id = 3;  // after_id belongs to sort "id"
  EXPECT_THROW(store_->query_cases(f), StoreError);
  f.after_id = 0;
  f.until_id = 3;  // and so does until_id
  EXPECT_THROW(store_->query_cases(f), StoreError);
  EXPECT_THROW(store_->case_histories(f, EventDecoding::full), StoreError);

  // Made for another sort.
  f = {};
  f.sort = "received_on";
  f.limit = 1;
  std::string received_cursor = store_->query_cases(f).next_cursor;
  ASSERT_FALSE(received_cursor.empty());
  for (const char* other : {"id", "-id", "-received_on", "due_on"}) {
    CaseFilter g;
    g.sort = other;
    g.cursor = received_cursor;
    EXPECT_THROW(store_->query_cases(g), StoreError) << other;
  }
  f.cursor = received_cursor;
  EXPECT_NO_THROW(store_->query_cases(f));

  // Malformed: not base64url, padded, truncated, or well encoded but not a cursor.
  std::vector<std::string> malformed = {
      "!",
      "not a cursor",
      std::string(4000, 'A'),
      received_cursor + "=",
      received_cursor.substr(0, received_cursor.size() - 1),
      received_cursor + "A",
      base64url("hello"),
      base64url("c1\nreceived_on\n2025-03-03"),                        // no id
      base64url("c1\nreceived_on\n2025-03-03\n2\nextra"),              // too many parts
      base64url("c2\nreceived_on\n2025-03-03\n2"),                     // unknown version
      base64url("c1\nreceived_on\n\n2"),                               // no date
      base64url("c1\nreceived_on\n2025-02-30\n2"),                     // no such day
      base64url("c1\nreceived_on\n2025-3-3\n2"),                       // not canonical
      base64url("c1\nreceived_on\n2025-03-03' OR 1=1\n2"),             // not a date
      base64url("c1\nreceived_on\n2025-03-03\n0"),                     // no case 0
      base64url("c1\nreceived_on\n2025-03-03\n-2"),                    // negative
      base64url("c1\nreceived_on\n2025-03-03\n02"),                    // leading zero
      base64url("c1\nreceived_on\n2025-03-03\n2x"),                    // trailing junk
      base64url("c1\nreceived_on\n2025-03-03\n99999999999999999999"),  // overflow
  };
  for (const std::string& cursor : malformed) {
    f.cursor = cursor;
    EXPECT_THROW(store_->query_cases(f), StoreError) << cursor;
  }
  // The id sorts carry no key.
  f.sort = "id";
  f.cursor = base64url("c1\nid\n2025-03-03\n2");
  EXPECT_THROW(store_->query_cases(f), StoreError);
  f.cursor = base64url("c1\nid\n\n" + std::to_string(c2_.id));
  EXPECT_EQ(store_->query_cases(f).cases.front().id, c3_.id);
  // A due_on cursor may say "no due date" (empty key): then only undated cases follow.
  f.sort = "due_on";
  f.cursor = base64url("c1\ndue_on\n\n" + std::to_string(c3_.id));
  CasePage page = store_->query_cases(f);
  ASSERT_EQ(page.cases.size(), 1u);
  EXPECT_EQ(page.cases[0].id, c5_.id);
}

TEST_F(CaseQueryTest, MetricsFigures) {
  // closed_on decides what is open: c5 is closed.
  using Counts = std::vector<std::pair<std::string, int64_t>>;
  EXPECT_EQ(store_->open_cases_by_state(), (Counts{{"handling", 1}, {"registered", 4}}));

  EXPECT_EQ(store_->overdue_cases(D("2025-03-20")), 0);  // due that day is not yet overdue
  EXPECT_EQ(store_->overdue_cases(D("2025-03-21")), 2);  // c2 (paused), c4
  EXPECT_EQ(store_->overdue_cases(D("2025-03-26")), 3);  // + c6
  // c6 has two overdue clocks and is one case; c4's stopped and c5's met clocks never count.
  EXPECT_EQ(store_->overdue_cases(D("2025-04-01")), 4);

  EXPECT_EQ(store_->outbox_backlog(), 0);
  {
    SQLite::Database db = raw();
    db.exec(
        "INSERT INTO outbox(created_at, dedup_key, topic, payload, status, next_attempt_at) VALUES"
        " ('t', 'a', 'register', '{}', 'pending', 't'),"
        " ('t', 'b', 'register', '{}', 'pending', 't'),"
        " ('t', 'c', 'register', '{}', 'delivered', 't'),"
        " ('t', 'd', 'register', '{}', 'dead', 't')");
  }
  EXPECT_EQ(store_->outbox_backlog(), 2);
}

class IdempotencyTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    open();
    add_agencies();
  }
  Case request(const char* received_on = "2025-03-03") {
    return new_case("zrzy", received_on, "张三", "征收补偿方案");
  }
};

TEST_F(IdempotencyTest, CreateCaseRemembersTheStoredCase) {
  Case stored = create(request(), {deadline("reply", "2025-03-31")}, remember("u:1", "k1", "f1"));
  std::optional<IdempotencyRecord> record = store_->find_idempotent("u:1", "k1");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->scope, "u:1");
  EXPECT_EQ(record->key, "k1");
  EXPECT_EQ(record->fingerprint, "f1");
  EXPECT_EQ(record->status, 201);
  // The builder saw the id and number the store assigned.
  json::object body = json::parse(record->body).as_object();
  EXPECT_EQ(body.at("id").as_int64(), stored.id);
  EXPECT_EQ(body.at("number").as_string(), "2025-自然资源-0001");

  // Keys are per caller, and absent keys are absent.
  EXPECT_FALSE(store_->find_idempotent("u:2", "k1").has_value());
  EXPECT_FALSE(store_->find_idempotent("u:1", "k2").has_value());
  Case other = create(request(), {}, remember("u:2", "k1"));
  EXPECT_EQ(other.number, "2025-自然资源-0002");
}

TEST_F(IdempotencyTest, TakenKeyOnCreateWritesNothing) {
  create(request(), {deadline("reply", "2025-03-31")}, remember("u:1", "k1", "first"));
  Case again = request("2025-03-04");
  EXPECT_THROW(create(again, {deadline("reply", "2025-04-01")}, remember("u:1", "k1", "second")),
               IdempotencyConflict);
  EXPECT_EQ(count("cases"), 1);
  EXPECT_EQ(count("events"), 1);
  EXPECT_EQ(count("deadlines"), 1);
  EXPECT_EQ(count("idempotency_keys"), 1);
  EXPECT_EQ(store_->find_idempotent("u:1", "k1")->fingerprint, "first");
  // Not even the case counter moved.
  EXPECT_EQ(create(request()).number, "2025-自然资源-0002");
  EXPECT_TRUE(store_->verify_audit().ok);
}

TEST_F(IdempotencyTest, FailingBuilderWritesNothing) {
  IdempotencyBuilder broken = [](const Case&) -> IdempotencyRecord {
    throw std::runtime_error("cannot render");
  };
  EXPECT_THROW(create(request(), {deadline("reply", "2025-03-31")}, broken), std::runtime_error);
  IdempotencyBuilder keyless = [](const Case&) {
    return IdempotencyRecord{"u:1", "", "f", 201, ""};
  };
  EXPECT_THROW(create(request(), {}, keyless), StoreError);
  EXPECT_EQ(count("cases"), 0);
  EXPECT_EQ(count("events"), 0);
  EXPECT_EQ(count("deadlines"), 0);
  EXPECT_EQ(count("idempotency_keys"), 0);
}

TEST_F(IdempotencyTest, AppendEventRemembersWithItsEvent) {
  Case c = create(request(), {deadline("reply", "2025-03-31")});
  Step s = advance(c, "accept", "handling");
  store_->append_event(s.next, s.event, 1, {deadline("reply", "2025-03-31")},
                       remember("u:2", "accept-1"));
  std::optional<IdempotencyRecord> record = store_->find_idempotent("u:2", "accept-1");
  ASSERT_TRUE(record.has_value());
  json::object body = json::parse(record->body).as_object();
  EXPECT_EQ(body.at("id").as_int64(), c.id);
  EXPECT_EQ(body.at("version").as_int64(), 2);
  EXPECT_EQ(body.at("number").as_string(), c.number);
  EXPECT_EQ(count("events"), 2);
}

TEST_F(IdempotencyTest, VersionConflictStoresNeitherEventNorRecord) {
  Case c = create(request(), {deadline("reply", "2025-03-31")});
  Step first = advance(c, "accept", "handling");
  Step stale = advance(c, "withdraw", "closed");
  store_->append_event(first.next, first.event, 1, {deadline("reply", "2025-03-31")});
  EXPECT_THROW(store_->append_event(stale.next, stale.event, 1, {}, remember("u:2", "withdraw-1")),
               VersionConflict);
  EXPECT_FALSE(store_->find_idempotent("u:2", "withdraw-1").has_value());
  EXPECT_EQ(count("events"), 2);
  EXPECT_EQ(count("idempotency_keys"), 0);
  EXPECT_EQ(count("deadlines"), 1);
  EXPECT_EQ(store_->load_case(c.id)->state, "handling");
}

TEST_F(IdempotencyTest, TakenKeyOnAppendWritesNothing) {
  Case c = create(request(), {deadline("reply", "2025-03-31")}, remember("u:2", "k"));
  Step s = advance(c, "accept", "handling");
  EXPECT_THROW(store_->append_event(s.next, s.event, 1, {}, remember("u:2", "k", "other")),
               IdempotencyConflict);
  EXPECT_EQ(store_->load_case(c.id)->version, 1);
  EXPECT_EQ(store_->load_case(c.id)->state, "registered");
  EXPECT_EQ(count("events"), 1);
  EXPECT_EQ(count("deadlines"), 1);  // the old rows were not replaced
  EXPECT_EQ(store_->find_idempotent("u:2", "k")->fingerprint, "fp");
  // The same step goes through once the key is fresh.
  store_->append_event(s.next, s.event, 1, {}, remember("u:2", "k2"));
  EXPECT_EQ(store_->load_case(c.id)->version, 2);
  EXPECT_TRUE(store_->verify_audit().ok);
}

TEST_F(IdempotencyTest, SaveIdempotentInsertsOnce) {
  IdempotencyRecord record{"u:1", "tok-1", "fp1", 201, "{\"id\":3,\"name\":\"令牌\"}"};
  EXPECT_TRUE(store_->save_idempotent(record));
  IdempotencyRecord later = record;
  later.fingerprint = "fp2";
  later.body = "{}";
  EXPECT_FALSE(store_->save_idempotent(later));
  std::optional<IdempotencyRecord> found = store_->find_idempotent("u:1", "tok-1");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->fingerprint, "fp1");
  EXPECT_EQ(found->status, 201);
  EXPECT_EQ(found->body, record.body);
  later.scope = "u:2";
  EXPECT_TRUE(store_->save_idempotent(later));
  EXPECT_THROW(store_->save_idempotent({"u:1", "", "f", 200, ""}), StoreError);
  EXPECT_THROW(store_->save_idempotent({"", "k", "f", 200, ""}), StoreError);
  EXPECT_EQ(count("idempotency_keys"), 2);
}

TEST_F(IdempotencyTest, PurgeForgetsTheOldestRecordsBeforeTheCutOffUpToALimit) {
  const Instant start = *parse_instant("2026-03-02T01:00:00Z");
  FixedTimeSource clock(Moment{start, Date::parse("2026-03-02").value()});
  store_.reset();
  store_ = open_sqlite_store({path_, "FULL", &clock});
  auto save_at = [&](std::chrono::seconds later, const std::string& key) {
    clock.set(Moment{start + later, Date::parse("2026-03-02").value()});
    ASSERT_TRUE(store_->save_idempotent({"u:1", key, "fp", 201, "{}"}));
  };
  for (int i = 0; i < 7; ++i) save_at(std::chrono::seconds(0), "old-" + std::to_string(i));
  save_at(std::chrono::seconds(3599), "almost");
  save_at(std::chrono::seconds(3600), "at-cut-off");
  save_at(std::chrono::seconds(7200), "new");

  // Oldest first, at most 3 a call: 8 rows older than the cut-off take three calls; rows at
  // the cut-off itself stay.
  const Instant cut_off = start + std::chrono::seconds(3600);
  EXPECT_EQ(store_->purge_idempotent(cut_off, 3), 3);
  EXPECT_EQ(count("idempotency_keys"), 7);
  EXPECT_TRUE(store_->find_idempotent("u:1", "almost").has_value());  // the youngest old one
  EXPECT_EQ(store_->purge_idempotent(cut_off, 3), 3);
  EXPECT_EQ(store_->purge_idempotent(cut_off, 3), 2);
  EXPECT_FALSE(store_->find_idempotent("u:1", "old-0").has_value());
  EXPECT_FALSE(store_->find_idempotent("u:1", "almost").has_value());
  EXPECT_TRUE(store_->find_idempotent("u:1", "at-cut-off").has_value());
  EXPECT_TRUE(store_->find_idempotent("u:1", "new").has_value());
  EXPECT_EQ(count("idempotency_keys"), 2);
  EXPECT_EQ(store_->purge_idempotent(cut_off, 3), 0);
  EXPECT_THROW(store_->purge_idempotent(start, 0), StoreError);

  // A purged key is free again: the same key is a new request.
  save_at(std::chrono::seconds(7300), "old-0");
  EXPECT_TRUE(store_->find_idempotent("u:1", "old-0").has_value());
  store_.reset();  // before the clock it was given goes
}

class UsersAndTokensTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    open();
    add_agencies();
    ann_ = store_->add_user({0, "Ann", "handler", "zrzy", false, true, "", "", "", "", ""});
    bob_ = store_->add_user({0, "Bob", "registrar", "gov", false, true, "", "", "", "", ""});
    sup_ = store_->add_user({0, "Sup", "supervisor", "", true, true, "", "", "", "", ""});
  }
  User ann_, bob_, sup_;
};

TEST_F(UsersAndTokensTest, TokensAreListedAndRevokedByTheirOwner) {
  EXPECT_TRUE(store_->tokens(ann_.id).empty());
  IssuedToken first = store_->issue_token(ann_.id);
  IssuedToken second = store_->issue_token(ann_.id);
  IssuedToken bobs = store_->issue_token(bob_.id);
  ASSERT_TRUE(store_->user_by_token(first.token).has_value());

  std::vector<TokenInfo> listed = store_->tokens(ann_.id);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, first.id);
  EXPECT_EQ(listed[1].id, second.id);
  EXPECT_EQ(listed[0].user_id, ann_.id);
  EXPECT_GT(listed[0].created_at.time_since_epoch().count(), 0);
  EXPECT_TRUE(listed[0].last_used_at.has_value());  // used just above
  EXPECT_FALSE(listed[1].last_used_at.has_value());
  EXPECT_FALSE(listed[0].revoked_at.has_value());
  ASSERT_EQ(store_->tokens(bob_.id).size(), 1u);
  EXPECT_EQ(store_->tokens(bob_.id)[0].id, bobs.id);
  EXPECT_TRUE(store_->tokens(999).empty());

  // Only the owner's id revokes it, and only once.
  EXPECT_FALSE(store_->revoke_token(bob_.id, first.id));
  EXPECT_TRUE(store_->user_by_token(first.token).has_value());
  EXPECT_TRUE(store_->revoke_token(ann_.id, first.id));
  EXPECT_FALSE(store_->revoke_token(ann_.id, first.id));
  EXPECT_FALSE(store_->revoke_token(ann_.id, 999));
  EXPECT_FALSE(store_->user_by_token(first.token).has_value());
  EXPECT_TRUE(store_->user_by_token(second.token).has_value());

  listed = store_->tokens(ann_.id);
  ASSERT_EQ(listed.size(), 2u);
  ASSERT_TRUE(listed[0].revoked_at.has_value());
  EXPECT_GE(*listed[0].revoked_at, listed[0].created_at);
  EXPECT_FALSE(listed[1].revoked_at.has_value());
}

TEST_F(UsersAndTokensTest, UsersAreListedAndDeactivated) {
  std::vector<User> all = store_->users();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, ann_.id);
  EXPECT_EQ(all[1].name, "Bob");
  EXPECT_EQ(all[2].agency, "");
  EXPECT_TRUE(all[2].scope_all);

  std::string token = store_->issue_token(bob_.id).token;
  store_->set_user_active(bob_.id, false);
  EXPECT_FALSE(store_->find_user(bob_.id)->active);
  EXPECT_FALSE(store_->users()[1].active);
  EXPECT_TRUE(store_->users()[0].active);
  EXPECT_FALSE(store_->user_by_token(token).has_value());
  EXPECT_EQ(store_->tokens(bob_.id).size(), 1u);  // history stays

  store_->set_user_active(bob_.id, true);
  EXPECT_EQ(store_->user_by_token(token)->id, bob_.id);
  EXPECT_THROW(store_->set_user_active(999, false), StoreError);
}

// A database as release 1 left it: only migration 1, cases written without the search columns.
TEST_F(StoreTest, Migration2BackfillsSearchColumnsOfAVersion1Database) {
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    sqlite::migrate(db, 1);
    db.exec("INSERT INTO agencies VALUES ('zrzy', '区自然资源局', '自然资源')");
    SQLite::Statement st(db,
                         "INSERT INTO cases(id, number, workflow, agency, state, version,"
                         " received_on, assignee, doc, created_at, updated_at)"
                         " VALUES(?, ?, 'gov-info-disclosure', 'zrzy', 'registered', 1,"
                         " '2025-03-03', '', ?, 't', 't')");
    const char* names[] = {"张三", "李四"};
    const char* descriptions[] = {"征收补偿方案", "规划许可 50%_文件"};
    for (int i = 0; i < 2; ++i) {
      Case c = new_case("zrzy", "2025-03-03", names[i], descriptions[i]);
      c.id = i + 1;
      c.number = "2025-自然资源-000" + std::to_string(i + 1);
      st.bind(1, c.id);
      st.bind(2, c.number);
      st.bind(3, json::serialize(to_json(c)));
      st.exec();
      st.reset();
    }
    EXPECT_EQ(db.execAndGet("SELECT MAX(version) FROM schema_migrations").getInt(), 1);
    EXPECT_FALSE(db.tableExists("idempotency_keys"));
  }

  open();
  {
    SQLite::Database db = raw();
    EXPECT_EQ(db.execAndGet("SELECT MAX(version) FROM schema_migrations").getInt(),
              sqlite::latest_schema_version());
    EXPECT_EQ(db.execAndGet("SELECT applicant_name FROM cases WHERE id = 2").getString(), "李四");
    EXPECT_EQ(db.execAndGet("SELECT request_description FROM cases WHERE id = 1").getString(),
              "征收补偿方案");
  }
  auto ids = [&](const std::string& text) {
    CaseFilter f;
    f.text = text;
    Ids out;
    for (const Case& c : store_->query_cases(f).cases) out.push_back(c.id);
    return out;
  };
  EXPECT_EQ(ids("张三"), Ids{1});
  EXPECT_EQ(ids("补偿"), Ids{1});
  EXPECT_EQ(ids("%_"), Ids{2});
  EXPECT_EQ(ids("0002"), Ids{2});
  EXPECT_TRUE(store_->save_idempotent({"u:1", "k", "f", 200, ""}));

  // Reopening leaves a current database alone.
  store_.reset();
  open();
  EXPECT_EQ(count("schema_migrations"), sqlite::latest_schema_version());

  SQLite::Database db = raw();
  EXPECT_THROW(sqlite::migrate(db, 0), StoreError);
  EXPECT_THROW(sqlite::migrate(db, sqlite::latest_schema_version() + 1), StoreError);
}

TEST_F(StoreTest, Migration8DropsTheDeadlineIndexNoQueryReads) {
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    sqlite::migrate(db, 7);
  }
  auto indexes_named = [&](const char* name) {
    SQLite::Database db = raw();
    SQLite::Statement st(db,
                         "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND name = ?");
    st.bind(1, name);
    st.executeStep();
    return st.getColumn(0).getInt();
  };
  EXPECT_EQ(indexes_named("deadlines_by_due"), 1);
  open();
  EXPECT_EQ(indexes_named("deadlines_by_due"), 0);
  // The partial index every overdue and due-date query reads stays.
  EXPECT_EQ(indexes_named("deadlines_open_by_due"), 1);
}

}  // namespace
}  // namespace disclose
