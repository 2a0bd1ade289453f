// The staff HTTP API at handler level: Api::handle(Request) on a temporary SQLite database, with
// agencies, users and tokens made through the Store, and "today" pinned by a FixedTimeSource.
// Covers lifecycles over the API, every error status, idempotency, agency scoping on every case
// route, PII masking, pagination and filters, operations routes, administration, and that the
// OpenAPI document describes exactly the routes the API serves.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "commit_hold.h"
#include "disclose/store.h"
#include "disclose/time_source.h"
#include "engine_fixture.h"
#include "http/api/api.h"
#include "http/metrics.h"
#include "sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace disclose::http {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using fixture::moment;

const std::string kOpenApiPath = DISCLOSE_SOURCE_WORKFLOWS "/../adapters/http/api/openapi.json";
const std::string kToday = "2025-11-03";  // a Monday; the reply deadline of 2025-09-26 was 10-30

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The registration document of DESIGN.md §7 with the given receipt date, agency and description.
std::string registration(const std::string& received_on = "2025-09-26",
                         const std::string& agency = "zrzy",
                         const std::string& description = "2024年某地块征收补偿方案",
                         const std::string& name = "张三") {
  json::object doc = json::parse(R"({
    "workflow": "gov-info-disclosure", "agency": "zrzy", "channel": "online",
    "received_on": "2025-09-26", "receipt_evidence": "平台确认回执",
    "applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                  "id_number": "370302199001011234", "phone": "13800000000",
                  "address": "青岛市市南区香港中路1号", "email": "zhangsan@example.cn"},
    "request": {"description": "x", "form": "electronic", "delivery": "email"},
    "tags": ["征地拆迁"]})")
                         .as_object();
  doc["received_on"] = received_on;
  doc["agency"] = agency;
  doc["request"].as_object()["description"] = description;
  doc["applicant"].as_object()["name"] = name;
  return json::serialize(doc);
}

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

// The response is a JSON error {"error": {"code", "message"[, "field"]}} with this status and
// code and, when given, this field ("" = no field member).
::testing::AssertionResult is_error(const Response& r, int status, const std::string& code,
                                    std::optional<std::string> field = std::nullopt) {
  auto fail = [&]() {
    return ::testing::AssertionFailure() << "status " << r.status << " body " << r.body << ": ";
  };
  if (r.status != status) return fail() << "expected status " << status;
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return fail() << "not a JSON object";
  const json::object& top = v.as_object();
  if (top.size() != 1 || !top.contains("error") || !top.at("error").is_object())
    return fail() << "expected exactly {\"error\": {...}}";
  const json::object& e = top.at("error").as_object();
  if (!e.contains("code") || !e.at("code").is_string() || e.at("code").as_string() != code)
    return fail() << "expected code " << code;
  if (!e.contains("message") || !e.at("message").is_string() || e.at("message").as_string().empty())
    return fail() << "expected a message";
  if (field) {
    if (field->empty() && e.contains("field")) return fail() << "expected no field";
    if (!field->empty() &&
        (!e.contains("field") || !e.at("field").is_string() || e.at("field").as_string() != *field))
      return fail() << "expected field " << *field;
  }
  return ::testing::AssertionSuccess();
}

struct Staff {
  User user;
  std::string token;
  std::string actor_id() const { return "u:" + std::to_string(user.id); }
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_sqlite_store(SqliteOptions{(dir_ / "api.db").string()});
    openapi_ = read_file(kOpenApiPath);
    ASSERT_FALSE(openapi_.empty()) << kOpenApiPath;
    ApiOptions options;
    options.openapi_json = openapi_;
    api_ = std::make_unique<Api>(*store_, fixture::Harness::shared().engine(), clock_, metrics_,
                                 options);
    store_->add_agency(Agency{"zrzy", "区自然资源局", "自然资源"});
    store_->add_agency(Agency{"fgw", "区发展和改革委员会", "发改"});
    store_->add_agency(Agency{"qzf", "区政府办公室", "区府办"});
    for (const char* role : {"registrar", "handler", "reviewer", "supervisor", "auditor", "admin"})
      staff_[role] = make_user(role, role, "zrzy");
    staff_["fgw_registrar"] = make_user("发改登记员", "registrar", "fgw");
    staff_["fgw_admin"] = make_user("发改管理员", "admin", "fgw");
    staff_["district_admin"] = make_user("区府办管理员", "admin", "qzf", true);
    staff_["district_supervisor"] = make_user("区府办负责人", "supervisor", "qzf", true);
  }

  void TearDown() override {
    api_.reset();
    store_.reset();
  }

  Staff make_user(const std::string& name, const std::string& role, const std::string& agency,
                  bool scope_all = false) {
    User u;
    u.name = name;
    u.role = role;
    u.agency = agency;
    u.scope_all = scope_all;
    Staff s;
    s.user = store_->add_user(u);
    s.token = store_->issue_token(s.user.id).token;
    return s;
  }

  const std::string& token(const std::string& who) { return staff_.at(who).token; }

  Response call(const std::string& method, const std::string& target, const std::string& who,
                const std::string& body = "",
                std::vector<std::pair<std::string, std::string>> headers = {}) {
    return api_->handle(request(method, target, who, body, std::move(headers)));
  }

  Request request(const std::string& method, const std::string& target, const std::string& who,
                  const std::string& body = "",
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
    Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.request_id = "test-" + std::to_string(++requests_);
    r.remote = "127.0.0.1";
    if (!who.empty()) {
      std::string tok = staff_.count(who) ? token(who) : who;
      r.headers.emplace_back("Authorization", "Bearer " + tok);
    }
    for (auto& h : headers) r.headers.push_back(std::move(h));
    if (!body.empty()) r.headers.emplace_back("Content-Type", "application/json");
    return r;
  }

  // An action through handle_async, as the server's handler threads call it; the answer may
  // come later, from the store's committing thread. `r` must outlive the answer.
  std::future<Response> act_async(const Request& r) {
    auto answer = std::make_shared<std::promise<Response>>();
    std::future<Response> future = answer->get_future();
    api_->handle_async(r, [answer](Response response) { answer->set_value(std::move(response)); });
    return future;
  }

  // Registers a case as `who` (the registrar by default) and returns its id.
  int64_t create(const std::string& doc = registration(), const std::string& who = "registrar") {
    Response r = call("POST", "/api/v1/cases", who, doc);
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return 0;
    return parse(r).at("id").as_int64();
  }

  static std::string case_path(int64_t id) { return "/api/v1/cases/" + std::to_string(id); }

  Response act(int64_t id, const std::string& action, const std::string& who,
               const std::string& input = "{}",
               std::vector<std::pair<std::string, std::string>> headers = {}) {
    return call("POST", case_path(id) + "/actions/" + action, who, input, std::move(headers));
  }

  // Acts and expects 200; returns the case as answered.
  json::object ok_act(int64_t id, const std::string& action, const std::string& who,
                      const std::string& input = "{}") {
    Response r = act(id, action, who, input);
    EXPECT_EQ(r.status, 200) << action << " as " << who << ": " << r.body;
    if (r.status != 200) return {};
    return parse(r).as_object();
  }

  json::object get_case(int64_t id, const std::string& who = "registrar") {
    Response r = call("GET", case_path(id), who);
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r).as_object();
  }

  json::array history(int64_t id, const std::string& who = "registrar") {
    Response r = call("GET", case_path(id) + "/history", who);
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r).at("events").as_array();
  }

  std::string accept_input() {
    return R"({"assignee": ")" + staff_.at("handler").actor_id() + R"("})";
  }

  // A new case (received 2025-09-26 unless told) taken to handling.
  int64_t handling_case(const std::string& received_on = "2025-09-26",
                        const std::string& description = "2024年某地块征收补偿方案") {
    int64_t id = create(registration(received_on, "zrzy", description));
    ok_act(id, "submit_review", "registrar");
    ok_act(id, "accept", "reviewer", accept_input());
    return id;
  }

  static json::object deadline(const json::object& a_case, const std::string& kind) {
    for (const auto& d : a_case.at("deadlines").as_array())
      if (d.at("kind").as_string() == kind) return d.as_object();
    ADD_FAILURE() << "no deadline " << kind << " in " << json::serialize(a_case);
    return {};
  }

  static std::vector<int64_t> ids_of(const json::value& list) {
    std::vector<int64_t> ids;
    for (const auto& c : list.at("cases").as_array()) ids.push_back(c.at("id").as_int64());
    return ids;
  }

  std::vector<int64_t> list_ids(const std::string& query, const std::string& who = "registrar") {
    Response r = call("GET", "/api/v1/cases" + query, who);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    if (r.status != 200) return {};
    return ids_of(parse(r));
  }

  fixture::TempDir dir_;
  std::unique_ptr<Store> store_;
  FixedTimeSource clock_{moment(kToday)};
  Metrics metrics_;
  std::string openapi_;
  std::unique_ptr<Api> api_;
  std::map<std::string, Staff> staff_;
  int requests_ = 0;
};

// ---- lifecycles --------------------------------------------------------------------------------

TEST_F(ApiTest, GrantedWithDeliveryToArchived) {
  Response created = call("POST", "/api/v1/cases", "registrar", registration());
  ASSERT_EQ(created.status, 201) << created.body;
  json::object c = parse(created).as_object();
  int64_t id = c.at("id").as_int64();
  EXPECT_EQ(header_of(created, "Location"), case_path(id));
  EXPECT_EQ(header_of(created, "ETag"), "\"1\"");
  EXPECT_EQ(c.at("number").as_string(), "2025-自然资源-0001");
  EXPECT_EQ(c.at("state").as_string(), "registered");
  EXPECT_EQ(c.at("version").as_int64(), 1);
  EXPECT_EQ(deadline(c, "reply").at("due_on").as_string(), "2025-10-30");
  EXPECT_EQ(deadline(c, "reply").at("status").as_string(), "running");
  EXPECT_EQ(c.at("links").at("self").as_string(), case_path(id));
  EXPECT_EQ(c.at("links").at("history").as_string(), case_path(id) + "/history");
  // Received 2025-09-26, today 2025-11-03: both running deadlines are overdue.
  const json::array& flags = c.at("flags").as_array();
  EXPECT_NE(std::find(flags.begin(), flags.end(), json::value("overdue")), flags.end())
      << json::serialize(flags);
  const json::array& actions = c.at("actions").as_array();
  EXPECT_NE(std::find(actions.begin(), actions.end(), json::value("submit_review")), actions.end());

  ok_act(id, "submit_review", "registrar");
  json::object accepted = ok_act(id, "accept", "reviewer", accept_input());
  EXPECT_EQ(accepted.at("state").as_string(), "handling");
  EXPECT_EQ(accepted.at("assignee").as_string(), staff_.at("handler").actor_id());
  ok_act(
      id, "draft_reply", "handler",
      R"({"determination": "granted", "basis": "条例第三十六条第（一）项", "reasons": "予以公开"})");
  ok_act(id, "approve_reply", "reviewer");
  json::object delivered =
      ok_act(id, "record_delivery", "registrar",
             R"({"method": "post", "on": "2025-10-20", "tracking_no": "EMS1234567890"})");
  EXPECT_EQ(delivered.at("state").as_string(), "closed");
  EXPECT_EQ(delivered.at("closed_on").as_string(), "2025-10-20");
  EXPECT_EQ(delivered.at("outcome").at("determination").as_string(), "granted");
  EXPECT_EQ(delivered.at("delivery").at("method").as_string(), "post");
  EXPECT_EQ(deadline(delivered, "reply").at("status").as_string(), "met");
  Response archived = act(id, "archive", "registrar");
  ASSERT_EQ(archived.status, 200) << archived.body;
  EXPECT_EQ(header_of(archived, "ETag"), "\"7\"");
  EXPECT_EQ(parse(archived).at("state").as_string(), "archived");
  EXPECT_EQ(parse(archived).at("version").as_int64(), 7);

  json::array events = history(id);
  ASSERT_EQ(events.size(), 7u);
  std::vector<std::string> types;
  for (size_t i = 0; i < events.size(); ++i) {
    const json::object& e = events[i].as_object();
    types.emplace_back(e.at("type").as_string());
    EXPECT_EQ(e.at("seq").as_int64(), int64_t(i + 1));
    EXPECT_EQ(e.at("hash").as_string().size(), 64u);
    if (i > 0) {
      EXPECT_EQ(e.at("prev_hash").as_string(), events[i - 1].at("hash").as_string());
    }
    EXPECT_TRUE(e.contains("global_hash"));
    EXPECT_TRUE(e.contains("global_prev_hash"));
    EXPECT_TRUE(e.contains("global_seq"));
  }
  EXPECT_EQ(types, (std::vector<std::string>{"register", "submit_review", "accept", "draft_reply",
                                             "approve_reply", "record_delivery", "archive"}));
  // An archived file takes no more changes except remedy records.
  EXPECT_TRUE(
      is_error(act(id, "note", "handler", R"({"text": "x"})"), 409, "not_allowed_in_state"));
  ok_act(id, "record_remedy", "supervisor",
         R"({"on": "2025-10-31", "kind": "review", "result": "pending"})");

  Response clock = call("GET", case_path(id) + "/clock", "auditor");
  ASSERT_EQ(clock.status, 200) << clock.body;
  json::object explained = parse(clock).as_object();
  EXPECT_EQ(explained.at("case_id").as_int64(), id);
  EXPECT_FALSE(explained.at("calendar_version").as_string().empty());
  bool reply_found = false;
  for (const auto& d : explained.at("deadlines").as_array()) {
    if (d.at("kind").as_string() != "reply") continue;
    reply_found = true;
    EXPECT_EQ(d.at("start").as_string(), "2025-09-26");
    EXPECT_EQ(d.at("working_days").as_int64(), 20);
    EXPECT_FALSE(d.at("steps").as_array().empty());
  }
  EXPECT_TRUE(reply_found);
}

TEST_F(ApiTest, WithheldForThirdPartyAfterConsultation) {
  int64_t id = handling_case();
  json::object consulting = ok_act(id, "consult", "handler",
                                   R"({"on": "2025-09-30", "party": "third_party",
                                       "party_name": "某开发公司", "party_received_on": "2025-10-09"})");
  EXPECT_EQ(consulting.at("state").as_string(), "consulting");
  EXPECT_EQ(deadline(consulting, "reply").at("status").as_string(), "paused");
  EXPECT_EQ(deadline(consulting, "consultation").at("status").as_string(), "running");
  json::object back =
      ok_act(id, "consultation_done", "handler", R"({"on": "2025-10-15", "opinion": "object"})");
  EXPECT_EQ(back.at("state").as_string(), "handling");
  // Paused from 09-30 to 10-15: 10-09, 10-10, 10-11 (make-up Saturday), 10-13, 10-14, 10-15 do
  // not count, so the reply deadline moves from 10-30 by six working days.
  EXPECT_EQ(deadline(back, "reply").at("status").as_string(), "running");
  EXPECT_EQ(deadline(back, "reply").at("due_on").as_string(), "2025-11-07");
  EXPECT_EQ(deadline(back, "consultation").at("status").as_string(), "met");
  ok_act(id, "draft_reply", "handler",
         R"({"determination": "withheld.third_party", "basis": "条例第三十二条",
             "reasons": "第三方不同意公开，公开会对第三方合法权益造成损害"})");
  ok_act(id, "approve_reply", "supervisor");
  json::object closed =
      ok_act(id, "record_delivery", "handler", R"({"method": "direct", "on": "2025-10-31"})");
  EXPECT_EQ(closed.at("outcome").at("determination").as_string(), "withheld.third_party");
  EXPECT_EQ(deadline(closed, "reply").at("status").as_string(), "met");
  json::object archived = ok_act(id, "archive", "registrar");
  EXPECT_EQ(archived.at("state").as_string(), "archived");
}

TEST_F(ApiTest, CorrectionRestartsTheClockThenWithdraw) {
  int64_t id = create();
  ok_act(id, "submit_review", "registrar");
  json::object waiting = ok_act(id, "request_correction", "reviewer",
                                R"({"on": "2025-09-29", "items": ["请明确地块位置"]})");
  EXPECT_EQ(waiting.at("state").as_string(), "awaiting_correction");
  EXPECT_EQ(deadline(waiting, "reply").at("status").as_string(), "stopped");
  EXPECT_EQ(deadline(waiting, "correction_window").at("status").as_string(), "running");
  json::object review = ok_act(id, "correction_received", "registrar", R"({"on": "2025-10-10"})");
  EXPECT_EQ(review.at("state").as_string(), "review");
  // Art. 30: 20 working days again from 10-10 (10-11 is a make-up working Saturday).
  EXPECT_EQ(deadline(review, "reply").at("due_on").as_string(), "2025-11-06");
  json::object closed = ok_act(id, "withdraw", "registrar", R"({"on": "2025-10-13"})");
  EXPECT_EQ(closed.at("state").as_string(), "closed");
  EXPECT_EQ(closed.at("outcome").at("determination").as_string(), "other.withdrawn");
  EXPECT_EQ(closed.at("closed_on").as_string(), "2025-10-13");
  ok_act(id, "archive", "registrar");
  // The automatic closes are the system's: not reachable over the API.
  int64_t other = create();
  ok_act(other, "submit_review", "registrar");
  ok_act(other, "request_correction", "registrar",
         R"({"on": "2025-09-29", "items": ["身份证明"], "window_wd": 5})");
  EXPECT_TRUE(is_error(act(other, "correction_expired", "supervisor", R"({"on": "2025-10-31"})"),
                       403, "role_not_permitted"));
}

TEST_F(ApiTest, FeeNoticePaidAndReply) {
  int64_t id = handling_case();
  json::object waiting = ok_act(id, "fee_notice", "handler",
                                R"({"on": "2025-09-30", "method": "per_item", "amount_yuan": 100,
                                    "applicant_received_on": "2025-10-09"})");
  EXPECT_EQ(waiting.at("state").as_string(), "awaiting_fee");
  EXPECT_EQ(deadline(waiting, "reply").at("status").as_string(), "paused");
  EXPECT_EQ(deadline(waiting, "fee_payment").at("status").as_string(), "running");
  json::object paid = ok_act(id, "fee_paid", "registrar", R"({"on": "2025-10-10"})");
  EXPECT_EQ(paid.at("state").as_string(), "handling");
  ASSERT_EQ(paid.at("fees").as_array().size(), 1u);
  EXPECT_EQ(paid.at("fees").as_array()[0].at("amount_yuan").as_int64(), 100);
  EXPECT_TRUE(paid.at("fees").as_array()[0].at("paid").as_bool());
  EXPECT_EQ(deadline(paid, "fee_payment").at("status").as_string(), "met");
  EXPECT_EQ(deadline(paid, "reply").at("status").as_string(), "running");
  ok_act(id, "draft_reply", "handler",
         R"({"determination": "partial", "basis": "条例第三十七条"})");
  ok_act(id, "return_reply", "reviewer", R"({"reason": "理由不充分"})");
  ok_act(id, "draft_reply", "handler",
         R"({"determination": "partial", "basis": "条例第三十七条", "reasons": "区分处理"})");
  ok_act(id, "approve_reply", "reviewer");
  json::object closed =
      ok_act(id, "record_delivery", "handler", R"({"method": "electronic", "on": "2025-10-31"})");
  EXPECT_EQ(closed.at("outcome").at("determination").as_string(), "partial");
  ok_act(id, "archive", "registrar");
}

TEST_F(ApiTest, ExtensionAndDelay) {
  int64_t id = handling_case();
  json::object extended = ok_act(id, "extend", "supervisor",
                                 R"({"on": "2025-10-20", "working_days": 10,
                                     "reason": "需要调取历史档案"})");
  EXPECT_EQ(extended.at("state").as_string(), "handling");
  EXPECT_EQ(deadline(extended, "reply").at("due_on").as_string(), "2025-11-13");
  json::object delayed = ok_act(id, "delay", "supervisor",
                                R"({"on": "2025-10-21", "due_on": "2025-12-31",
                                    "reason": "申请数量明显超过合理范围"})");
  EXPECT_EQ(deadline(delayed, "reply").at("due_on").as_string(), "2025-12-31");
  ok_act(id, "note", "handler", R"({"text": "已电话联系申请人"})");
  ok_act(id, "contact", "registrar",
         R"({"text": "电话确认申请内容", "with": "applicant", "means": "phone"})");
  ok_act(id, "assign", "supervisor",
         R"({"assignee": ")" + staff_.at("supervisor").actor_id() + R"("})");
  json::object c = get_case(id);
  EXPECT_EQ(c.at("assignee").as_string(), staff_.at("supervisor").actor_id());
  EXPECT_EQ(c.at("version").as_int64(), 8);
}

TEST_F(ApiTest, ExtensionLimitsAndDates422) {
  int64_t id = handling_case();
  ok_act(id, "extend", "supervisor",
         R"({"on": "2025-10-20", "working_days": 15, "reason": "第一次延期"})");
  // One extension over the case (Art. 33).
  EXPECT_TRUE(is_error(act(id, "extend", "supervisor",
                           R"({"on": "2025-10-21", "working_days": 5, "reason": "再延"})"),
                       422, "extension_cap_exceeded"));
  // More than 20 working days is refused by the input's bounds (400, naming the field).
  int64_t fresh = handling_case();
  EXPECT_TRUE(is_error(act(fresh, "extend", "supervisor",
                           R"({"on": "2025-10-20", "working_days": 21, "reason": "x"})"),
                       400, "invalid_input", "working_days"));
  // The reply deadline (10-30) has passed on 10-31.
  EXPECT_TRUE(is_error(act(fresh, "extend", "supervisor",
                           R"({"on": "2025-10-31", "working_days": 5, "reason": "迟了"})"),
                       422, "extension_after_deadline", "on"));
  // Dates in the future, and before the previous dated event.
  EXPECT_TRUE(is_error(act(fresh, "consult", "handler",
                           R"({"on": "2025-11-04", "party": "agency", "party_name": "区财政局"})"),
                       422, "date_in_future", "on"));
  EXPECT_TRUE(is_error(call("POST", "/api/v1/cases", "registrar", registration("2025-11-04")), 422,
                       "date_in_future", "received_on"));
  EXPECT_TRUE(is_error(act(fresh, "consult", "handler",
                           R"({"on": "2025-09-25", "party": "agency", "party_name": "区财政局"})"),
                       422, "date_out_of_order", "on"));
}

// ---- 400 ---------------------------------------------------------------------------------------

TEST_F(ApiTest, MalformedBodies400) {
  std::string doc = registration();
  EXPECT_TRUE(is_error(call("POST", "/api/v1/cases", "registrar", "{"), 400, "invalid_json"));
  EXPECT_TRUE(is_error(call("POST", "/api/v1/cases", "registrar", doc.substr(0, doc.size() / 2)),
                       400, "invalid_json"));
  EXPECT_TRUE(is_error(call("POST", "/api/v1/cases", "registrar", "[1, 2]"), 400, "invalid_json"));
  EXPECT_TRUE(
      is_error(call("POST", "/api/v1/cases", "registrar", "{\"a\": 1} x"), 400, "invalid_json"));
  // Invalid UTF-8 inside a string.
  std::string bad_utf8 = registration("2025-09-26", "zrzy", "征收\xff\xfe补偿");
  EXPECT_TRUE(is_error(call("POST", "/api/v1/cases", "registrar", bad_utf8), 400, "invalid_json"));
  std::string overlong = registration("2025-09-26", "zrzy", "\xc0\xaf");
  EXPECT_TRUE(is_error(call("POST", "/api/v1/cases", "registrar", overlong), 400, "invalid_json"));
  // Nesting beyond the parser's depth limit.
  EXPECT_TRUE(is_error(call("POST", "/api/v1/cases", "registrar",
                            "{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}"),
                       400, "invalid_json"));
  // Nothing was registered by any of these.
  EXPECT_TRUE(list_ids("").empty());
}

TEST_F(ApiTest, WrongTypesUnknownAndMissingFields400NameTheField) {
  auto with = [](const std::string& key, json::value value) {
    json::object doc = json::parse(registration()).as_object();
    doc[key] = std::move(value);
    return json::serialize(doc);
  };
  auto without = [](const std::string& key) {
    json::object doc = json::parse(registration()).as_object();
    doc.erase(key);
    return json::serialize(doc);
  };
  auto post = [&](const std::string& body) {
    return call("POST", "/api/v1/cases", "registrar", body);
  };
  EXPECT_TRUE(is_error(post(with("received_on", 20250926)), 400, "invalid_input", "received_on"));
  EXPECT_TRUE(
      is_error(post(with("received_on", "2025-02-30")), 400, "invalid_input", "received_on"));
  EXPECT_TRUE(is_error(post(with("channel", "pigeon")), 400, "invalid_input", "channel"));
  EXPECT_TRUE(is_error(post(with("applicant", "张三")), 400, "invalid_input", "applicant"));
  EXPECT_TRUE(is_error(post(with("tags", "征地拆迁")), 400, "invalid_input", "tags"));
  EXPECT_TRUE(is_error(post(with("nickname", "x")), 400, "invalid_input", "nickname"));
  EXPECT_TRUE(is_error(post(without("channel")), 400, "missing_input", "channel"));
  EXPECT_TRUE(is_error(post(without("applicant")), 400, "missing_input", "applicant"));
  EXPECT_TRUE(
      is_error(post(with("workflow", "no-such-workflow")), 400, "unknown_workflow", "workflow"));
  EXPECT_TRUE(is_error(post(with("agency", "nope")), 403, "out_of_scope", "agency"));
  {
    json::object doc = json::parse(registration()).as_object();
    doc["applicant"].as_object()["nickname"] = "三儿";
    EXPECT_TRUE(is_error(post(json::serialize(doc)), 400, "invalid_input", "applicant.nickname"));
    doc["applicant"].as_object().erase("nickname");
    doc["applicant"].as_object().erase("name");
    EXPECT_TRUE(is_error(post(json::serialize(doc)), 400, "missing_input", "applicant.name"));
  }

  int64_t id = handling_case();
  auto fee = [&](const std::string& amount) {
    return act(id, "fee_notice", "handler",
               R"({"on": "2025-09-30", "method": "per_item", "amount_yuan": )" + amount + "}");
  };
  EXPECT_TRUE(is_error(fee("\"100\""), 400, "invalid_input", "amount_yuan"));
  EXPECT_TRUE(is_error(fee("1.5"), 400, "invalid_input", "amount_yuan"));
  EXPECT_TRUE(is_error(fee("-1"), 400, "invalid_input", "amount_yuan"));
  EXPECT_TRUE(is_error(fee("99999999999999999999"), 400, "invalid_input", "amount_yuan"));
  EXPECT_TRUE(is_error(fee("18446744073709551615"), 400, "invalid_input", "amount_yuan"));
  // 1e400 overflows a double: refused, by the parser or by the field check.
  Response huge = fee("1e400");
  EXPECT_EQ(huge.status, 400) << huge.body;
  if (huge.status == 400 && parse(huge).at("error").at("code").as_string() != "invalid_json") {
    EXPECT_TRUE(is_error(huge, 400, "invalid_input", "amount_yuan"));
  }
  EXPECT_TRUE(is_error(act(id, "note", "handler", R"({"text": 5})"), 400, "invalid_input", "text"));
  EXPECT_TRUE(is_error(act(id, "note", "handler", R"({"text": "x", "colour": "red"})"), 400,
                       "invalid_input", "colour"));
  EXPECT_TRUE(is_error(act(id, "note", "handler", R"({})"), 400, "missing_input", "text"));
  EXPECT_TRUE(is_error(act(id, "consult", "handler", R"({"party": "agency", "party_name": "x"})"),
                       400, "missing_input", "on"));
  EXPECT_TRUE(is_error(act(id, "draft_reply", "handler", R"({"determination": "maybe"})"), 400,
                       "invalid_input", "determination"));
  EXPECT_TRUE(is_error(act(id, "note", "handler", R"({"text": "x", "expected_version": "3"})"), 400,
                       "invalid_input", "expected_version"));
  EXPECT_TRUE(is_error(act(id, "note", "handler", R"({"text": "x"})", {{"If-Match", "\"abc\""}}),
                       400, "invalid_header", "If-Match"));
  EXPECT_TRUE(is_error(act(id, "note", "handler", R"({"text": "x", "expected_version": 3})",
                           {{"If-Match", "\"4\""}}),
                       400, "invalid_input", "expected_version"));
  EXPECT_TRUE(is_error(act(id, "note", "handler", "[]"), 400, "invalid_json"));
  // None of the refusals wrote anything.
  EXPECT_EQ(get_case(id).at("version").as_int64(), 3);
}

TEST_F(ApiTest, MalformedQueriesAndHeaders400) {
  EXPECT_TRUE(
      is_error(call("GET", "/api/v1/cases?limit=0", "registrar"), 400, "invalid_query", "limit"));
  EXPECT_TRUE(
      is_error(call("GET", "/api/v1/cases?limit=abc", "registrar"), 400, "invalid_query", "limit"));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/cases?overdue=perhaps", "registrar"), 400,
                       "invalid_query", "overdue"));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/cases?due_before=2025-13-01", "registrar"), 400,
                       "invalid_query", "due_before"));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/cases?state=a&state=b", "registrar"), 400,
                       "invalid_query", "state"));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/cases?sort=colour", "registrar"), 400, "invalid_query",
                       "sort"));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/cases?cursor=garbage", "registrar"), 400,
                       "invalid_query", "cursor"));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/calendar/due?working_days=3", "registrar"), 400,
                       "missing_query", "from"));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/calendar/due?from=2025-09-26", "registrar"), 400,
                       "missing_query", "working_days"));
  EXPECT_TRUE(is_error(call("POST", "/api/v1/cases", "registrar", registration(),
                            {{"Idempotency-Key", std::string(256, 'k')}}),
                       400, "invalid_header", "Idempotency-Key"));
  EXPECT_TRUE(is_error(call("POST", "/api/v1/cases", "registrar", registration(),
                            {{"Idempotency-Key", "has space"}}),
                       400, "invalid_header", "Idempotency-Key"));
  EXPECT_TRUE(is_error(call("GET", "no-slash", "registrar"), 400, "invalid_target"));
}

// ---- 401 / 403 / 404 / 405 / 409 ----------------------------------------------------------------

TEST_F(ApiTest, Unauthenticated401) {
  Response none = call("GET", "/api/v1/me", "");
  EXPECT_TRUE(is_error(none, 401, "unauthenticated"));
  EXPECT_EQ(header_of(none, "WWW-Authenticate").rfind("Bearer", 0), 0u);
  EXPECT_TRUE(is_error(call("GET", "/api/v1/cases", "dsk_" + std::string(64, '0')), 401,
                       "unauthenticated"));
  EXPECT_TRUE(is_error(call("POST", "/api/v1/cases", "", registration()), 401, "unauthenticated"));
  Request basic;
  basic.method = "GET";
  basic.target = "/api/v1/me";
  basic.headers = {{"Authorization", "Basic dXNlcjpwYXNz"}};
  EXPECT_TRUE(is_error(api_->handle(basic), 401, "unauthenticated"));

  // A revoked token stops working at once; the user's other token still works.
  const Staff& handler = staff_.at("handler");
  Response issued =
      call("POST", "/api/v1/users/" + std::to_string(handler.user.id) + "/tokens", "handler");
  ASSERT_EQ(issued.status, 201) << issued.body;
  std::string second = std::string(parse(issued).at("token").as_string());
  int64_t second_id = parse(issued).at("id").as_int64();
  EXPECT_EQ(second.rfind("dsk_", 0), 0u);
  EXPECT_EQ(call("GET", "/api/v1/me", second).status, 200);
  Response revoked = call(
      "DELETE",
      "/api/v1/users/" + std::to_string(handler.user.id) + "/tokens/" + std::to_string(second_id),
      "handler");
  EXPECT_EQ(revoked.status, 204) << revoked.body;
  EXPECT_TRUE(revoked.body.empty());
  EXPECT_TRUE(is_error(call("GET", "/api/v1/me", second), 401, "unauthenticated"));
  EXPECT_EQ(call("GET", "/api/v1/me", "handler").status, 200);
}

TEST_F(ApiTest, RoleNotPermitted403) {
  EXPECT_TRUE(is_error(call("POST", "/api/v1/cases", "handler", registration()), 403,
                       "role_not_permitted"));
  EXPECT_TRUE(is_error(call("POST", "/api/v1/cases", "auditor", registration()), 403,
                       "role_not_permitted"));
  int64_t id = handling_case();
  EXPECT_TRUE(
      is_error(act(id, "note", "auditor", R"({"text": "审计意见"})"), 403, "role_not_permitted"));
  EXPECT_TRUE(is_error(
      act(id, "extend", "handler", R"({"on": "2025-10-20", "working_days": 5, "reason": "x"})"),
      403, "role_not_permitted"));
  // Registering for another agency is out of scope.
  EXPECT_TRUE(
      is_error(call("POST", "/api/v1/cases", "registrar", registration("2025-09-26", "fgw")), 403,
               "out_of_scope", "agency"));
  // Admins manage users and agencies; they take no case actions and read no cases.
  EXPECT_TRUE(
      is_error(call("POST", "/api/v1/cases", "admin", registration()), 403, "role_not_permitted"));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/cases", "admin"), 403, "role_not_permitted"));
  EXPECT_TRUE(is_error(call("GET", case_path(id), "admin"), 403, "role_not_permitted"));
  EXPECT_TRUE(
      is_error(call("GET", case_path(id) + "/history", "admin"), 403, "role_not_permitted"));
  EXPECT_TRUE(is_error(call("GET", case_path(id) + "/clock", "admin"), 403, "role_not_permitted"));
  EXPECT_TRUE(is_error(act(id, "note", "admin", R"({"text": "x"})"), 403, "role_not_permitted"));
  EXPECT_TRUE(
      is_error(act(id, "note", "district_admin", R"({"text": "x"})"), 403, "role_not_permitted"));
  // Nothing was written.
  EXPECT_EQ(get_case(id).at("version").as_int64(), 3);
}

TEST_F(ApiTest, NotFound404) {
  int64_t id = create();
  EXPECT_TRUE(is_error(call("GET", case_path(id + 1000), "registrar"), 404, "not_found"));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/cases/abc", "registrar"), 404, "not_found"));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/cases/-1", "registrar"), 404, "not_found"));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/cases/0", "registrar"), 404, "not_found"));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/nowhere", "registrar"), 404, "not_found"));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/nowhere", ""), 404, "not_found"));
  EXPECT_TRUE(is_error(call("GET", "/api/v2/cases", "registrar"), 404, "not_found"));
  EXPECT_TRUE(is_error(act(id, "fly", "registrar"), 404, "unknown_action"));
  EXPECT_TRUE(is_error(act(id, "register", "registrar"), 404, "unknown_action"));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/workflows/no-such", "registrar"), 404, "not_found"));
  EXPECT_TRUE(is_error(act(id + 1000, "submit_review", "registrar"), 404, "not_found"));
}

// Every route that takes a case id answers another agency's case exactly as an unknown one.
TEST_F(ApiTest, OtherAgencysCaseIsNotFoundOnEveryCaseRoute) {
  int64_t id = create();
  int64_t missing = id + 1000;
  std::vector<std::pair<std::string, std::string>> routes;  // (method, pattern)
  for (const auto& route : api_->routes())
    if (route.second.find("/cases/{id}") != std::string::npos) routes.push_back(route);
  ASSERT_EQ(routes.size(), 5u);  // detail, actions, history, clock, export
  auto target = [](std::string pattern, int64_t case_id) {
    pattern.replace(pattern.find("{id}"), 4, std::to_string(case_id));
    if (auto at = pattern.find("{action}"); at != std::string::npos)
      pattern.replace(at, 8, "submit_review");
    return pattern;
  };
  auto normalised = [](std::string body, int64_t case_id) {
    std::string needle = std::to_string(case_id);
    for (auto at = body.find(needle); at != std::string::npos; at = body.find(needle))
      body.replace(at, needle.size(), "N");
    return body;
  };
  for (const auto& [method, pattern] : routes) {
    std::string body = method == "POST" ? "{}" : "";
    Response foreign = call(method, target(pattern, id), "fgw_registrar", body);
    Response unknown = call(method, target(pattern, missing), "fgw_registrar", body);
    EXPECT_TRUE(is_error(foreign, 404, "not_found")) << method << " " << pattern;
    EXPECT_TRUE(is_error(unknown, 404, "not_found")) << method << " " << pattern;
    EXPECT_EQ(normalised(foreign.body, id), normalised(unknown.body, missing))
        << method << " " << pattern;
    EXPECT_EQ(foreign.headers, unknown.headers) << method << " " << pattern;
  }
  // With an Idempotency-Key and If-Match, still 404; the case did not move.
  EXPECT_TRUE(is_error(act(id, "submit_review", "fgw_registrar", "{}",
                           {{"Idempotency-Key", "k1"}, {"If-Match", "\"1\""}}),
                       404, "not_found"));
  EXPECT_EQ(get_case(id).at("version").as_int64(), 1);
  EXPECT_EQ(get_case(id).at("state").as_string(), "registered");
  // Lists: an agency filter naming another agency gives an empty page, not its cases.
  EXPECT_TRUE(list_ids("", "fgw_registrar").empty());
  EXPECT_TRUE(list_ids("?agency=zrzy", "fgw_registrar").empty());
  // A user with scope all sees it.
  EXPECT_EQ(list_ids("", "district_supervisor"), std::vector<int64_t>{id});
  EXPECT_EQ(call("GET", case_path(id), "district_supervisor").status, 200);
}

TEST_F(ApiTest, MethodNotAllowed405WithAllow) {
  Response r = call("DELETE", "/api/v1/cases", "registrar");
  EXPECT_TRUE(is_error(r, 405, "method_not_allowed"));
  std::string allow = header_of(r, "Allow");
  EXPECT_NE(allow.find("GET"), std::string::npos) << allow;
  EXPECT_NE(allow.find("POST"), std::string::npos) << allow;
  Response put = call("PUT", "/api/v1/cases/1", "registrar", "{}");
  EXPECT_TRUE(is_error(put, 405, "method_not_allowed"));
  EXPECT_EQ(header_of(put, "Allow"), "GET");
  Response get_action = call("GET", "/api/v1/cases/1/actions/archive", "");
  EXPECT_TRUE(is_error(get_action, 405, "method_not_allowed"));
  EXPECT_EQ(header_of(get_action, "Allow"), "POST");
  EXPECT_EQ(header_of(call("POST", "/healthz", ""), "Allow"), "GET");
}

TEST_F(ApiTest, Conflicts409) {
  int64_t id = create();
  EXPECT_TRUE(is_error(act(id, "approve_reply", "reviewer"), 409, "not_allowed_in_state"));
  EXPECT_TRUE(is_error(act(id, "archive", "registrar"), 409, "not_allowed_in_state"));
  Response stale = act(id, "submit_review", "registrar", "{}", {{"If-Match", "\"5\""}});
  ASSERT_TRUE(is_error(stale, 409, "version_conflict"));
  EXPECT_EQ(parse(stale).at("error").at("current_version").as_int64(), 1);
  Response stale_body = act(id, "submit_review", "registrar", R"({"expected_version": 2})");
  ASSERT_TRUE(is_error(stale_body, 409, "version_conflict"));
  EXPECT_EQ(parse(stale_body).at("error").at("current_version").as_int64(), 1);
  // The matching version goes through, in each spelling.
  Response ok = act(id, "submit_review", "registrar", "{}", {{"If-Match", "\"1\""}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(header_of(ok, "ETag"), "\"2\"");
  EXPECT_EQ(act(id, "note", "registrar", R"({"text": "a"})", {{"If-Match", "W/\"2\""}}).status,
            200);
  EXPECT_EQ(act(id, "note", "registrar", R"({"text": "b", "expected_version": 3})").status, 200);
  Response again = act(id, "note", "registrar", R"({"text": "c"})", {{"If-Match", "\"3\""}});
  ASSERT_TRUE(is_error(again, 409, "version_conflict"));
  EXPECT_EQ(parse(again).at("error").at("current_version").as_int64(), 4);
  EXPECT_EQ(history(id).size(), 4u);
}

// ---- answered after the commit (handle_async) ---------------------------------------------------

TEST_F(ApiTest, AnActionAnsweredAfterItsCommitAnswersAsHandleDoes) {
  int64_t id = create();
  Request submit = request("POST", case_path(id) + "/actions/submit_review", "registrar", "{}");
  Response answer = act_async(submit).get();
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(header_of(answer, "ETag"), "\"2\"");
  EXPECT_EQ(answer.route, "/api/v1/cases/{id}/actions/{action}");
  EXPECT_EQ(answer.actor, staff_.at("registrar").actor_id());
  json::object answered = parse(answer).as_object();
  EXPECT_EQ(answered.at("state").as_string(), "review");
  // Durable when answered: the stored case is what the answer says.
  EXPECT_EQ(answered, get_case(id));
  // Refusals found before the write are answered the same way, at once.
  Request stale = request("POST", case_path(id) + "/actions/note", "registrar", R"({"text": "a"})",
                          {{"If-Match", "\"1\""}});
  EXPECT_TRUE(is_error(act_async(stale).get(), 409, "version_conflict"));
  Request wrong = request("POST", case_path(id) + "/actions/archive", "registrar", "{}");
  EXPECT_TRUE(is_error(act_async(wrong).get(), 409, "not_allowed_in_state"));
  EXPECT_EQ(history(id).size(), 2u);
}

// Only a case action with a bearer token may be run on the server's io thread: everything else
// may wait on the database (or a console session's last-seen write) or work for long.
TEST_F(ApiTest, OnlyBearerCaseActionsAnswerWithoutBlocking) {
  auto without_blocking = [&](const std::string& method, const std::string& target,
                              const std::string& who) {
    return api_->traits(request(method, target, who, "{}")).answers_without_blocking;
  };
  EXPECT_TRUE(without_blocking("POST", "/api/v1/cases/12/actions/accept", "reviewer"));
  // The router's own match decides: percent-encoding is decoded, an unrouted path is not one.
  EXPECT_TRUE(without_blocking("POST", "/api/v1/cases/x/act%69ons/accept", "reviewer"));
  EXPECT_FALSE(without_blocking("POST", "/api/v1/cases/x/actions/", "reviewer"));
  EXPECT_FALSE(without_blocking("POST", "/api/v1/cases/12/actions/a%zz", "reviewer"));
  EXPECT_FALSE(without_blocking("POST", "/api/v1/cases/12/actions/accept", ""));  // a cookie, say
  EXPECT_FALSE(without_blocking("GET", "/api/v1/cases/12/actions/accept", "reviewer"));
  EXPECT_FALSE(without_blocking("POST", "/api/v1/cases", "registrar"));
  EXPECT_FALSE(without_blocking("POST", "/api/v1/cases//actions/accept", "reviewer"));
  EXPECT_FALSE(without_blocking("GET", "/api/v1/cases/12/history", "reviewer"));
  EXPECT_FALSE(without_blocking("PUT", "/api/v1/calendar/2026", "admin"));
}

// A calendar import replaces the working calendar every other request reads: the API says it
// must run alone (cli::CalendarGate keeps it so), matched as dispatch matches it.
TEST_F(ApiTest, OnlyACalendarImportRunsAlone) {
  auto alone = [&](const std::string& method, const std::string& target,
                   const std::string& who = "district_admin") {
    return api_->traits(request(method, target, who, "{}")).runs_alone;
  };
  EXPECT_TRUE(alone("PUT", "/api/v1/calendar/2026"));
  EXPECT_TRUE(alone("PUT", "/api/v1/c%61lendar/2026"));  // the router decodes the path
  EXPECT_TRUE(alone("PUT", "/api/v1/calendar/2026?dry_run=1"));
  EXPECT_FALSE(alone("GET", "/api/v1/calendar/2026"));
  EXPECT_FALSE(alone("PUT", "/api/v1/calendar/2026/extra"));
  EXPECT_FALSE(alone("PUT", "/api/v1/calendar/"));
  EXPECT_FALSE(alone("PUT", "/api/v1/calendar/20%zz"));
  EXPECT_FALSE(alone("POST", "/api/v1/cases/12/actions/accept"));
  // Whoever dispatch refuses before the import runs must not hold the others back on the way:
  // no credentials, a token nobody holds, a revoked token, a role or scope that may not import.
  EXPECT_FALSE(alone("PUT", "/api/v1/calendar/2026", ""));
  EXPECT_FALSE(alone("PUT", "/api/v1/calendar/2026", "no-such-token"));
  EXPECT_FALSE(alone("PUT", "/api/v1/calendar/2026", "admin"));  // an agency's admin
  EXPECT_FALSE(alone("PUT", "/api/v1/calendar/2026", "district_supervisor"));
  Request with_cookie = request("PUT", "/api/v1/calendar/2026", "", "{}");
  with_cookie.headers.emplace_back("Cookie", "theme=dark; disclose_session=abc");
  EXPECT_FALSE(api_->traits(with_cookie).runs_alone);  // no such session
  const User& district_admin = staff_.at("district_admin").user;
  store_->set_user_active(district_admin.id, false);
  EXPECT_FALSE(alone("PUT", "/api/v1/calendar/2026"));
  store_->set_user_active(district_admin.id, true);
  ASSERT_TRUE(store_->revoke_token(district_admin.id, store_->tokens(district_admin.id).at(0).id));
  EXPECT_FALSE(alone("PUT", "/api/v1/calendar/2026"));
}

TEST_F(ApiTest, OfTwoActionsOnOneVersionInOneCommitGroupTheSecondIsAConflict) {
  int64_t id = create();
  Request note_a =
      request("POST", case_path(id) + "/actions/note", "registrar", R"({"text": "a"})");
  Request note_b =
      request("POST", case_path(id) + "/actions/note", "registrar", R"({"text": "b"})");
  // Both actions are checked against version 1 and queued before either commits.
  std::future<Response> a, b;
  fixture::while_commits_are_held(*store_, [&] {
    a = act_async(note_a);
    b = act_async(note_b);
  });
  Response first = a.get();
  Response second = b.get();
  EXPECT_EQ(first.status, 200) << first.body;
  ASSERT_TRUE(is_error(second, 409, "version_conflict"));
  EXPECT_EQ(parse(second).at("error").at("current_version").as_int64(), 2);
  EXPECT_EQ(history(id).size(), 2u);
}

// One Idempotency-Key on two different requests committed in one group: the first is done,
// the second is refused as a reused key (not answered with the first's response).
TEST_F(ApiTest, AKeyReusedByAConcurrentActionOnAnotherCaseIsRefused) {
  int64_t first_case = create();
  int64_t second_case = create();
  std::vector<std::pair<std::string, std::string>> key = {{"Idempotency-Key", "batch-7"}};
  Request first =
      request("POST", case_path(first_case) + "/actions/submit_review", "registrar", "{}", key);
  Request second =
      request("POST", case_path(second_case) + "/actions/submit_review", "registrar", "{}", key);
  std::future<Response> a, b;
  fixture::while_commits_are_held(*store_, [&] {
    a = act_async(first);
    b = act_async(second);
  });
  EXPECT_EQ(a.get().status, 200);
  EXPECT_TRUE(is_error(b.get(), 422, "idempotency_key_reused", "Idempotency-Key"));
  EXPECT_EQ(get_case(first_case).at("state").as_string(), "review");
  EXPECT_EQ(get_case(second_case).at("state").as_string(), "registered");
}

// ---- idempotency -------------------------------------------------------------------------------

TEST_F(ApiTest, IdempotentActionReplaysAndWritesOneEvent) {
  int64_t id = create();
  std::vector<std::pair<std::string, std::string>> key = {{"Idempotency-Key", "retry-42"}};
  Response first = act(id, "submit_review", "registrar", "{}", key);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(header_of(first, "Idempotent-Replayed"), "");
  Response second = act(id, "submit_review", "registrar", "{}", key);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(header_of(second, "Idempotent-Replayed"), "true");
  json::array events = history(id);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].at("type").as_string(), "submit_review");
  EXPECT_EQ(get_case(id).at("version").as_int64(), 2);
  // The same key with another body is refused; so is it on another case.
  EXPECT_TRUE(is_error(act(id, "note", "registrar", R"({"text": "x"})", key), 422,
                       "idempotency_key_reused", "Idempotency-Key"));
  int64_t other = create();
  EXPECT_TRUE(is_error(act(other, "submit_review", "registrar", "{}", key), 422,
                       "idempotency_key_reused", "Idempotency-Key"));
  // Keys belong to their caller: another user may use the same key for their own request.
  Response reviewer = act(id, "note", "reviewer", R"({"text": "审核意见"})", key);
  EXPECT_EQ(reviewer.status, 200) << reviewer.body;
  EXPECT_EQ(header_of(reviewer, "Idempotent-Replayed"), "");
  EXPECT_EQ(history(id).size(), 3u);
}

TEST_F(ApiTest, IdempotentCreationMakesOneCase) {
  std::vector<std::pair<std::string, std::string>> key = {{"Idempotency-Key", "intake-2025-0001"}};
  Response first = call("POST", "/api/v1/cases", "registrar", registration(), key);
  ASSERT_EQ(first.status, 201) << first.body;
  Response second = call("POST", "/api/v1/cases", "registrar", registration(), key);
  EXPECT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(header_of(second, "Idempotent-Replayed"), "true");
  EXPECT_EQ(list_ids("").size(), 1u);
  EXPECT_TRUE(is_error(call("POST", "/api/v1/cases", "registrar", registration("2025-09-29"), key),
                       422, "idempotency_key_reused", "Idempotency-Key"));
  EXPECT_EQ(list_ids("").size(), 1u);
  // A refused request remembers nothing: the key stays free for a corrected retry.
  std::vector<std::pair<std::string, std::string>> key2 = {{"Idempotency-Key", "intake-2"}};
  EXPECT_EQ(call("POST", "/api/v1/cases", "registrar", "{", key2).status, 400);
  EXPECT_EQ(call("POST", "/api/v1/cases", "registrar", registration(), key2).status, 201);
  EXPECT_EQ(list_ids("").size(), 2u);
}

TEST_F(ApiTest, IdempotentUserCreation) {
  std::vector<std::pair<std::string, std::string>> key = {{"Idempotency-Key", "new-user-1"}};
  std::string body = R"({"name": "王五", "role": "handler", "agency": "zrzy"})";
  Response first = call("POST", "/api/v1/users", "admin", body, key);
  ASSERT_EQ(first.status, 201) << first.body;
  Response second = call("POST", "/api/v1/users", "admin", body, key);
  EXPECT_EQ(second.status, 201);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(header_of(second, "Idempotent-Replayed"), "true");
  size_t named = 0;
  for (const User& u : store_->users()) named += u.name == "王五";
  EXPECT_EQ(named, 1u);
}

// ---- PII -------------------------------------------------------------------------------------

TEST_F(ApiTest, AuditorSeesMaskedPiiRegistrarSeesFull) {
  int64_t id = create();
  auto applicant = [](const json::object& c) {
    return c.at("registration").at("applicant").as_object();
  };
  json::object full = applicant(get_case(id, "registrar"));
  EXPECT_EQ(full.at("id_number").as_string(), "370302199001011234");
  EXPECT_EQ(full.at("phone").as_string(), "13800000000");
  EXPECT_EQ(applicant(get_case(id, "handler")).at("id_number").as_string(), "370302199001011234");
  json::object masked = applicant(get_case(id, "auditor"));
  EXPECT_EQ(masked.at("id_number").as_string(), "370302********1234");
  EXPECT_EQ(masked.at("phone").as_string(), "138****0000");
  EXPECT_EQ(masked.at("name").as_string(), "张三");

  // History: the registering event carries the applicant as entered.
  json::array as_registrar = history(id, "registrar");
  EXPECT_EQ(as_registrar[0].at("input").at("applicant").at("id_number").as_string(),
            "370302199001011234");
  json::array as_auditor = history(id, "auditor");
  const json::object& entered = as_auditor[0].at("input").at("applicant").as_object();
  EXPECT_EQ(entered.at("id_number").as_string(), "370302********1234");
  EXPECT_EQ(entered.at("phone").as_string(), "138****0000");
  std::string raw = call("GET", case_path(id) + "/history", "auditor").body;
  EXPECT_EQ(raw.find("370302199001011234"), std::string::npos);
  EXPECT_EQ(raw.find("13800000000"), std::string::npos);
  EXPECT_EQ(call("GET", case_path(id), "auditor").body.find("13800000000"), std::string::npos);

  // Lists are masked for everyone, case handlers included.
  for (const char* who : {"registrar", "handler", "supervisor", "auditor"}) {
    Response list = call("GET", "/api/v1/cases", who);
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(list.body.find("370302199001011234"), std::string::npos) << who;
    EXPECT_EQ(list.body.find("13800000000"), std::string::npos) << who;
    json::value cases = parse(list);
    ASSERT_EQ(cases.at("cases").as_array().size(), 1u);
    EXPECT_EQ(cases.at("cases")
                  .as_array()[0]
                  .at("registration")
                  .at("applicant")
                  .at("id_number")
                  .as_string(),
              "370302********1234");
  }
}

// ---- lists -----------------------------------------------------------------------------------

TEST_F(ApiTest, PaginationReturnsEveryCaseOnce) {
  std::set<int64_t> made;
  for (int i = 0; i < 7; ++i) made.insert(create());
  create(registration("2025-09-26", "fgw"), "fgw_registrar");  // another agency's
  for (const std::string sort : {"id", "-id", "received_on", "-received_on", "due_on"}) {
    std::vector<int64_t> seen;
    std::string cursor;
    int pages = 0;
    while (true) {
      std::string target = "/api/v1/cases?limit=2&sort=" + sort;
      if (!cursor.empty()) {
        std::string escaped;
        for (char c : cursor) {
          if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') {
            escaped += c;
          } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(c));
            escaped += buf;
          }
        }
        target += "&cursor=" + escaped;
      }
      Response r = call("GET", target, "registrar");
      ASSERT_EQ(r.status, 200) << target << ": " << r.body;
      json::value page = parse(r);
      std::vector<int64_t> ids = ids_of(page);
      EXPECT_LE(ids.size(), 2u);
      seen.insert(seen.end(), ids.begin(), ids.end());
      ASSERT_LT(++pages, 10) << "pagination does not end";
      if (page.at("next_cursor").is_null()) break;
      cursor = std::string(page.at("next_cursor").as_string());
      ASSERT_FALSE(cursor.empty());
    }
    EXPECT_EQ(seen.size(), made.size()) << sort;
    EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()), made) << sort;
  }
  // Without a limit, one page and no cursor.
  Response all = call("GET", "/api/v1/cases", "registrar");
  EXPECT_EQ(ids_of(parse(all)).size(), 7u);
  EXPECT_TRUE(parse(all).at("next_cursor").is_null());
}

TEST_F(ApiTest, Filters) {
  // Today 2025-11-03 (Monday).
  int64_t a = handling_case("2025-09-26", "2024年某地块征收补偿方案");  // reply due 10-30: overdue
  int64_t b = handling_case("2025-10-20", "规划许可证及附图");          // reply due 11-17
  int64_t c = handling_case("2025-10-31", "某片区土地征收公告");        // reply due 11-28
  int64_t e = create(registration("2025-11-03", "zrzy", "建设工程规划许可", "李四"));
  ok_act(e, "submit_review", "registrar");  // review: correction notice due 11-12
  int64_t closed = handling_case("2025-09-26", "征收补偿标准");
  ok_act(closed, "withdraw", "registrar", R"({"on": "2025-10-09"})");

  EXPECT_EQ(list_ids("?state=handling"), (std::vector<int64_t>{a, b, c}));
  EXPECT_EQ(list_ids("?state=review"), (std::vector<int64_t>{e}));
  EXPECT_EQ(list_ids("?open=true"), (std::vector<int64_t>{a, b, c, e}));
  EXPECT_EQ(list_ids("?overdue=true"), (std::vector<int64_t>{a}));
  EXPECT_EQ(list_ids("?overdue=false").size(), 5u);
  EXPECT_EQ(list_ids("?due_before=2025-11-18"), (std::vector<int64_t>{a, b, e}));
  EXPECT_EQ(list_ids("?due_before=2025-11-17"), (std::vector<int64_t>{a, e}));
  EXPECT_EQ(list_ids("?due_before=2025-10-30"), (std::vector<int64_t>{}));
  EXPECT_EQ(list_ids("?due_before=2025-10-31"), (std::vector<int64_t>{a}));
  // 10 working days from 11-03 is 11-17; 5 is 11-10.
  EXPECT_EQ(list_ids("?due_within_wd=10"), (std::vector<int64_t>{a, b, e}));
  EXPECT_EQ(list_ids("?due_within_wd=5"), (std::vector<int64_t>{a}));
  EXPECT_EQ(list_ids("?due_within_wd=10&due_before=2025-11-17"), (std::vector<int64_t>{a, e}));
  // Chinese substring search over description, applicant name and number (percent-encoded).
  EXPECT_EQ(list_ids("?q=%E5%BE%81%E6%94%B6"), (std::vector<int64_t>{a, c, closed}));  // 征收
  EXPECT_EQ(list_ids("?q=%E5%BE%81%E6%94%B6&open=true"), (std::vector<int64_t>{a, c}));
  EXPECT_EQ(list_ids("?q=%E6%9D%8E%E5%9B%9B"), (std::vector<int64_t>{e}));  // 李四
  EXPECT_EQ(list_ids("?q=2025-%E8%87%AA%E7%84%B6%E8%B5%84%E6%BA%90-0002"),
            (std::vector<int64_t>{b}));  // 2025-自然资源-0002
  EXPECT_EQ(list_ids("?q=%E4%B8%8D%E5%AD%98%E5%9C%A8"), (std::vector<int64_t>{}));  // 不存在
  std::string handler = staff_.at("handler").actor_id();
  EXPECT_EQ(list_ids("?assignee=" + handler), (std::vector<int64_t>{a, b, c, closed}));
  EXPECT_EQ(list_ids("?workflow=gov-info-disclosure").size(), 5u);
  EXPECT_EQ(list_ids("?workflow=public-data-open").size(), 0u);
  EXPECT_EQ(list_ids("?agency=zrzy").size(), 5u);
  EXPECT_EQ(list_ids("?sort=-id"), (std::vector<int64_t>{closed, e, c, b, a}));
  EXPECT_EQ(list_ids("?sort=due_on&open=true").front(), a);
  // The list entries carry the same computed view as the detail.
  Response overdue = call("GET", "/api/v1/cases?overdue=true", "auditor");
  json::object first = parse(overdue).at("cases").as_array()[0].as_object();
  const json::array& flags = first.at("flags").as_array();
  EXPECT_NE(std::find(flags.begin(), flags.end(), json::value("overdue")), flags.end());
  EXPECT_EQ(deadline(first, "reply").at("remaining_wd").as_int64(), -2);
}

// ---- operations and discovery ---------------------------------------------------------------

TEST_F(ApiTest, HealthReadyMetricsOpenApi) {
  Response health = call("GET", "/healthz", "");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(parse(health).at("status").as_string(), "ok");
  Response ready = call("GET", "/readyz", "");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(parse(ready).at("status").as_string(), "ready");

  handling_case();
  create();
  metrics_.record("/api/v1/cases", "GET", 200, 0.003);
  Response metrics = call("GET", "/metrics", "");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type.rfind("text/plain", 0), 0u) << metrics.content_type;
  EXPECT_NE(metrics.body.find("disclose_open_cases{state=\"handling\"} 1"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("disclose_open_cases{state=\"registered\"} 1"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("disclose_overdue_cases"), std::string::npos);
  EXPECT_NE(metrics.body.find("disclose_outbox_backlog"), std::string::npos);
  // Every write (users, agency, registrations, actions) goes through a commit group: one more
  // registration is one more group carrying one more write (at least: a token's last-used time
  // may be written behind the requests meanwhile, token_touches.h).
  auto figure = [](const std::string& body, const std::string& name) {
    size_t at = body.find("\n" + name + " ");
    EXPECT_NE(at, std::string::npos) << name << " in " << body;
    return at == std::string::npos ? -1.0 : std::stod(body.substr(at + name.size() + 2));
  };
  const double commits = figure(metrics.body, "disclose_commits_total");
  const double writes = figure(metrics.body, "disclose_committed_writes_total");
  EXPECT_GE(commits, 3.0);
  create();
  const std::string after = call("GET", "/metrics", "").body;
  EXPECT_GE(figure(after, "disclose_commits_total"), commits + 1);
  EXPECT_GE(figure(after, "disclose_committed_writes_total"), writes + 1);
  EXPECT_NE(metrics.body.find("# TYPE"), std::string::npos);

  Response doc = call("GET", "/api/v1/openapi.json", "");
  EXPECT_EQ(doc.status, 200);
  EXPECT_EQ(doc.body, openapi_);
  EXPECT_EQ(parse(doc).at("openapi").as_string(), "3.0.3");
}

TEST_F(ApiTest, MeWorkflowsCalendar) {
  Response me = call("GET", "/api/v1/me", "reviewer");
  ASSERT_EQ(me.status, 200) << me.body;
  json::object who = parse(me).as_object();
  EXPECT_EQ(who.at("id").as_int64(), staff_.at("reviewer").user.id);
  EXPECT_EQ(who.at("role").as_string(), "reviewer");
  EXPECT_EQ(who.at("agency").as_string(), "zrzy");
  EXPECT_EQ(who.at("scope").as_string(), "agency");
  EXPECT_EQ(parse(call("GET", "/api/v1/me", "district_admin")).at("scope").as_string(), "all");
  EXPECT_EQ(me.actor, staff_.at("reviewer").actor_id());
  EXPECT_EQ(me.route, "/api/v1/me");

  Response list = call("GET", "/api/v1/workflows", "auditor");
  ASSERT_EQ(list.status, 200) << list.body;
  std::set<std::string> names;
  json::value workflows = parse(list);
  for (const auto& w : workflows.at("workflows").as_array())
    names.insert(std::string(w.at("name").as_string()));
  EXPECT_EQ(names, (std::set<std::string>{"gov-info-disclosure", "public-data-open"}));
  Response detail = call("GET", "/api/v1/workflows/gov-info-disclosure", "handler");
  ASSERT_EQ(detail.status, 200) << detail.body;
  json::object w = parse(detail).as_object();
  EXPECT_EQ(w.at("title").as_string(), "政府信息公开申请");
  bool extend_found = false;
  for (const auto& a : w.at("actions").as_array()) {
    if (a.at("name").as_string() != "extend") continue;
    extend_found = true;
    EXPECT_EQ(a.at("roles").as_array(), json::array{"supervisor"});
    EXPECT_TRUE(a.at("to").is_null());
  }
  EXPECT_TRUE(extend_found);
  bool reply_found = false;
  for (const auto& d : w.at("deadlines").as_array()) {
    if (d.at("kind").as_string() != "reply") continue;
    reply_found = true;
    EXPECT_EQ(d.at("working_days").as_int64(), 20);
    EXPECT_EQ(d.at("extension").at("max_total_wd").as_int64(), 20);
  }
  EXPECT_TRUE(reply_found);
  EXPECT_FALSE(w.at("determinations").as_array().empty());

  Response due = call("GET", "/api/v1/calendar/due?from=2025-09-26&working_days=20", "auditor");
  ASSERT_EQ(due.status, 200) << due.body;
  EXPECT_EQ(parse(due).at("due_on").as_string(), "2025-10-30");
  EXPECT_FALSE(parse(due).at("provisional").as_bool());
  EXPECT_EQ(parse(call("GET", "/api/v1/calendar/due?from=2025-12-31&working_days=40", "admin"))
                .at("due_on")
                .as_string(),
            "2026-03-04");
  EXPECT_EQ(parse(call("GET", "/api/v1/calendar/due?from=2026-02-10&working_days=7", "handler"))
                .at("due_on")
                .as_string(),
            "2026-02-26");
}

// ---- administration --------------------------------------------------------------------------

TEST_F(ApiTest, UsersScopedToTheAdminsAgency) {
  Response mine = call("GET", "/api/v1/users", "admin");
  ASSERT_EQ(mine.status, 200) << mine.body;
  json::value users = parse(mine);
  for (const auto& u : users.at("users").as_array()) EXPECT_EQ(u.at("agency").as_string(), "zrzy");
  EXPECT_EQ(parse(mine).at("users").as_array().size(), 6u);
  Response every = call("GET", "/api/v1/users", "district_admin");
  EXPECT_EQ(parse(every).at("users").as_array().size(), staff_.size());
  EXPECT_TRUE(is_error(call("GET", "/api/v1/users", "supervisor"), 403, "role_not_permitted"));
  EXPECT_TRUE(is_error(call("POST", "/api/v1/users", "registrar",
                            R"({"name": "x", "role": "handler", "agency": "zrzy"})"),
                       403, "role_not_permitted"));

  // Create: own agency only; scope all only from an admin with scope all.
  EXPECT_TRUE(is_error(call("POST", "/api/v1/users", "admin",
                            R"({"name": "x", "role": "handler", "agency": "fgw"})"),
                       403, "out_of_scope", "agency"));
  EXPECT_TRUE(
      is_error(call("POST", "/api/v1/users", "admin",
                    R"({"name": "x", "role": "supervisor", "agency": "zrzy", "scope": "all"})"),
               403, "out_of_scope", "scope"));
  EXPECT_TRUE(is_error(call("POST", "/api/v1/users", "admin",
                            R"({"name": "x", "role": "wizard", "agency": "zrzy"})"),
                       400, "invalid_input", "role"));
  EXPECT_TRUE(
      is_error(call("POST", "/api/v1/users", "admin", R"({"role": "handler", "agency": "zrzy"})"),
               400, "missing_input", "name"));
  EXPECT_TRUE(is_error(call("POST", "/api/v1/users", "admin",
                            R"({"name": "x", "role": "handler", "agency": "zrzy", "pw": "1"})"),
                       400, "invalid_input", "pw"));
  EXPECT_TRUE(is_error(call("POST", "/api/v1/users", "district_admin",
                            R"({"name": "x", "role": "handler", "agency": "nope"})"),
                       400, "invalid_input", "agency"));
  Response created = call("POST", "/api/v1/users", "admin",
                          R"({"name": "赵六", "role": "handler", "agency": "zrzy"})");
  ASSERT_EQ(created.status, 201) << created.body;
  json::object made = parse(created).as_object();
  int64_t new_id = made.at("user").at("id").as_int64();
  EXPECT_EQ(header_of(created, "Location"), "/api/v1/users/" + std::to_string(new_id));
  std::string new_token(made.at("token").as_string());
  Response me = call("GET", "/api/v1/me", new_token);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(parse(me).at("name").as_string(), "赵六");
  Response all_scope =
      call("POST", "/api/v1/users", "district_admin",
           R"({"name": "督查", "role": "auditor", "agency": "qzf", "scope": "all"})");
  ASSERT_EQ(all_scope.status, 201) << all_scope.body;
  EXPECT_EQ(parse(all_scope).at("user").at("scope").as_string(), "all");

  // Deactivate: the token stops working; admins of other agencies cannot see the user.
  std::string user_path = "/api/v1/users/" + std::to_string(new_id);
  EXPECT_TRUE(
      is_error(call("PATCH", user_path, "fgw_admin", R"({"active": false})"), 404, "not_found"));
  EXPECT_TRUE(is_error(call("PATCH", user_path, "admin", R"({"active": "no"})"), 400,
                       "invalid_input", "active"));
  EXPECT_TRUE(is_error(call("PATCH", user_path, "admin", R"({})"), 400, "missing_input", "active"));
  Response off = call("PATCH", user_path, "admin", R"({"active": false})");
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_FALSE(parse(off).at("active").as_bool());
  EXPECT_TRUE(is_error(call("GET", "/api/v1/me", new_token), 401, "unauthenticated"));
  EXPECT_EQ(call("PATCH", user_path, "district_admin", R"({"active": true})").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/me", new_token).status, 200);
  std::string self = "/api/v1/users/" + std::to_string(staff_.at("admin").user.id);
  EXPECT_TRUE(is_error(call("PATCH", self, "admin", R"({"active": false})"), 422, "invalid_input",
                       "active"));
  EXPECT_TRUE(is_error(call("PATCH", "/api/v1/users/99999", "admin", R"({"active": false})"), 404,
                       "not_found"));
}

TEST_F(ApiTest, TokensForSelfAndAdminsOfTheAgency) {
  const Staff& handler = staff_.at("handler");
  std::string tokens = "/api/v1/users/" + std::to_string(handler.user.id) + "/tokens";
  Response own = call("GET", tokens, "handler");
  ASSERT_EQ(own.status, 200) << own.body;
  ASSERT_EQ(parse(own).at("tokens").as_array().size(), 1u);
  json::object info = parse(own).at("tokens").as_array()[0].as_object();
  EXPECT_TRUE(info.at("revoked_at").is_null());
  EXPECT_FALSE(info.at("last_used_at").is_null());             // this very request used it
  EXPECT_EQ(own.body.find(handler.token), std::string::npos);  // never shown again
  EXPECT_EQ(call("GET", tokens, "admin").status, 200);
  EXPECT_EQ(call("GET", tokens, "district_admin").status, 200);
  // Other users, and admins of other agencies, do not see them.
  EXPECT_TRUE(is_error(call("GET", tokens, "registrar"), 404, "not_found"));
  EXPECT_TRUE(is_error(call("GET", tokens, "fgw_admin"), 404, "not_found"));
  EXPECT_TRUE(is_error(call("POST", tokens, "supervisor"), 404, "not_found"));

  Response issued = call("POST", tokens, "admin");
  ASSERT_EQ(issued.status, 201) << issued.body;
  int64_t token_id = parse(issued).at("id").as_int64();
  std::string revoke = tokens + "/" + std::to_string(token_id);
  EXPECT_TRUE(is_error(call("DELETE", revoke, "fgw_admin"), 404, "not_found"));
  EXPECT_EQ(call("DELETE", revoke, "admin").status, 204);
  EXPECT_TRUE(is_error(call("DELETE", revoke, "admin"), 404, "not_found"));
  // A token id of another user is not addressable through this user.
  std::string registrar_tokens =
      "/api/v1/users/" + std::to_string(staff_.at("registrar").user.id) + "/tokens";
  Response theirs = call("POST", registrar_tokens, "registrar");
  ASSERT_EQ(theirs.status, 201);
  EXPECT_TRUE(is_error(
      call("DELETE", tokens + "/" + std::to_string(parse(theirs).at("id").as_int64()), "handler"),
      404, "not_found"));
  EXPECT_EQ(call("GET", "/api/v1/me", std::string(parse(theirs).at("token").as_string())).status,
            200);
  Response listed = call("GET", tokens, "handler");
  ASSERT_EQ(parse(listed).at("tokens").as_array().size(), 2u);
}

TEST_F(ApiTest, Agencies) {
  Response list = call("GET", "/api/v1/agencies", "auditor");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(parse(list).at("agencies").as_array().size(), 3u);
  std::string body = R"({"code": "jtj", "name": "区交通运输局", "short_name": "交通"})";
  EXPECT_TRUE(is_error(call("POST", "/api/v1/agencies", "admin", body), 403, "out_of_scope"));
  EXPECT_TRUE(is_error(call("POST", "/api/v1/agencies", "district_supervisor", body), 403,
                       "role_not_permitted"));
  Response made = call("POST", "/api/v1/agencies", "district_admin", body);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_EQ(parse(made).at("short_name").as_string(), "交通");
  EXPECT_EQ(header_of(made, "Location"), "/api/v1/agencies/jtj");
  EXPECT_TRUE(
      is_error(call("POST", "/api/v1/agencies", "district_admin", body), 409, "conflict", "code"));
  EXPECT_TRUE(is_error(
      call("POST", "/api/v1/agencies", "district_admin", R"({"code": "a b", "name": "x"})"), 400,
      "invalid_input", "code"));
  EXPECT_TRUE(is_error(call("POST", "/api/v1/agencies", "district_admin", R"({"code": "wsj"})"),
                       400, "missing_input", "name"));
  EXPECT_EQ(parse(call("GET", "/api/v1/agencies", "registrar")).at("agencies").as_array().size(),
            4u);
  // The new agency takes cases at once: its registrar numbers them with its short name.
  staff_["jtj"] = make_user("交通登记员", "registrar", "jtj");
  Response c = call("POST", "/api/v1/cases", "jtj", registration("2025-10-09", "jtj"));
  ASSERT_EQ(c.status, 201) << c.body;
  EXPECT_EQ(parse(c).at("number").as_string(), "2025-交通-0001");
}

// ---- the OpenAPI document --------------------------------------------------------------------

TEST_F(ApiTest, OpenApiDocumentsExactlyTheRoutes) {
  boost::system::error_code ec;
  json::value doc = json::parse(openapi_, ec);
  ASSERT_FALSE(ec) << "openapi.json is not valid JSON: " << ec.message();
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc.at("openapi").as_string(), "3.0.3");
  const std::set<std::string> methods = {"get",   "put",  "post",   "delete",
                                         "patch", "head", "options"};
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      if (!methods.count(std::string(method))) continue;
      std::string upper(method);
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      documented.emplace(upper, std::string(path));
      // Every operation lists its responses, errors with the Error schema among them.
      EXPECT_TRUE(operation.as_object().contains("responses")) << upper << " " << path;
    }
  }
  std::set<std::pair<std::string, std::string>> served;
  for (const auto& route : api_->routes()) served.insert(route);
  std::string missing, extra;
  for (const auto& r : served)
    if (!documented.count(r)) missing += "\n  " + r.first + " " + r.second;
  for (const auto& r : documented)
    if (!served.count(r)) extra += "\n  " + r.first + " " + r.second;
  EXPECT_TRUE(missing.empty()) << "routes missing from openapi.json:" << missing;
  EXPECT_TRUE(extra.empty()) << "documented routes the API does not serve:" << extra;

  // Public routes carry an empty security requirement; everything else needs the bearer token.
  const std::set<std::string> public_paths = {"/healthz", "/readyz", "/metrics",
                                              "/api/v1/openapi.json", "/api/v1/session"};
  EXPECT_TRUE(doc.at("components").at("securitySchemes").as_object().contains("bearerAuth"));
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      const json::object& op = operation.as_object();
      bool open = op.contains("security") && op.at("security").as_array().empty();
      EXPECT_EQ(open, public_paths.count(std::string(path)) == 1) << method << " " << path;
      if (!public_paths.count(std::string(path))) {
        EXPECT_TRUE(op.at("responses").as_object().contains("401")) << method << " " << path;
      }
    }
  }
  // The documented query filters of GET /cases are the ones the handler reads.
  std::set<std::string> filters;
  for (const auto& p : doc.at("paths").at("/api/v1/cases").at("get").at("parameters").as_array())
    filters.insert(std::string(p.at("name").as_string()));
  EXPECT_EQ(filters,
            (std::set<std::string>{"state", "agency", "workflow", "assignee", "open", "overdue",
                                   "due_before", "due_within_wd", "q", "sort", "cursor", "limit"}));
  // Every $ref resolves.
  std::vector<const json::value*> stack = {&doc};
  size_t refs = 0;
  while (!stack.empty()) {
    const json::value* v = stack.back();
    stack.pop_back();
    if (v->is_array()) {
      for (const auto& x : v->as_array()) stack.push_back(&x);
    } else if (v->is_object()) {
      for (const auto& [key, x] : v->as_object()) {
        if (key == "$ref" && x.is_string()) {
          ++refs;
          std::string ref(x.as_string());
          ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
          const json::value* at = &doc;
          std::stringstream parts(ref.substr(2));
          std::string part;
          while (at && std::getline(parts, part, '/')) at = at->as_object().if_contains(part);
          EXPECT_NE(at, nullptr) << "unresolved " << ref;
        } else {
          stack.push_back(&x);
        }
      }
    }
  }
  EXPECT_GT(refs, 50u);
}

// The required members of the documented schemas are present in real answers.
TEST_F(ApiTest, OpenApiSchemasMatchResponses) {
  json::value doc = json::parse(openapi_);
  const json::object& schemas = doc.at("components").at("schemas").as_object();
  auto missing = [&](const std::string& schema, const json::value& value) {
    std::string out;
    for (const auto& name : schemas.at(schema).at("required").as_array())
      if (!value.as_object().contains(name.as_string())) out += " " + std::string(name.as_string());
    return out;
  };
  int64_t id = handling_case();
  json::value c = json::value(get_case(id));
  EXPECT_EQ(missing("Case", c), "");
  EXPECT_EQ(missing("CaseLinks", c.at("links")), "");
  for (const auto& d : c.at("deadlines").as_array()) EXPECT_EQ(missing("Deadline", d), "");
  for (const char* member : {"channel", "received_on", "applicant", "request", "tags"})
    EXPECT_TRUE(c.at("registration").as_object().contains(member)) << member;
  for (const auto& e : history(id)) EXPECT_EQ(missing("Event", e), "");
  json::value list = parse(call("GET", "/api/v1/cases", "auditor"));
  EXPECT_EQ(missing("CaseList", list), "");
  json::value clock = parse(call("GET", case_path(id) + "/clock", "auditor"));
  EXPECT_EQ(missing("CaseClock", clock), "");
  EXPECT_EQ(missing("Me", parse(call("GET", "/api/v1/me", "auditor"))), "");
  json::value due =
      parse(call("GET", "/api/v1/calendar/due?from=2025-09-26&working_days=20", "auditor"));
  EXPECT_EQ(missing("CalendarDue", due), "");
  json::value tokens =
      parse(call("GET", "/api/v1/users/" + std::to_string(staff_.at("auditor").user.id) + "/tokens",
                 "auditor"));
  for (const auto& t : tokens.at("tokens").as_array()) EXPECT_EQ(missing("TokenInfo", t), "");
  json::value users = parse(call("GET", "/api/v1/users", "admin"));
  for (const auto& u : users.at("users").as_array()) EXPECT_EQ(missing("User", u), "");
  json::value agencies = parse(call("GET", "/api/v1/agencies", "admin"));
  for (const auto& a : agencies.at("agencies").as_array()) EXPECT_EQ(missing("Agency", a), "");
  json::value workflows = parse(call("GET", "/api/v1/workflows", "admin"));
  for (const auto& w : workflows.at("workflows").as_array())
    EXPECT_EQ(missing("WorkflowSummary", w), "");
  json::value error = parse(call("GET", case_path(id + 99), "auditor"));
  EXPECT_EQ(missing("Error", error), "");
  // Every documented case-detail property name is one the API can send (no invented members).
  for (const auto& [name, schema] : schemas.at("Case").at("properties").as_object()) {
    (void)schema;
    static const std::set<std::string> optional = {"outcome", "closed_on", "delivery",
                                                   "last_dated_on"};
    if (!optional.count(std::string(name))) {
      EXPECT_TRUE(c.as_object().contains(name)) << "documented but not sent: " << name;
    }
  }
}

// Found by fuzzing (tests/fuzz/api_fuzz.cc): text that is not UTF-8 was echoed into JSON errors,
// and an empty JSON key was refused without a name.
TEST_F(ApiTest, HostileTargetsMethodsAndKeysGetNamedErrors) {
  EXPECT_TRUE(is_error(call("GET", "/api/v1/cases?state=%ff", "registrar"), 400, "invalid_query"));
  EXPECT_TRUE(is_error(call("GET", "/api/v1/cases/%c0%af", "registrar"), 400, "invalid_target"));
  EXPECT_TRUE(is_error(call("P\xffOST", "/api/v1/cases", "registrar"), 400, "invalid_method"));
  EXPECT_TRUE(is_error(
      call("POST", "/api/v1/agencies", "district_admin", R"({"": "x", "code": "a", "name": "b"})"),
      400, "invalid_input", "\"\""));
  Response r =
      call("POST", "/api/v1/cases", "registrar", R"({"workflow": "gov-info-disclosure", "": 1})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find(R"("field":"\"\"")"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace disclose::http
