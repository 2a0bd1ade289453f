// GET and PUT /api/v1/calendar/{year} (issue #7) wired as `disclose serve` wires them: the Api
// over a CLI Context, whose calendar an import switches in place, so the very next request
// counts with the new data.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <shared_mutex>
#include <string>

#include <boost/json.hpp>

#include "disclose/calendar_gate.h"
#include "disclose/calendar_import.h"
#include "disclose/cli_context.h"
#include "disclose/shared_gate.h"
#include "disclose/time_source.h"
#include "engine_fixture.h"
#include "http/api/api.h"
#include "http/metrics.h"
#include "temp_dir.h"

namespace disclose {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// 2027 has no bundled data; this notice gives it one holiday on Monday 1 March.
const std::string k2027 =
    R"({"year": 2027, "papers": ["测试通知"], "days": [
         {"name": "测试假日", "date": "2027-03-01", "isOffDay": true}]})";

class CalendarApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.db_path = (dir_ / "c.db").string();
    options_.workflows_dir = DISCLOSE_SOURCE_WORKFLOWS;
    options_.now = "2025-11-03";
    context_ = std::make_unique<cli::Context>(options_);
    Store& store = context_->store();
    store.add_agency(Agency{"qzf", "区政府办公室", "区府办"});
    store.add_agency(Agency{"zrzy", "区自然资源局", "自然资源"});
    admin_ = token_for("admin", "qzf", true);
    agency_admin_ = token_for("admin", "zrzy", false);
    registrar_ = token_for("registrar", "zrzy", false);
    api_options_.import_calendar = [this](const std::vector<CalendarYear>& years) {
      cli::CalendarImportSummary s = cli::import_calendar_years(*context_, years);
      return http::CalendarImportReport{years, s.cases_checked, s.cases_changed,
                                        s.calendar_version};
    };
    api_ = std::make_unique<http::Api>(store, context_->engine(), clock_, metrics_, api_options_);
  }

  void TearDown() override {
    api_.reset();
    context_.reset();
  }

  std::string token_for(const std::string& role, const std::string& agency, bool scope_all) {
    User u;
    u.name = role + "@" + agency;
    u.role = role;
    u.agency = agency;
    u.scope_all = scope_all;
    return context_->store().issue_token(context_->store().add_user(u).id).token;
  }

  static http::Request request(const std::string& method, const std::string& target,
                               const std::string& token, const std::string& body = "") {
    http::Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.headers.emplace_back("Authorization", "Bearer " + token);
    return r;
  }

  http::Response call(const std::string& method, const std::string& target,
                      const std::string& token, const std::string& body = "") {
    return api_->handle(request(method, target, token, body));
  }

  json::object ok_json(const http::Response& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).as_object();
  }

  fixture::TempDir dir_;
  cli::GlobalOptions options_;
  std::unique_ptr<cli::Context> context_;
  FixedTimeSource clock_{fixture::moment("2025-11-03")};
  http::Metrics metrics_;
  http::ApiOptions api_options_;
  std::unique_ptr<http::Api> api_;
  std::string admin_, agency_admin_, registrar_;
};

TEST_F(CalendarApiTest, ABundledYear) {
  json::object y = ok_json(call("GET", "/api/v1/calendar/2025", registrar_));
  EXPECT_EQ(y.at("year"), 2025);
  EXPECT_EQ(y.at("origin"), "bundled");
  EXPECT_EQ(y.at("official"), true);
  EXPECT_EQ(y.at("working_days"), 248);  // DESIGN.md §3
  const json::array& off = y.at("off_days").as_array();
  EXPECT_NE(std::find(off.begin(), off.end(), json::value("2025-01-28")), off.end());
  const json::array& work = y.at("work_days").as_array();
  EXPECT_NE(std::find(work.begin(), work.end(), json::value("2025-09-28")), work.end());
  EXPECT_TRUE(y.at("calendar_version").is_string());
}

TEST_F(CalendarApiTest, AYearWithoutDataCountsWeekendsOnly) {
  json::object y = ok_json(call("GET", "/api/v1/calendar/2027", registrar_));
  EXPECT_EQ(y.at("origin"), "none");
  EXPECT_EQ(y.at("official"), false);
  EXPECT_TRUE(y.at("version").is_null());
  EXPECT_TRUE(y.at("off_days").as_array().empty());
  EXPECT_EQ(call("GET", "/api/v1/calendar/20x7", registrar_).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/calendar/1", registrar_).status, 404);
}

TEST_F(CalendarApiTest, ImportPutsTheYearInForceForTheNextRequest) {
  std::string due = "/api/v1/calendar/due?from=2027-02-26&working_days=1";
  json::object before = ok_json(call("GET", due, registrar_));
  EXPECT_EQ(before.at("due_on"), "2027-03-01");
  EXPECT_EQ(before.at("provisional"), true);

  json::object report = ok_json(call("PUT", "/api/v1/calendar/2027", admin_, k2027));
  ASSERT_EQ(report.at("imported").as_array().size(), 1u);
  EXPECT_EQ(report.at("imported").at(0).at("year"), 2027);
  EXPECT_EQ(report.at("imported").at(0).at("off_days"), 1);

  json::object after = ok_json(call("GET", due, registrar_));
  EXPECT_EQ(after.at("due_on"), "2027-03-02");
  EXPECT_EQ(after.at("provisional"), false);
  EXPECT_EQ(after.at("calendar_version"), report.at("calendar_version"));
  json::object y = ok_json(call("GET", "/api/v1/calendar/2027", registrar_));
  EXPECT_EQ(y.at("origin"), "imported");
  EXPECT_EQ(y.at("official"), true);
  EXPECT_EQ(y.at("off_days"), json::array{"2027-03-01"});
  // Saved: a fresh context (a restart) has it too.
  EXPECT_EQ(context_->store().calendar_years().size(), 1u);
}

TEST_F(CalendarApiTest, ImportIsForDistrictAdminsAndChecksTheBody) {
  http::Response registrar = call("PUT", "/api/v1/calendar/2027", registrar_, k2027);
  EXPECT_EQ(registrar.status, 403);
  EXPECT_EQ(json::parse(registrar.body).at("error").at("code"), "role_not_permitted");
  http::Response agency_admin = call("PUT", "/api/v1/calendar/2027", agency_admin_, k2027);
  EXPECT_EQ(agency_admin.status, 403);
  EXPECT_EQ(json::parse(agency_admin.body).at("error").at("code"), "out_of_scope");
  http::Response wrong_year = call("PUT", "/api/v1/calendar/2028", admin_, k2027);
  EXPECT_EQ(wrong_year.status, 400);
  EXPECT_EQ(json::parse(wrong_year.body).at("error").at("field"), "year");
  http::Response garbage = call("PUT", "/api/v1/calendar/2027", admin_, "{\"year\": 2027,");
  EXPECT_EQ(garbage.status, 400);
  EXPECT_TRUE(context_->store().calendar_years().empty());
  EXPECT_EQ(ok_json(call("GET", "/api/v1/calendar/2027", registrar_)).at("origin"), "none");
}

// As `disclose serve` wires it: the import checks it holds the gate alone. One let in beside
// other requests (its caller's token issued between the gate's look and the API's) refuses with
// 503 and saves nothing; through the gate, the same request imports.
TEST_F(CalendarApiTest, AnImportThatDoesNotHoldTheGateAloneRefusesAndChangesNothing) {
  SharedGate lock;
  http::ApiOptions options = api_options_;
  options.holds_server_alone = [&lock] { return lock.held_alone_by_this_thread(); };
  http::Api api(context_->store(), context_->engine(), clock_, metrics_, options);
  cli::CalendarGate gate(api, lock);
  const http::Request import = request("PUT", "/api/v1/calendar/2027", admin_, k2027);

  http::Response bypassing = api.handle(import);
  EXPECT_EQ(bypassing.status, 503) << bypassing.body;
  EXPECT_EQ(json::parse(bypassing.body).at("error").at("code"), "busy");
  EXPECT_TRUE(std::any_of(bypassing.headers.begin(), bypassing.headers.end(),
                          [](const auto& h) { return h.first == "Retry-After"; }));
  {
    std::shared_lock sharing(lock);  // as a request in flight holds it
    EXPECT_EQ(api.handle(import).status, 503);
  }
  EXPECT_TRUE(context_->store().calendar_years().empty());

  ASSERT_TRUE(api.traits(import).runs_alone);
  http::Response through_the_gate = gate.handle(import);
  EXPECT_EQ(through_the_gate.status, 200) << through_the_gate.body;
  EXPECT_EQ(context_->store().calendar_years().size(), 1u);
  // A caller the API refuses anyway is refused without waiting for the requests in flight (as
  // an import would, taking the gate alone): a stream of them must not stall the server.
  std::shared_lock in_flight(lock);
  for (const std::string& token : {registrar_, agency_admin_, std::string("dsk_junk")}) {
    const http::Request refused = request("PUT", "/api/v1/calendar/2027", token, k2027);
    EXPECT_FALSE(api.traits(refused).runs_alone) << token;
    auto answer = std::async(std::launch::async, [&] { return gate.handle(refused); });
    ASSERT_EQ(answer.wait_for(std::chrono::seconds(15)), std::future_status::ready) << token;
    EXPECT_EQ(answer.get().status, token == "dsk_junk" ? 401 : 403);
  }
}

TEST(CalendarApiWithoutImport, Answers501) {
  auto store_options = cli::GlobalOptions{};
  store_options.db_path = ":memory:";
  store_options.workflows_dir = DISCLOSE_SOURCE_WORKFLOWS;
  cli::Context context(store_options);
  User u;
  u.name = "admin";
  u.role = "admin";
  u.agency = "";
  u.scope_all = true;
  std::string token = context.store().issue_token(context.store().add_user(u).id).token;
  FixedTimeSource clock(fixture::moment("2025-11-03"));
  http::Metrics metrics;
  http::Api api(context.store(), context.engine(), clock, metrics, {});
  http::Request r;
  r.method = "PUT";
  r.target = "/api/v1/calendar/2027";
  r.body = k2027;
  r.headers.emplace_back("Authorization", "Bearer " + token);
  http::Response answer = api.handle(r);
  EXPECT_EQ(answer.status, 501);
  EXPECT_EQ(json::parse(answer.body).at("error").at("code"), "not_implemented");
}

}  // namespace
}  // namespace disclose
