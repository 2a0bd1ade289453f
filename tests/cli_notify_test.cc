// `disclose subscription | notification | timers | user contacts` (issue #4), in-process on a
// temporary database; the store is opened directly only to dead-letter a row.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "disclose/cli.h"
#include "disclose/store.h"
#include "sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace disclose {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int status;
  std::string out;
  std::string err;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

// The word after `word ` in `text` (e.g. the id in "subscription 3\n").
std::string after(const std::string& text, const std::string& word) {
  size_t at = text.find(word + " ");
  if (at == std::string::npos) return "";
  at += word.size() + 1;
  size_t end = text.find_first_of(" \n\t", at);
  return text.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

class CliNotify : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = (dir_ / "test.db").string();
    ok({"agency", "add", "zrzy", "--name", "区自然资源局", "--short", "自然资源"});
  }

  CliRun run(std::vector<std::string> args, const std::string& stdin_text = "",
             const std::string& now = "2026-06-30") {
    std::vector<std::string> full = {"--db",  db_, "--workflows", DISCLOSE_SOURCE_WORKFLOWS,
                                     "--now", now};
    full.insert(full.end(), args.begin(), args.end());
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    int status = cli::run(full, in, out, err);
    return {status, out.str(), err.str()};
  }

  std::string ok(std::vector<std::string> args, const std::string& stdin_text = "",
                 const std::string& now = "2026-06-30") {
    CliRun r = run(std::move(args), stdin_text, now);
    EXPECT_EQ(r.status, 0) << r.err;
    return r.out;
  }

  std::string create_case(const std::string& received_on) {
    std::string doc = R"({"workflow": "gov-info-disclosure", "agency": "zrzy",
      "channel": "online", "received_on": ")" +
                      received_on + R"(", "receipt_evidence": "平台确认回执",
      "applicant": {"kind": "natural_person", "name": "张三",
                    "id_number": "370302199001011234", "phone": "13800000000"},
      "request": {"description": "2024年某地块征收补偿方案"}})";
    std::string id = ok({"case", "create", "--json", "-", "--quiet"}, doc);
    while (!id.empty() && id.back() == '\n') id.pop_back();
    return id;
  }

  // Adds a webhook subscription to every event and returns its id.
  std::string subscribe(const std::string& events = "*") {
    std::string out = ok({"subscription", "add", "--url", "https://hooks.example.cn/d", "--kind",
                          "webhook", "--events", events});
    return after(out, "subscription");
  }

  fixture::TempDir dir_;
  std::string db_;
};

TEST_F(CliNotify, SubscriptionAddListDisableEnableRemove) {
  CliRun added = run({"subscription", "add", "--url", "https://hooks.example.cn/d", "--kind",
                      "webhook", "--agency", "zrzy", "--events", "case.registered,reminder.overdue",
                      "--description", "值班群"});
  ASSERT_EQ(added.status, 0) << added.err;
  std::string id = after(added.out, "subscription");
  ASSERT_FALSE(id.empty()) << added.out;
  std::string secret = after(added.out, "secret");
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u) << added.out;
  EXPECT_GT(secret.size(), 6u + 20u);
  {
    auto store = open_sqlite_store(SqliteOptions{db_});
    auto s = store->find_subscription(std::stoll(id));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->secret, secret);
    EXPECT_EQ(*s->agency, "zrzy");
    EXPECT_EQ(s->events, (std::vector<std::string>{"case.registered", "reminder.overdue"}));
  }

  std::string list = ok({"subscription", "list"});
  ASSERT_EQ(lines_of(list).size(), 1u) << list;
  EXPECT_EQ(lines_of(list)[0].rfind(id + "\twebhook\thttps://hooks.example.cn/d\tzrzy\t", 0), 0u)
      << list;
  EXPECT_TRUE(contains(list, "case.registered,reminder.overdue")) << list;
  EXPECT_TRUE(contains(list, "\tenabled")) << list;
  EXPECT_FALSE(contains(list, secret)) << "list never shows the secret";

  EXPECT_TRUE(contains(ok({"subscription", "disable", id}), "disabled"));
  EXPECT_TRUE(contains(ok({"subscription", "list"}), "\tdisabled"));
  EXPECT_TRUE(contains(ok({"subscription", "enable", id}), "enabled"));
  EXPECT_TRUE(contains(ok({"subscription", "list"}), "\tenabled"));

  // A given secret is not echoed back.
  CliRun given = run({"subscription", "add", "--url", "https://a.cn/h", "--kind", "webhook",
                      "--secret", "whsec_c2VjcmV0c2VjcmV0c2VjcmV0"});
  ASSERT_EQ(given.status, 0) << given.err;
  EXPECT_FALSE(contains(given.out, "whsec_c2VjcmV0")) << given.out;

  EXPECT_TRUE(contains(ok({"subscription", "remove", id}), "removed"));
  EXPECT_EQ(lines_of(ok({"subscription", "list"})).size(), 1u);
  EXPECT_EQ(run({"subscription", "remove", id}).status, 1);
  EXPECT_EQ(run({"subscription", "enable", id}).status, 1);
}

TEST_F(CliNotify, SubscriptionAddRefusesBadInput) {
  CliRun unknown = run({"subscription", "add", "--url", "https://a.cn/h", "--kind", "webhook",
                        "--events", "case.registered,case.exploded"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_TRUE(contains(unknown.err, "case.exploded")) << unknown.err;
  CliRun url = run({"subscription", "add", "--url", "ftp://a.cn/h", "--kind", "webhook"});
  EXPECT_EQ(url.status, 2);
  EXPECT_TRUE(contains(url.err, "--url")) << url.err;
  // The same URL rule as the API: absolute http(s) with a host.
  for (const char* bad : {"https://", "http:///hook", "https:// a.cn"}) {
    CliRun no_host = run({"subscription", "add", "--url", bad, "--kind", "webhook"});
    EXPECT_EQ(no_host.status, 2) << bad;
  }
  CliRun kind = run({"subscription", "add", "--url", "https://a.cn/h", "--kind", "slack"});
  EXPECT_NE(kind.status, 0);
  CliRun agency = run({"subscription", "add", "--url", "https://a.cn/h", "--kind", "webhook",
                       "--agency", "nowhere"});
  EXPECT_EQ(agency.status, 1);
  EXPECT_TRUE(contains(agency.err, "nowhere")) << agency.err;
  EXPECT_EQ(ok({"subscription", "list"}), "");
}

TEST_F(CliNotify, NotificationListAndReplay) {
  std::string sub = subscribe();
  std::string first = ok({"subscription", "test", sub});
  std::string dead_id = after(first, "notification");
  ASSERT_FALSE(dead_id.empty()) << first;
  std::string pending_id = after(ok({"subscription", "test", sub}), "notification");
  {
    auto store = open_sqlite_store(SqliteOptions{db_});
    Instant later = Instant{} + std::chrono::hours(24 * 365 * 100);
    auto claimed = store->claim_outbox(later, later + std::chrono::minutes(5), 1);
    ASSERT_EQ(claimed.size(), 1u);
    ASSERT_EQ(std::to_string(claimed[0].id), dead_id);
    store->mark_dead(claimed[0].id, 8, "HTTP 502 from the receiver");
  }

  std::string dead = ok({"notification", "list", "--status", "dead"});
  ASSERT_EQ(lines_of(dead).size(), 1u) << dead;
  EXPECT_EQ(lines_of(dead)[0].rfind(dead_id + "\tdead\ttest\tsub " + sub + "\t", 0), 0u) << dead;
  EXPECT_TRUE(contains(dead, "8 attempt(s)\tHTTP 502 from the receiver")) << dead;
  std::string pending = ok({"notification", "list", "--status", "pending"});
  ASSERT_EQ(lines_of(pending).size(), 1u) << pending;
  EXPECT_EQ(lines_of(pending)[0].rfind(pending_id + "\tpending\t", 0), 0u) << pending;
  EXPECT_EQ(lines_of(ok({"notification", "list"})).size(), 2u);
  EXPECT_EQ(run({"notification", "list", "--status", "lost"}).status, 2);

  CliRun not_dead = run({"notification", "replay", pending_id});
  EXPECT_EQ(not_dead.status, 1);
  EXPECT_TRUE(contains(not_dead.err, "pending")) << not_dead.err;
  EXPECT_EQ(run({"notification", "replay", "9999"}).status, 1);

  EXPECT_TRUE(contains(ok({"notification", "replay", dead_id}), "queued again"));
  EXPECT_EQ(ok({"notification", "list", "--status", "dead"}), "");
  std::string again = ok({"notification", "list", "--status", "pending"});
  EXPECT_EQ(lines_of(again).size(), 2u) << again;
  EXPECT_TRUE(contains(again, dead_id + "\tpending\ttest\tsub " + sub)) << again;
  EXPECT_TRUE(contains(again, "0 attempt(s)")) << again;
  EXPECT_EQ(run({"notification", "replay", dead_id}).status, 1) << "pending now";
}

TEST_F(CliNotify, TimersFireOverdueRemindersOnce) {
  std::string sub = subscribe();
  std::string id = create_case("2026-05-01");  // 60 days before --now 2026-06-30
  std::string timers = ok({"timers", "list", id});
  ASSERT_FALSE(lines_of(timers).empty()) << "a new case has timers";
  for (const std::string& line : lines_of(timers))
    EXPECT_TRUE(contains(line, "\tepoch ") && contains(line, "\toffset ")) << line;

  std::string fired = ok({"timers", "fire"}, "", "2026-06-30");
  EXPECT_TRUE(contains(fired, "reminder(s) queued")) << fired;
  EXPECT_FALSE(contains(fired, " 0 reminder(s) queued")) << fired;
  EXPECT_TRUE(contains(fired, "1 case(s)")) << fired;

  std::string overdue = ok({"notification", "list"});
  EXPECT_TRUE(contains(overdue, "\treminder.overdue\tsub " + sub)) << overdue;

  std::string second = ok({"timers", "fire"}, "", "2026-06-30");
  EXPECT_TRUE(contains(second, " 0 reminder(s) queued")) << second;
  EXPECT_EQ(ok({"notification", "list"}), overdue) << "nothing queued twice";
  EXPECT_EQ(run({"timers", "list", "9999"}).status, 0);

  // Replanning after the reminder went out plans the next one, not the sent one again.
  EXPECT_TRUE(contains(ok({"timers", "replan"}, "", "2026-06-30"), "1 open case(s) replanned"));
  std::string third = ok({"timers", "fire"}, "", "2026-06-30");
  EXPECT_TRUE(contains(third, " 0 reminder(s) queued")) << third;
}

TEST_F(CliNotify, UserContactsSetsMobile) {
  std::string added =
      ok({"user", "add", "--name", "李办理", "--role", "handler", "--agency", "zrzy"});
  std::string id = after(added, "user");
  ASSERT_FALSE(id.empty()) << added;
  std::string out = ok({"user", "contacts", id, "--mobile", "13800000002", "--wecom", "LiBanLi"});
  EXPECT_TRUE(contains(out, "mobile 13800000002")) << out;
  EXPECT_TRUE(contains(out, "wecom LiBanLi")) << out;
  // Setting one field keeps the others.
  ok({"user", "contacts", id, "--dingtalk", "li-dd"});
  {
    auto store = open_sqlite_store(SqliteOptions{db_});
    auto user = store->find_user(std::stoll(id));
    ASSERT_TRUE(user);
    EXPECT_EQ(user->mobile, "13800000002");
    EXPECT_EQ(user->wecom_userid, "LiBanLi");
    EXPECT_EQ(user->dingtalk_userid, "li-dd");
  }
  CliRun bad = run({"user", "contacts", id, "--mobile", "138 0000"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_TRUE(contains(bad.err, "--mobile")) << bad.err;
  {
    auto store = open_sqlite_store(SqliteOptions{db_});
    EXPECT_EQ(store->find_user(std::stoll(id))->mobile, "13800000002") << "unchanged";
  }
  // At most 20 characters, as over the API.
  EXPECT_EQ(run({"user", "contacts", id, "--mobile", "138000000021380000000"}).status, 2);
  EXPECT_EQ(run({"user", "contacts", "9999", "--mobile", "1"}).status, 1);
}

}  // namespace
}  // namespace disclose
