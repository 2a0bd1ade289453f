// /api/v1/subscriptions, /api/v1/notifications and user contact fields (issue #4) at handler
// level: Api::handle on a temporary SQLite database with the timer service's write hook
// installed, so case writes over the API queue their notifications as in `serve`.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "disclose/case_notifications.h"
#include "disclose/reminders.h"
#include "disclose/store.h"
#include "disclose/time_source.h"
#include "disclose/timer_service.h"
#include "engine_fixture.h"
#include "http/api/api.h"
#include "http/metrics.h"
#include "sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace disclose::http {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using fixture::Harness;
using fixture::moment;

const std::string kToday = "2025-11-03";

json::value parse(const Response& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec) ADD_FAILURE() << "response body is not JSON: " << r.body;
  return v;
}

std::string header_of(const Response& r, const std::string& name) {
  for (const auto& [key, value] : r.headers)
    if (key == name) return value;
  return "";
}

// A JSON error with this status and, when given, this error.field.
::testing::AssertionResult is_error(const Response& r, int status, const std::string& field = "") {
  if (r.status != status)
    return ::testing::AssertionFailure() << "status " << r.status << " body " << r.body;
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("error"))
    return ::testing::AssertionFailure() << "not an error body: " << r.body;
  const json::object& e = v.at("error").as_object();
  if (!field.empty() && (!e.contains("field") || e.at("field") != json::value(field)))
    return ::testing::AssertionFailure() << "expected field " << field << ": " << r.body;
  return ::testing::AssertionSuccess();
}

class ApiNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_sqlite_store(SqliteOptions{(dir_ / "api.db").string()});
    const Harness& h = Harness::shared();
    planner_ = std::make_unique<ReminderPlanner>(h.workflows(), h.calendar(), 8 * 60);
    notes_ = std::make_unique<CaseNotifications>(h.engine(), "https://ogi.example.gov.cn");
    timers_ = std::make_unique<TimerService>(*store_, h.engine(), *planner_, *notes_);
    store_->set_case_write_hook(timers_->write_hook());
    ApiOptions options;
    options.notifications_queued = [this] { ++wakeups_; };
    api_ = std::make_unique<Api>(*store_, h.engine(), clock_, metrics_, options);
    store_->add_agency(Agency{"zrzy", "区自然资源局", "自然资源"});
    store_->add_agency(Agency{"fgw", "区发展和改革委员会", "发改"});
    store_->add_agency(Agency{"qzf", "区政府办公室", "区府办"});
    add_staff("admin", "admin", "zrzy");
    add_staff("registrar", "registrar", "zrzy");
    add_staff("fgw_admin", "admin", "fgw");
    add_staff("district_admin", "admin", "qzf", true);
  }

  void TearDown() override {
    api_.reset();
    store_->set_case_write_hook({});
    timers_.reset();
    store_.reset();
  }

  void add_staff(const std::string& who, const std::string& role, const std::string& agency,
                 bool scope_all = false) {
    User u;
    u.name = who;
    u.role = role;
    u.agency = agency;
    u.scope_all = scope_all;
    users_[who] = store_->add_user(u);
    tokens_[who] = store_->issue_token(users_[who].id).token;
  }

  Response call(const std::string& method, const std::string& target, const std::string& who,
                const std::string& body = "") {
    Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.request_id = "notify-" + std::to_string(++requests_);
    r.remote = "127.0.0.1";
    r.headers.emplace_back("Authorization", "Bearer " + tokens_.at(who));
    if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
    return api_->handle(r);
  }

  // Creates a subscription over the API and returns the 201 body.
  json::object subscribe(const std::string& body, const std::string& who = "admin") {
    Response r = call("POST", "/api/v1/subscriptions", who, body);
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return {};
    return parse(r).as_object();
  }

  static std::string sub_path(int64_t id) { return "/api/v1/subscriptions/" + std::to_string(id); }
  static std::string note_path(int64_t id) { return "/api/v1/notifications/" + std::to_string(id); }

  int64_t enqueue(int64_t subscription) {
    Notification n;
    n.type = "test";
    n.timestamp = clock_.now().at;
    return store_->enqueue(subscription, 0, n, clock_.now().at).id;
  }

  // Every pending row due now is claimed; those in `dead` are dead-lettered, the others delivered.
  void settle(const std::vector<int64_t>& dead) {
    Instant now = clock_.now().at;
    for (const OutboxItem& item : store_->claim_outbox(now, now + std::chrono::minutes(5), 1000)) {
      if (std::find(dead.begin(), dead.end(), item.id) != dead.end())
        store_->mark_dead(item.id, 8, "HTTP 500");
      else
        store_->mark_delivered(item.id, 1, now);
    }
  }

  static std::vector<int64_t> ids_of(const json::value& list) {
    std::vector<int64_t> ids;
    for (const auto& n : list.at("notifications").as_array()) ids.push_back(n.at("id").as_int64());
    return ids;
  }

  fixture::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<ReminderPlanner> planner_;
  std::unique_ptr<CaseNotifications> notes_;
  std::unique_ptr<TimerService> timers_;
  FixedTimeSource clock_{moment(kToday)};
  Metrics metrics_;
  std::unique_ptr<Api> api_;
  std::map<std::string, User> users_;
  std::map<std::string, std::string> tokens_;
  int requests_ = 0;
  int wakeups_ = 0;
};

const std::string kWebhook =
    R"({"url": "https://hooks.example.cn/disclose", "kind": "webhook", "events": ["*"]})";

TEST_F(ApiNotifyTest, CreatedWebhookShowsItsSecretOnceThenMasked) {
  Response created = call("POST", "/api/v1/subscriptions", "admin", kWebhook);
  ASSERT_EQ(created.status, 201) << created.body;
  json::object s = parse(created).as_object();
  int64_t id = s.at("id").as_int64();
  EXPECT_EQ(header_of(created, "Location"), sub_path(id));
  std::string secret(s.at("secret").as_string());
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u) << secret;
  EXPECT_GE(secret.size(), 6u + 32u) << "24 random bytes in base64";
  EXPECT_EQ(s.at("kind").as_string(), "webhook");
  EXPECT_EQ(s.at("agency").as_string(), "zrzy") << "an agency admin subscribes to their agency";
  EXPECT_EQ(s.at("enabled").as_bool(), true);
  EXPECT_EQ(store_->find_subscription(id)->secret, secret);

  // A second subscription gets another secret.
  json::object other = subscribe(kWebhook);
  EXPECT_NE(other.at("secret").as_string(), secret);

  Response got = call("GET", sub_path(id), "admin");
  ASSERT_EQ(got.status, 200) << got.body;
  std::string shown(parse(got).at("secret").as_string());
  EXPECT_NE(shown, secret);
  EXPECT_EQ(shown.rfind("whsec_", 0), 0u) << shown;
  EXPECT_EQ(shown.find(secret.substr(6, 10)), std::string::npos) << shown;

  Response list = call("GET", "/api/v1/subscriptions", "admin");
  ASSERT_EQ(list.status, 200) << list.body;
  json::array subs = parse(list).at("subscriptions").as_array();
  ASSERT_EQ(subs.size(), 2u);
  for (const auto& item : subs) {
    std::string masked(item.at("secret").as_string());
    EXPECT_EQ(masked.find(secret.substr(6, 10)), std::string::npos) << masked;
    EXPECT_NE(masked, std::string(other.at("secret").as_string()));
  }
}

TEST_F(ApiNotifyTest, ValidationNamesTheField) {
  auto post = [&](const std::string& body, const std::string& who = "admin") {
    return call("POST", "/api/v1/subscriptions", who, body);
  };
  EXPECT_TRUE(
      is_error(post(R"({"url": "ftp://x.cn/a", "kind": "webhook", "events": ["*"]})"), 400, "url"));
  EXPECT_TRUE(
      is_error(post(R"({"url": "not a url", "kind": "webhook", "events": ["*"]})"), 400, "url"));
  EXPECT_TRUE(is_error(post(R"({"kind": "webhook", "events": ["*"]})"), 400, "url"));
  EXPECT_TRUE(is_error(post(R"({"url": "https://a.cn/h", "kind": "slack", "events": ["*"]})"), 400,
                       "kind"));
  EXPECT_TRUE(is_error(post(R"({"url": "https://a.cn/h", "events": ["*"]})"), 400, "kind"));
  EXPECT_TRUE(
      is_error(post(R"({"url": "https://a.cn/h", "kind": "webhook", "events": ["case.exploded"]})"),
               400, "events"));
  EXPECT_TRUE(is_error(post(R"({"url": "https://a.cn/h", "kind": "webhook", "events": []})"), 400,
                       "events"));
  EXPECT_TRUE(is_error(post(R"({"url": "https://a.cn/h", "kind": "webhook", "events": "*"})"), 400,
                       "events"));
  EXPECT_TRUE(is_error(post(R"({"url": "https://a.cn/h", "kind": "webhook", "events": ["*"],
                                "agency": "nowhere"})",
                            "district_admin"),
                       400, "agency"));
  // Only admins.
  EXPECT_TRUE(is_error(post(kWebhook, "registrar"), 403));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/subscriptions", "registrar"), 403));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/notifications", "registrar"), 403));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/notifications?status=lost", "admin"), 400, "status"));
  EXPECT_TRUE(store_->subscriptions().empty());
}

TEST_F(ApiNotifyTest, AgencyAdminsManageOnlyTheirAgency) {
  int64_t fgw = subscribe(R"({"url": "https://a.cn/h", "kind": "wecom", "events": ["*"],
                              "agency": "fgw"})",
                          "district_admin")
                    .at("id")
                    .as_int64();
  int64_t mine = subscribe(kWebhook).at("id").as_int64();
  int64_t everyone = subscribe(kWebhook, "district_admin").at("id").as_int64();
  EXPECT_TRUE(store_->find_subscription(everyone)->agency == std::nullopt);

  EXPECT_TRUE(is_error(call("GET", sub_path(fgw), "admin"), 404));
  EXPECT_TRUE(is_error(call("PATCH", sub_path(fgw), "admin", R"({"enabled": false})"), 404));
  EXPECT_TRUE(is_error(call("DELETE", sub_path(fgw), "admin"), 404));
  EXPECT_TRUE(is_error(call("POST", sub_path(fgw) + "/test", "admin"), 404));
  EXPECT_TRUE(is_error(call("GET", sub_path(everyone), "admin"), 404));
  EXPECT_TRUE(store_->find_subscription(fgw)->enabled);
  EXPECT_EQ(call("GET", sub_path(fgw), "fgw_admin").status, 200);

  std::vector<int64_t> seen;
  json::value listed = parse(call("GET", "/api/v1/subscriptions", "admin"));
  for (const auto& s : listed.at("subscriptions").as_array()) seen.push_back(s.at("id").as_int64());
  EXPECT_EQ(seen, std::vector<int64_t>{mine});
  EXPECT_EQ(parse(call("GET", "/api/v1/subscriptions", "district_admin"))
                .at("subscriptions")
                .as_array()
                .size(),
            3u);

  // Creating for another agency, or for every agency, is out of scope.
  EXPECT_TRUE(is_error(call("POST", "/api/v1/subscriptions", "admin",
                            R"({"url": "https://a.cn/h", "kind": "webhook", "events": ["*"],
                                "agency": "fgw"})"),
                       403, "agency"));
  EXPECT_TRUE(is_error(call("POST", "/api/v1/subscriptions", "admin",
                            R"({"url": "https://a.cn/h", "kind": "webhook", "events": ["*"],
                                "agency": null})"),
                       403, "agency"));
  // Nor may an agency admin move their own subscription elsewhere.
  EXPECT_TRUE(is_error(call("PATCH", sub_path(mine), "admin", R"({"agency": "fgw"})"), 403));
  EXPECT_EQ(*store_->find_subscription(mine)->agency, "zrzy");
  EXPECT_EQ(store_->subscriptions().size(), 3u);
}

TEST_F(ApiNotifyTest, PatchDisablesAndDeleteRemoves) {
  json::object s = subscribe(kWebhook);
  int64_t id = s.at("id").as_int64();
  std::string secret(s.at("secret").as_string());

  Response patched =
      call("PATCH", sub_path(id), "admin", R"({"enabled": false, "events": ["reminder.overdue"]})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(parse(patched).at("enabled").as_bool(), false);
  EXPECT_NE(parse(patched).at("secret").as_string(), secret) << "PATCH shows the secret masked";
  json::object got = parse(call("GET", sub_path(id), "admin")).as_object();
  EXPECT_EQ(got.at("enabled").as_bool(), false);
  EXPECT_EQ(got.at("events"), (json::array{"reminder.overdue"}));
  EXPECT_EQ(store_->find_subscription(id)->secret, secret) << "PATCH keeps the secret";
  EXPECT_TRUE(
      is_error(call("PATCH", sub_path(id), "admin", R"({"events": ["nope"]})"), 400, "events"));
  EXPECT_TRUE(
      is_error(call("PATCH", sub_path(id), "admin", R"({"url": "mailto:a@b.cn"})"), 400, "url"));
  EXPECT_EQ(store_->find_subscription(id)->url, "https://hooks.example.cn/disclose");

  Response removed = call("DELETE", sub_path(id), "admin");
  EXPECT_EQ(removed.status, 204) << removed.body;
  EXPECT_TRUE(removed.body.empty());
  EXPECT_TRUE(is_error(call("GET", sub_path(id), "admin"), 404));
  EXPECT_TRUE(is_error(call("DELETE", sub_path(id), "admin"), 404));
  EXPECT_FALSE(store_->find_subscription(id));
}

TEST_F(ApiNotifyTest, TestMessageQueuesAPendingRow) {
  int64_t id = subscribe(kWebhook).at("id").as_int64();
  Response r = call("POST", sub_path(id) + "/test", "admin");
  ASSERT_EQ(r.status, 202) << r.body;
  json::object item = parse(r).as_object();
  EXPECT_EQ(item.at("type").as_string(), "test");
  EXPECT_EQ(item.at("status").as_string(), "pending");
  EXPECT_EQ(item.at("subscription_id").as_int64(), id);
  EXPECT_EQ(item.at("attempts").as_int64(), 0);
  EXPECT_EQ(wakeups_, 1) << "the dispatcher is woken";

  OutboxFilter filter;
  filter.subscription_id = id;
  std::vector<OutboxItem> rows = store_->list_outbox(filter);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, item.at("id").as_int64());
  EXPECT_EQ(rows[0].status, OutboxStatus::pending);
  EXPECT_EQ(rows[0].notification.type, "test");

  Response one = call("GET", note_path(rows[0].id), "admin");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(parse(one).at("message_id").as_string(), rows[0].message_id);
  EXPECT_TRUE(is_error(call("GET", note_path(rows[0].id), "fgw_admin"), 404));
  EXPECT_TRUE(is_error(call("GET", note_path(99999), "admin"), 404));
}

TEST_F(ApiNotifyTest, ListFiltersByStatusAndPages) {
  int64_t sub = subscribe(kWebhook).at("id").as_int64();
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(enqueue(sub));
  settle({ids[1], ids[3]});
  int64_t pending = enqueue(sub);

  json::value dead = parse(call("GET", "/api/v1/notifications?status=dead", "admin"));
  EXPECT_EQ(ids_of(dead), (std::vector<int64_t>{ids[1], ids[3]}));
  for (const auto& n : dead.at("notifications").as_array()) {
    EXPECT_EQ(n.at("status").as_string(), "dead");
    EXPECT_EQ(n.at("last_error").as_string(), "HTTP 500");
  }
  EXPECT_EQ(ids_of(parse(call("GET", "/api/v1/notifications?status=pending", "admin"))),
            std::vector<int64_t>{pending});
  EXPECT_EQ(ids_of(parse(call("GET", "/api/v1/notifications?status=delivered", "admin"))),
            (std::vector<int64_t>{ids[0], ids[2], ids[4]}));

  // Pages of two: 2 + 2 + 2 of six rows, linked by next_after.
  std::vector<int64_t> all;
  std::string target = "/api/v1/notifications?limit=2";
  int pages = 0;
  while (true) {
    Response r = call("GET", target, "admin");
    ASSERT_EQ(r.status, 200) << r.body;
    json::value page = parse(r);
    std::vector<int64_t> got = ids_of(page);
    ASSERT_LE(got.size(), 2u);
    all.insert(all.end(), got.begin(), got.end());
    ASSERT_LT(++pages, 10);
    if (page.at("next_after").is_null()) break;
    EXPECT_EQ(page.at("next_after").as_int64(), got.back());
    target =
        "/api/v1/notifications?limit=2&after=" + std::to_string(page.at("next_after").as_int64());
  }
  std::vector<int64_t> expected = ids;
  expected.push_back(pending);
  EXPECT_EQ(all, expected);
  // next_after is null exactly when nothing follows (the OpenAPI contract), also when the last
  // page is full.
  EXPECT_EQ(pages, 3);

  // A page of 4 after the first row; the filter and the cursor combine.
  json::value rest = parse(call(
      "GET", "/api/v1/notifications?status=delivered&after=" + std::to_string(ids[0]), "admin"));
  EXPECT_EQ(ids_of(rest), (std::vector<int64_t>{ids[2], ids[4]}));
  EXPECT_TRUE(rest.at("next_after").is_null());
}

TEST_F(ApiNotifyTest, AgencyAdminPagesSkipOtherAgenciesRows) {
  int64_t mine = subscribe(kWebhook).at("id").as_int64();
  int64_t theirs = subscribe(kWebhook, "fgw_admin").at("id").as_int64();
  std::vector<int64_t> my_rows;
  for (int i = 0; i < 3; ++i) {
    enqueue(theirs);
    enqueue(theirs);
    my_rows.push_back(enqueue(mine));
  }
  json::value first = parse(call("GET", "/api/v1/notifications?limit=2", "admin"));
  EXPECT_EQ(ids_of(first), (std::vector<int64_t>{my_rows[0], my_rows[1]}));
  ASSERT_FALSE(first.at("next_after").is_null());
  json::value second = parse(call(
      "GET",
      "/api/v1/notifications?limit=2&after=" + std::to_string(first.at("next_after").as_int64()),
      "admin"));
  EXPECT_EQ(ids_of(second), std::vector<int64_t>{my_rows[2]});
  EXPECT_TRUE(second.at("next_after").is_null());
  EXPECT_EQ(ids_of(parse(call("GET", "/api/v1/notifications?limit=100", "district_admin"))).size(),
            9u);
  json::value whole = parse(call("GET", "/api/v1/notifications?limit=3", "admin"));
  EXPECT_EQ(ids_of(whole), my_rows);
  EXPECT_TRUE(whole.at("next_after").is_null()) << "only other agencies' rows follow";
}

TEST_F(ApiNotifyTest, OnlyDeadNotificationsReplay) {
  int64_t sub = subscribe(kWebhook).at("id").as_int64();
  int64_t dead = enqueue(sub);
  settle({dead});
  int64_t pending = enqueue(sub);
  ASSERT_EQ(store_->find_outbox(dead)->status, OutboxStatus::dead);
  ASSERT_EQ(store_->find_outbox(dead)->attempts, 8);

  EXPECT_TRUE(is_error(call("POST", note_path(pending) + "/replay", "admin"), 409));
  EXPECT_TRUE(is_error(call("POST", note_path(dead) + "/replay", "fgw_admin"), 404));
  EXPECT_EQ(store_->find_outbox(dead)->status, OutboxStatus::dead);

  Response r = call("POST", note_path(dead) + "/replay", "admin");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r).at("status").as_string(), "pending");
  EXPECT_EQ(parse(r).at("attempts").as_int64(), 0);
  EXPECT_EQ(store_->find_outbox(dead)->status, OutboxStatus::pending);
  EXPECT_EQ(store_->find_outbox(dead)->attempts, 0);
  EXPECT_EQ(store_->find_outbox(dead)->next_attempt_at, clock_.now().at);
  // Pending now: a second replay conflicts.
  EXPECT_TRUE(is_error(call("POST", note_path(dead) + "/replay", "admin"), 409));
}

TEST_F(ApiNotifyTest, UserContactsArePatchedAndValidated) {
  std::string path = "/api/v1/users/" + std::to_string(users_.at("registrar").id);
  Response r = call("PATCH", path, "admin",
                    R"({"mobile": "+86-13800000001", "wecom_userid": "ZhaoDengJi"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parse(r).at("mobile").as_string(), "+86-13800000001");
  EXPECT_EQ(store_->find_user(users_.at("registrar").id)->mobile, "+86-13800000001");
  bool listed = false;
  json::value users = parse(call("GET", "/api/v1/users", "admin"));
  for (const auto& u : users.at("users").as_array()) {
    if (u.at("id").as_int64() != users_.at("registrar").id) continue;
    listed = true;
    EXPECT_EQ(u.at("mobile").as_string(), "+86-13800000001");
    EXPECT_EQ(u.at("wecom_userid").as_string(), "ZhaoDengJi");
    EXPECT_EQ(u.at("active").as_bool(), true);
  }
  EXPECT_TRUE(listed);

  EXPECT_TRUE(
      is_error(call("PATCH", path, "admin", R"({"mobile": "138 0000 0001"})"), 400, "mobile"));
  EXPECT_TRUE(
      is_error(call("PATCH", path, "admin", R"({"mobile": "13800000001x"})"), 400, "mobile"));
  EXPECT_EQ(store_->find_user(users_.at("registrar").id)->mobile, "+86-13800000001");
  // Another agency's admin does not see the user.
  EXPECT_TRUE(is_error(call("PATCH", path, "fgw_admin", R"({"mobile": "1"})"), 404));

  Response created = call("POST", "/api/v1/users", "admin",
                          R"({"name": "钱办理", "role": "handler", "agency": "zrzy",
                              "mobile": "13900000009", "dingtalk_userid": "qian"})");
  ASSERT_EQ(created.status, 201) << created.body;
  int64_t id = parse(created).at("user").at("id").as_int64();
  EXPECT_EQ(store_->find_user(id)->mobile, "13900000009");
  EXPECT_EQ(store_->find_user(id)->dingtalk_userid, "qian");
}

TEST_F(ApiNotifyTest, RegisteringACaseQueuesCaseRegistered) {
  int64_t wanted =
      subscribe(R"({"url": "https://a.cn/h", "kind": "webhook", "events": ["case.registered"]})")
          .at("id")
          .as_int64();
  subscribe(R"({"url": "https://a.cn/h", "kind": "webhook", "events": ["reminder.overdue"]})");
  subscribe(R"({"url": "https://a.cn/h", "kind": "webhook", "events": ["*"]})", "fgw_admin");
  int64_t off = subscribe(R"({"url": "https://a.cn/h", "kind": "webhook", "events": ["*"],
                              "enabled": false})")
                    .at("id")
                    .as_int64();
  ASSERT_FALSE(store_->find_subscription(off)->enabled);

  Response created = call("POST", "/api/v1/cases", "registrar", R"({
    "workflow": "gov-info-disclosure", "agency": "zrzy", "channel": "online",
    "received_on": "2025-10-27", "receipt_evidence": "平台确认回执",
    "applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                  "id_number": "370302199001011234", "phone": "13800000000"},
    "request": {"description": "2024年某地块征收补偿方案", "form": "electronic", "delivery": "email"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  int64_t case_id = parse(created).at("id").as_int64();

  Response r =
      call("GET", "/api/v1/notifications?case=" + std::to_string(case_id), "district_admin");
  ASSERT_EQ(r.status, 200) << r.body;
  json::array rows = parse(r).at("notifications").as_array();
  ASSERT_EQ(rows.size(), 1u) << r.body;
  EXPECT_EQ(rows[0].at("type").as_string(), "case.registered");
  EXPECT_EQ(rows[0].at("subscription_id").as_int64(), wanted);
  EXPECT_EQ(rows[0].at("case_id").as_int64(), case_id);
  EXPECT_EQ(rows[0].at("status").as_string(), "pending");
  EXPECT_EQ(rows[0].at("notification").at("data").at("case").at("id").as_int64(), case_id);
  // Another case's filter finds nothing.
  EXPECT_TRUE(parse(call("GET", "/api/v1/notifications?case=" + std::to_string(case_id + 1),
                         "district_admin"))
                  .at("notifications")
                  .as_array()
                  .empty());
}

}  // namespace
}  // namespace disclose::http
