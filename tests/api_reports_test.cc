// The report and export routes at handler level (Api::handle on a generated database): the
// annual report in four formats, statistics, one case's export, the streamed bulk export; roles,
// agency scope, PII masking for auditors, bad queries naming the parameter; and that each body is
// the one the CLI's code makes.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include <boost/json.hpp>

#include "disclose/annual_report.h"
#include "disclose/audit.h"
#include "disclose/bulk_export.h"
#include "disclose/case_export.h"
#include "http/api/api.h"
#include "http/metrics.h"
#include "report/report_service.h"
#include "report_fixture.h"

namespace disclose::http {
namespace {

namespace json = boost::json;
using fixture::CaseSpec;

std::string header_of(const Response& r, const std::string& name) {
  for (const auto& [key, value] : r.headers)
    if (key == name) return value;
  return "";
}

// The error's code and field, "code/field".
std::string error_of(const Response& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("error")) return "(not an error) " + r.body;
  const json::object& e = v.at("error").as_object();
  std::string field = e.contains("field") ? std::string(e.at("field").as_string()) : "";
  return std::string(e.at("code").as_string()) + "/" + field;
}

std::string drain(Response& r) {
  if (!r.body_stream) return r.body;
  std::string out, chunk;
  while (r.body_stream(chunk)) out += chunk;
  return out;
}

class ApiReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.store().add_agency(Agency{"qzf", "区政府办公室", "区府办"});
    for (const char* role : {"registrar", "handler", "supervisor", "auditor", "admin"})
      add_user(role, role, "zrzy");
    add_user("fgw_supervisor", "supervisor", "fgw");
    add_user("district_auditor", "auditor", "qzf", true);
    api_ = std::make_unique<Api>(db_.store(), db_.engine(), clock_, metrics_, ApiOptions{});

    CaseSpec replied;
    replied.steps = fixture::replied_path("2025-03-20");
    closed_ = db_.add(replied).id;
    CaseSpec open;
    open.steps = fixture::gov_info_path("handling");
    db_.add(open);
    CaseSpec other;
    other.agency = "fgw";
    other.steps = fixture::replied_path("2025-04-15");
    fgw_case_ = db_.add(other).id;
  }

  void add_user(const std::string& key, const std::string& role, const std::string& agency,
                bool all = false) {
    User u;
    u.name = key;
    u.role = role;
    u.agency = agency;
    u.scope_all = all;
    User stored = db_.store().add_user(u);
    tokens_[key] = db_.store().issue_token(stored.id).token;
  }

  Response get(const std::string& target, const std::string& who) {
    Request r;
    r.method = "GET";
    r.target = target;
    r.request_id = "t";
    r.headers.emplace_back("Authorization", "Bearer " + tokens_.at(who));
    return api_->handle(r);
  }

  fixture::StoreFixture db_;
  FixedTimeSource clock_{fixture::moment("2025-06-30")};
  Metrics metrics_;
  std::unique_ptr<Api> api_;
  std::map<std::string, std::string> tokens_;
  int64_t closed_ = 0;
  int64_t fgw_case_ = 0;
};

TEST_F(ApiReportsTest, AnnualReportInEveryFormatIsTheCliReport) {
  const Workflow& workflow = *db_.engine().workflows().find("gov-info-disclosure");
  AnnualReport expected = annual_report_from_store(db_.store(), workflow, 2025, "", "");
  ASSERT_TRUE(expected.ok());

  Response json_r = get("/api/v1/reports/annual?year=2025", "district_auditor");
  ASSERT_EQ(json_r.status, 200) << json_r.body;
  EXPECT_EQ(json_r.content_type, "application/json");
  EXPECT_EQ(json::parse(json_r.body), annual_report_json(expected));
  EXPECT_EQ(header_of(json_r, "Content-Disposition"),
            "inline; filename=\"annual-report-2025.json\"");

  Response csv = get("/api/v1/reports/annual?year=2025&format=csv", "district_auditor");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBF", 0), 0u);
  EXPECT_EQ(csv.body, render_annual_report_csv(expected));
  EXPECT_EQ(header_of(csv, "Content-Disposition"),
            "attachment; filename=\"annual-report-2025.csv\"");

  Response html = get("/api/v1/reports/annual?year=2025&format=html", "supervisor");
  ASSERT_EQ(html.status, 200);
  EXPECT_EQ(html.content_type, "text/html; charset=utf-8");
  EXPECT_NE(html.body.find("区自然资源局"), std::string::npos);  // the caller's own agency

  Response xlsx = get("/api/v1/reports/annual?year=2025&format=xlsx&agency=zrzy", "admin");
  ASSERT_EQ(xlsx.status, 200) << xlsx.body;
  EXPECT_EQ(xlsx.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(xlsx.body.rfind("PK", 0), 0u);  // a ZIP container
  EXPECT_GT(xlsx.body.size(), 2000u);
  EXPECT_EQ(header_of(xlsx, "Content-Disposition"),
            "attachment; filename=\"annual-report-2025-zrzy.xlsx\"");
}

TEST_F(ApiReportsTest, AnnualReportCarriesTheEventLogsHeadAsAnAnchorThatHolds) {
  Response json_r = get("/api/v1/reports/annual?year=2025", "district_auditor");
  ASSERT_EQ(json_r.status, 200) << json_r.body;
  const std::string anchor_text(json::parse(json_r.body).at("audit_anchor").as_string());
  std::optional<AuditAnchor> anchor = parse_audit_anchor(anchor_text);
  ASSERT_TRUE(anchor.has_value()) << anchor_text;
  ChainHead head = db_.store().global_head();
  EXPECT_EQ(anchor->global_seq, head.global_seq);
  EXPECT_EQ(anchor->global_hash, head.global_hash);
  EXPECT_GT(anchor->global_seq, 0);

  // Printed in the HTML report too, and it still holds after the log grows.
  Response html = get("/api/v1/reports/annual?year=2025&format=html", "district_auditor");
  EXPECT_NE(html.body.find("<code>" + anchor_text + "</code>"), std::string::npos);
  CaseSpec later;
  later.steps = fixture::gov_info_path("handling");
  db_.add(later);
  AuditReport audit = db_.store().verify_audit({*anchor});
  EXPECT_TRUE(audit.ok);
  EXPECT_EQ(audit.anchors_matched, 1);
  EXPECT_GT(audit.head_seq, anchor->global_seq);
}

TEST_F(ApiReportsTest, AnnualReportRolesScopeAndBadQueries) {
  EXPECT_EQ(get("/api/v1/reports/annual?year=2025", "handler").status, 403);
  EXPECT_EQ(get("/api/v1/reports/annual?year=2025", "registrar").status, 403);
  Response r = get("/api/v1/reports/annual", "supervisor");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_of(r), "missing_query/year");
  EXPECT_EQ(error_of(get("/api/v1/reports/annual?year=20x5", "supervisor")), "invalid_query/year");
  EXPECT_EQ(error_of(get("/api/v1/reports/annual?year=2025&format=pdf", "supervisor")),
            "invalid_query/format");
  // Another agency does not exist for an agency-scoped caller.
  r = get("/api/v1/reports/annual?year=2025&agency=zrzy", "fgw_supervisor");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_of(r), "not_found/agency");
  EXPECT_EQ(error_of(get("/api/v1/reports/annual?year=2025&agency=nope", "district_auditor")),
            "not_found/agency");
  // Scoped callers get their own agency: one closed case in 2025 for fgw.
  r = get("/api/v1/reports/annual?year=2025", "fgw_supervisor");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).at("agency").as_string(), "fgw");
}

TEST_F(ApiReportsTest, AnnualReportThatDoesNotAddUpIsA422NamingTheCell) {
  // A case whose applicant kind is none of the six columns (written behind the engine's back).
  const Engine& engine = db_.engine();
  Moment now = fixture::moment("2025-06-30");
  auto reg =
      engine.register_case(fixture::registration("2025-05-06"), fixture::actor("registrar"), now);
  ASSERT_TRUE(reg.ok());
  Case odd = reg.value().next;
  odd.registration.applicant.kind = "martian";
  db_.store().create_case(odd, reg.value().event, engine.deadlines(odd, now.today));

  Response r = get("/api/v1/reports/annual?year=2025&format=csv", "supervisor");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(error_of(r), "report_check_failed/");
  json::value body = json::parse(r.body);
  ASSERT_TRUE(body.at("error").at("failures").is_array());
  std::string all;
  for (const auto& f : body.at("error").at("failures").as_array())
    all += std::string(f.as_string()) + "\n";
  EXPECT_NE(all.find("martian"), std::string::npos) << all;
  EXPECT_NE(std::string(body.at("error").at("message").as_string()).find("does not add up"),
            std::string::npos);
}

TEST_F(ApiReportsTest, StatsRolesScopeAndQueries) {
  Response r = get("/api/v1/reports/stats?from=2025-01-01&to=2025-06-30", "district_auditor");
  ASSERT_EQ(r.status, 200) << r.body;
  json::value s = json::parse(r.body);
  EXPECT_EQ(s.at("on_time").at("met").as_int64(), 1);
  EXPECT_EQ(s.at("on_time").at("missed").as_int64(), 1);
  EXPECT_EQ(s.at("overdue_now").at("by_agency").at("zrzy").as_int64(), 1);
  EXPECT_TRUE(s.at("agency").is_null());

  r = get("/api/v1/reports/stats", "fgw_supervisor");
  ASSERT_EQ(r.status, 200);
  s = json::parse(r.body);
  EXPECT_EQ(s.at("agency").as_string(), "fgw");
  EXPECT_EQ(s.at("on_time").at("closed").as_int64(), 1);

  EXPECT_EQ(get("/api/v1/reports/stats", "handler").status, 403);
  EXPECT_EQ(error_of(get("/api/v1/reports/stats?from=2025-13-01", "admin")), "invalid_query/from");
  EXPECT_EQ(error_of(get("/api/v1/reports/stats?from=2025-02-01&to=2025-01-01", "admin")),
            "invalid_query/to");
  EXPECT_EQ(error_of(get("/api/v1/reports/stats?agency=fgw", "supervisor")), "not_found/agency");
}

TEST_F(ApiReportsTest, CaseExportVerifiesAndMasksForAuditors) {
  const std::string path = "/api/v1/cases/" + std::to_string(closed_) + "/export";
  Response full = get(path, "handler");
  ASSERT_EQ(full.status, 200) << full.body;
  EXPECT_EQ(full.content_type, "application/json");
  EXPECT_EQ(header_of(full, "Content-Disposition"),
            "attachment; filename=\"case-" + std::to_string(closed_) + ".json\"");
  VerifyResult v = verify_case_export(json::parse(full.body));
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_EQ(v.redacted, 0);
  EXPECT_NE(full.body.find("370302199001011234"), std::string::npos);
  // The same document the CLI writes.
  Case c = *db_.store().load_case(closed_);
  EXPECT_EQ(json::parse(full.body), export_case_json(db_.engine(), c, db_.store().history(closed_),
                                                     fixture::date("2025-06-30")));

  Response masked = get(path, "auditor");
  ASSERT_EQ(masked.status, 200);
  EXPECT_EQ(masked.body.find("370302199001011234"), std::string::npos);
  EXPECT_EQ(masked.body.find("13800000000"), std::string::npos);
  v = verify_case_export(json::parse(masked.body));
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_EQ(v.redacted, 1);

  Response csv = get(path + "?format=csv", "auditor");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBF序号", 0), 0u);
  EXPECT_EQ(csv.body.find("370302199001011234"), std::string::npos);
  Response html = get(path + "?format=html", "supervisor");
  ASSERT_EQ(html.status, 200);
  EXPECT_EQ(html.content_type, "text/html; charset=utf-8");
  EXPECT_NE(html.body.find("政府信息公开申请案卷"), std::string::npos);

  EXPECT_EQ(error_of(get(path + "?format=xml", "handler")), "invalid_query/format");
  // Another agency's case is not found, as GET /cases/{id} has it; admins read no cases.
  EXPECT_EQ(get("/api/v1/cases/" + std::to_string(fgw_case_) + "/export", "auditor").status, 404);
  EXPECT_EQ(get("/api/v1/cases/99999/export", "auditor").status, 404);
  EXPECT_EQ(get(path, "admin").status, 403);
}

TEST_F(ApiReportsTest, BulkExportStreamsAVerifiableFileInScope) {
  Response r = get("/api/v1/exports/cases", "district_auditor");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(r.body_stream);
  EXPECT_EQ(r.content_type, "application/x-ndjson");
  EXPECT_EQ(header_of(r, "Content-Disposition"), "attachment; filename=\"cases-export.jsonl\"");
  std::string text = drain(r);
  BulkExportVerifier verifier;
  std::istringstream in(text);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    verifier.add_line(line);
    ++lines;
  }
  VerifyResult v = verifier.finish();
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_EQ(lines, 2 + 3);
  EXPECT_EQ(v.redacted, 3);  // an auditor's export is masked
  EXPECT_EQ(text.find("370302199001011234"), std::string::npos);

  // A supervisor of fgw sees fgw only, unmasked; filters narrow it further.
  r = get("/api/v1/exports/cases?format=csv&closed_from=2025-04-01", "fgw_supervisor");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/csv; charset=utf-8");
  text = drain(r);
  EXPECT_NE(text.find("\"\"agency\"\":\"\"fgw\"\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"\"cases\"\":1"), std::string::npos) << text;
  r = get("/api/v1/exports/cases?received_to=2025-01-01", "supervisor");
  text = drain(r);
  EXPECT_NE(text.find("\"cases\":0"), std::string::npos) << text;

  EXPECT_EQ(get("/api/v1/exports/cases", "registrar").status, 403);
  EXPECT_EQ(get("/api/v1/exports/cases", "admin").status, 403);
  EXPECT_EQ(error_of(get("/api/v1/exports/cases?received_from=yesterday", "supervisor")),
            "invalid_query/received_from");
  EXPECT_EQ(error_of(get("/api/v1/exports/cases?format=json", "supervisor")),
            "invalid_query/format");
  EXPECT_EQ(error_of(get("/api/v1/exports/cases?agency=fgw", "supervisor")), "not_found/agency");
}

}  // namespace
}  // namespace disclose::http
