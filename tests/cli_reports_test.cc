// The CLI's bulk export, JSON Lines verification and statistics, in-process on a generated
// database: `export cases`, `audit verify-export` on a bulk file (and on a tampered one),
// `report stats`, and masking for an auditor acting with --as.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "disclose/cli.h"
#include "report_fixture.h"

namespace disclose {
namespace {

namespace json = boost::json;
using fixture::CaseSpec;

struct CliRun {
  int status;
  std::string out;
  std::string err;
};

class CliReportsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 12; ++i) {
      CaseSpec spec;
      spec.agency = i % 3 == 0 ? "fgw" : "zrzy";
      if (i % 2 == 0) spec.steps = fixture::replied_path(i % 4 == 0 ? "2025-03-10" : "2025-04-15");
      db_.add(spec);
    }
    User auditor;
    auditor.name = "审计";
    auditor.role = "auditor";
    auditor.agency = "zrzy";
    auditor_id_ = std::to_string(db_.store().add_user(auditor).id);
  }

  CliRun run(std::vector<std::string> args) {
    std::vector<std::string> full = {
        "--db", db_.db_path(), "--workflows", DISCLOSE_SOURCE_WORKFLOWS, "--now", "2025-06-30"};
    full.insert(full.end(), args.begin(), args.end());
    std::istringstream in;
    std::ostringstream out, err;
    int status = cli::run(full, in, out, err);
    return {status, out.str(), err.str()};
  }

  static std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
  }
  static void write_lines(const std::string& path, const std::vector<std::string>& lines) {
    std::ofstream out(path, std::ios::trunc);
    for (const auto& l : lines) out << l << "\n";
  }

  fixture::StoreFixture db_;
  std::string auditor_id_;
};

TEST_F(CliReportsTest, ExportCasesThenVerifyThenTamper) {
  const std::string file = db_.dir() + "/all.jsonl";
  CliRun exported = run({"export", "cases", "--format", "jsonl", "--out", file});
  ASSERT_EQ(exported.status, 0) << exported.err;
  EXPECT_NE(exported.err.find("exported 12 cases"), std::string::npos) << exported.err;
  CliRun verified = run({"audit", "verify-export", file});
  EXPECT_EQ(verified.status, 0) << verified.out << verified.err;
  EXPECT_EQ(verified.out.rfind("ok: 12 cases, 42 events", 0), 0u) << verified.out;

  // Edit one event of the 6th case: its line and case and event are named.
  std::vector<std::string> lines = read_lines(file);
  ASSERT_EQ(lines.size(), 14u);
  json::object doc = json::parse(lines[6]).as_object();
  int64_t id = doc.at("case").at("id").as_int64();
  doc["events"].as_array()[0].as_object()["on"] = "2025-03-04";
  lines[6] = json::serialize(doc);
  write_lines(file, lines);
  CliRun broken = run({"audit", "verify-export", file});
  EXPECT_EQ(broken.status, 1);
  EXPECT_NE(broken.out.find("BROKEN: line 7: case " + std::to_string(id) + ": event seq 1"),
            std::string::npos)
      << broken.out;
}

TEST_F(CliReportsTest, ExportCasesFiltersAndCsv) {
  CliRun fgw = run({"export", "cases", "--agency", "fgw", "--closed-from", "2025-04-01"});
  ASSERT_EQ(fgw.status, 0) << fgw.err;
  EXPECT_NE(fgw.out.find("\"cases\":1,"), std::string::npos) << fgw.out;  // case 7 (index 6)
  CliRun csv = run({"export", "cases", "--format", "csv", "--received-to", "2025-03-03"});
  ASSERT_EQ(csv.status, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("\xEF\xBB\xBF案件ID", 0), 0u);
  EXPECT_NE(csv.out.find("#manifest,"), std::string::npos);

  CliRun bad = run({"export", "cases", "--received-from", "2025-3-1"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("--received-from"), std::string::npos) << bad.err;
  EXPECT_EQ(run({"export", "cases", "--agency", "nope"}).status, 2);
  EXPECT_EQ(run({"export", "cases", "--format", "xml"}).status, 2);
  // An agency-scoped user exports its own agency only.
  CliRun own = run({"--as", auditor_id_, "export", "cases", "--agency", "fgw"});
  EXPECT_EQ(own.status, 2);
}

TEST_F(CliReportsTest, AnAuditorsExportsAreMasked) {
  CliRun bulk = run({"--as", auditor_id_, "export", "cases"});
  ASSERT_EQ(bulk.status, 0) << bulk.err;
  EXPECT_EQ(bulk.out.find("370302199001011234"), std::string::npos);
  EXPECT_NE(bulk.out.find("\"pii\":\"masked\""), std::string::npos);
  const std::string file = db_.dir() + "/masked.jsonl";
  ASSERT_EQ(run({"--as", auditor_id_, "export", "cases", "--out", file}).status, 0);
  CliRun verified = run({"audit", "verify-export", file});
  EXPECT_EQ(verified.status, 0) << verified.out;
  EXPECT_NE(verified.out.find("8 redacted"), std::string::npos) << verified.out;

  CliRun one = run({"--as", auditor_id_, "export", "case", "2"});
  ASSERT_EQ(one.status, 0) << one.err;
  EXPECT_EQ(one.out.find("13800000000"), std::string::npos);
  CliRun operator_view = run({"export", "case", "2"});
  EXPECT_NE(operator_view.out.find("13800000000"), std::string::npos);
}

TEST_F(CliReportsTest, ReportStats) {
  CliRun r = run({"report", "stats", "--from", "2025-01-01", "--to", "2025-06-30"});
  ASSERT_EQ(r.status, 0) << r.err;
  json::value s = json::parse(r.out);
  // Cases 0, 4, 8 replied 03-10 (on time); 2, 6, 10 replied 04-15 (late); six still open.
  EXPECT_EQ(s.at("on_time").at("met").as_int64(), 3);
  EXPECT_EQ(s.at("on_time").at("missed").as_int64(), 3);
  EXPECT_EQ(s.at("overdue_now").at("total").as_int64(), 6);
  EXPECT_EQ(s.at("by_channel").at("online").as_int64(), 12);
  EXPECT_EQ(s.at("top_tags").at(0).at("tag").as_string(), "征地拆迁");

  CliRun fgw = run({"report", "stats", "--agency", "fgw", "--format", "text"});
  ASSERT_EQ(fgw.status, 0) << fgw.err;
  EXPECT_NE(fgw.out.find("按期率 (on-time rate): 50.0%"), std::string::npos) << fgw.out;

  EXPECT_EQ(run({"report", "stats", "--from", "01/01/2025"}).status, 2);
  EXPECT_EQ(run({"report", "stats", "--from", "2025-02-01", "--to", "2025-01-01"}).status, 2);
  EXPECT_EQ(run({"report", "stats", "--agency", "nope"}).status, 2);
}

}  // namespace
}  // namespace disclose
