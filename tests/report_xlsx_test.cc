// The annual report as .xlsx: the workbook is unpacked with `unzip -p` and the cells, merged
// ranges and labels of both sheets are read back from the sheet XML and the shared strings.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "disclose/annual_report.h"
#include "disclose/cli.h"
#include "disclose/store.h"
#include "report/report_xlsx.h"
#include "sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace disclose {
namespace {

namespace fs = std::filesystem;

// The output of `unzip -p file member`; "" when the member is missing.
std::string unzip_member(const std::string& file, const std::string& member) {
  std::string command = "unzip -p '" + file + "' '" + member + "' 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return "";
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  return out;
}

std::string unescape(std::string text) {
  const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + 1))
      text.replace(at, std::string(from).size(), to);
  }
  return text;
}

// A sheet read back: each cell's value as text (shared strings resolved) and the merged ranges.
struct Sheet {
  std::map<std::string, std::string> cells;
  std::vector<std::string> merges;
  std::map<std::string, bool> numeric;

  std::string at(const std::string& ref) const {
    auto found = cells.find(ref);
    return found == cells.end() ? "<missing " + ref + ">" : found->second;
  }
  bool merged(const std::string& range) const {
    return std::find(merges.begin(), merges.end(), range) != merges.end();
  }
};

std::vector<std::string> shared_strings(const std::string& xml) {
  std::vector<std::string> strings;
  for (size_t si = xml.find("<si>"); si != std::string::npos; si = xml.find("<si>", si + 1)) {
    size_t end = xml.find("</si>", si);
    std::string text;
    for (size_t t = xml.find("<t", si); t != std::string::npos && t < end;
         t = xml.find("<t", t + 1)) {
      size_t open = xml.find('>', t) + 1;
      size_t close = xml.find("</t>", open);
      text += xml.substr(open, close - open);
    }
    strings.push_back(unescape(text));
  }
  return strings;
}

Sheet read_sheet(const std::string& file, int number) {
  std::vector<std::string> strings = shared_strings(unzip_member(file, "xl/sharedStrings.xml"));
  std::string xml = unzip_member(file, "xl/worksheets/sheet" + std::to_string(number) + ".xml");
  Sheet sheet;
  for (size_t c = xml.find("<c r=\""); c != std::string::npos; c = xml.find("<c r=\"", c + 1)) {
    size_t ref_end = xml.find('"', c + 6);
    std::string ref = xml.substr(c + 6, ref_end - c - 6);
    size_t tag_end = xml.find('>', c);
    if (xml[tag_end - 1] == '/') continue;  // a blank (formatted) cell
    std::string tag = xml.substr(c, tag_end - c);
    size_t v = xml.find("<v>", tag_end);
    size_t v_end = xml.find("</v>", v);
    std::string value = xml.substr(v + 3, v_end - v - 3);
    bool is_string = tag.find("t=\"s\"") != std::string::npos;
    sheet.cells[ref] = is_string ? strings.at(std::stoul(value)) : value;
    sheet.numeric[ref] = !is_string;
  }
  for (size_t m = xml.find("<mergeCell ref=\""); m != std::string::npos;
       m = xml.find("<mergeCell ref=\"", m + 1)) {
    size_t end = xml.find('"', m + 16);
    sheet.merges.push_back(xml.substr(m + 16, end - m - 16));
  }
  return sheet;
}

// Row i of table 三, column c: i * 10 + c, so every cell is told apart.
AnnualReport sample_report() {
  AnnualReport report;
  report.year = 2025;
  report.workflow = "gov-info-disclosure";
  report.agency = "zrzy";
  report.agency_name = "区自然资源局";
  int i = 0;
  for (const ReportRowDef& def : annual_report_rows()) {
    ReportRow row{def.code, def.group, def.label, {}};
    for (int c = 0; c < kReportColumns; ++c) row.cells[c] = i * 10 + c;
    report.rows.push_back(row);
    ++i;
  }
  report.remedies = {{"review", "行政复议", {1, 2, 3, 4, 10}},
                     {"suit_direct", "未经复议直接起诉", {5, 6, 7, 8, 26}},
                     {"suit_after_review", "复议后起诉", {9, 11, 12, 13, 45}}};
  report.fees_yuan = 500;
  report.fees_paid = 3;
  return report;
}

class ReportXlsxTest : public ::testing::Test {
 protected:
  fixture::TempDir dir_;
};

TEST_F(ReportXlsxTest, Table3InTheOfficialLayout) {
  std::string file = (dir_ / "annual.xlsx").string();
  write_annual_report_xlsx(sample_report(), file);
  ASSERT_TRUE(fs::exists(file));
  Sheet sheet = read_sheet(file, 1);
  ASSERT_FALSE(sheet.cells.empty()) << "no sheet1.xml in " << file;

  EXPECT_EQ(sheet.at("A1"), "区自然资源局2025年政府信息公开工作年度报告");
  EXPECT_TRUE(sheet.merged("A1:J1"));
  EXPECT_EQ(sheet.at("A2"), "2025年1月1日至2025年12月31日");
  // Header: the note over A4:C6, 申请人情况 over seven columns, 法人或其他组织 over five.
  EXPECT_TRUE(sheet.merged("A4:C6"));
  EXPECT_EQ(sheet.at("D4"), "申请人情况");
  EXPECT_TRUE(sheet.merged("D4:J4"));
  EXPECT_EQ(sheet.at("D5"), "自然人");
  EXPECT_TRUE(sheet.merged("D5:D6"));
  EXPECT_EQ(sheet.at("E5"), "法人或其他组织");
  EXPECT_TRUE(sheet.merged("E5:I5"));
  EXPECT_EQ(sheet.at("E6"), "商业企业");
  EXPECT_EQ(sheet.at("I6"), "其他");
  EXPECT_EQ(sheet.at("J5"), "总计");
  EXPECT_TRUE(sheet.merged("J5:J6"));

  // Rows 7.. hold the 25 rows of the form.
  EXPECT_EQ(sheet.at("A7"), "一、本年新收政府信息公开申请数量");
  EXPECT_TRUE(sheet.merged("A7:C7"));
  EXPECT_EQ(sheet.at("A9"), "三、本年度办理结果");
  EXPECT_TRUE(sheet.merged("A9:A30"));
  EXPECT_EQ(sheet.at("B9"), "（一）予以公开");
  EXPECT_TRUE(sheet.merged("B9:C9"));
  EXPECT_EQ(sheet.at("B11"), "（三）不予公开");
  EXPECT_TRUE(sheet.merged("B11:B18"));
  EXPECT_EQ(sheet.at("C11"), "1.属于国家秘密");
  EXPECT_EQ(sheet.at("C13"), "3.危及“三安全一稳定”");
  EXPECT_EQ(sheet.at("B19"), "（四）无法提供");
  EXPECT_TRUE(sheet.merged("B19:B21"));
  EXPECT_EQ(sheet.at("B22"), "（五）不予处理");
  EXPECT_TRUE(sheet.merged("B22:B26"));
  EXPECT_EQ(sheet.at("B27"), "（六）其他处理");
  EXPECT_TRUE(sheet.merged("B27:B29"));
  EXPECT_EQ(sheet.at("C29"), "3.其他");
  EXPECT_EQ(sheet.at("B30"), "（七）总计");
  EXPECT_EQ(sheet.at("A31"), "四、结转下年度继续办理");
  EXPECT_TRUE(sheet.merged("A31:C31"));

  // Numbers are numbers: 一/自然人 = 0, 三(七)/总计 = 23 * 10 + 6, 四/总计 = 24 * 10 + 6.
  EXPECT_EQ(sheet.at("D7"), "0");
  EXPECT_TRUE(sheet.numeric.at("D7"));
  EXPECT_EQ(sheet.at("E8"), "11");
  EXPECT_EQ(sheet.at("J30"), "236");
  EXPECT_TRUE(sheet.numeric.at("J30"));
  EXPECT_EQ(sheet.at("J31"), "246");
  EXPECT_EQ(sheet.at("A33"), "数据校验：勾稽关系全部相符。");

  // Print setup: A4 landscape.
  std::string xml = unzip_member(file, "xl/worksheets/sheet1.xml");
  EXPECT_NE(xml.find("paperSize=\"9\""), std::string::npos);
  EXPECT_NE(xml.find("orientation=\"landscape\""), std::string::npos);
  std::string book = unzip_member(file, "xl/workbook.xml");
  EXPECT_NE(book.find("name=\"表三\""), std::string::npos) << book;
  EXPECT_NE(book.find("name=\"表四\""), std::string::npos) << book;
}

TEST_F(ReportXlsxTest, Table4AndFees) {
  std::string file = (dir_ / "annual.xlsx").string();
  write_annual_report_xlsx(sample_report(), file);
  Sheet sheet = read_sheet(file, 2);
  EXPECT_EQ(sheet.at("A1"), "四、政府信息公开行政复议、行政诉讼情况");
  EXPECT_EQ(sheet.at("A2"), "行政复议");
  EXPECT_TRUE(sheet.merged("A2:E2"));
  EXPECT_EQ(sheet.at("F2"), "行政诉讼");
  EXPECT_TRUE(sheet.merged("F2:O2"));
  EXPECT_EQ(sheet.at("A3"), "结果维持");
  EXPECT_TRUE(sheet.merged("A3:A4"));
  EXPECT_EQ(sheet.at("F3"), "未经复议直接起诉");
  EXPECT_TRUE(sheet.merged("F3:J3"));
  EXPECT_EQ(sheet.at("K3"), "复议后起诉");
  EXPECT_TRUE(sheet.merged("K3:O3"));
  EXPECT_EQ(sheet.at("O4"), "总计");
  const char* expected[] = {"1", "2",  "3", "4",  "10", "5",  "6", "7",
                            "8", "26", "9", "11", "12", "13", "45"};
  for (int c = 0; c < 15; ++c) {
    std::string ref = std::string(1, static_cast<char>('A' + c)) + "5";
    EXPECT_EQ(sheet.at(ref), expected[c]) << ref;
    EXPECT_TRUE(sheet.numeric[ref]) << ref;
  }
  EXPECT_EQ(sheet.at("A7"), "六、其他需要报告的事项");
  EXPECT_EQ(sheet.at("A8"), "收取信息处理费（元）");
  EXPECT_EQ(sheet.at("D8"), "500");
  EXPECT_TRUE(sheet.numeric.at("D8"));
  EXPECT_EQ(sheet.at("D9"), "3");
}

TEST_F(ReportXlsxTest, FailedChecksAreListed) {
  AnnualReport report = sample_report();
  report.check_failures = {"三(七)/自然人: 12 ≠ 11", "case X (id 1): <no row>"};
  std::string file = (dir_ / "annual.xlsx").string();
  write_annual_report_xlsx(report, file);
  Sheet sheet = read_sheet(file, 1);
  EXPECT_EQ(sheet.at("A33"), "数据校验未通过：");
  EXPECT_EQ(sheet.at("A34"), "三(七)/自然人: 12 ≠ 11");
  EXPECT_EQ(sheet.at("A35"), "case X (id 1): <no row>");
}

TEST_F(ReportXlsxTest, UnwritablePathThrows) {
  EXPECT_THROW(write_annual_report_xlsx(sample_report(), (dir_ / "no/such/dir/a.xlsx").string()),
               std::runtime_error);
}

class ReportXlsxCli : public ReportXlsxTest {
 protected:
  void SetUp() override {
    ReportXlsxTest::SetUp();
    db_ = (dir_ / "test.db").string();
    auto store = open_sqlite_store(SqliteOptions{db_});
    store->add_agency({"zrzy", "区自然资源局", "自然资源"});
  }
  int run(std::vector<std::string> args, std::string* err = nullptr) {
    std::vector<std::string> full = {"--db",  db_,         "--workflows", DISCLOSE_SOURCE_WORKFLOWS,
                                     "--now", "2026-06-30"};
    full.insert(full.end(), args.begin(), args.end());
    std::istringstream in;
    std::ostringstream out, error;
    int status = cli::run(full, in, out, error);
    if (err) *err = error.str();
    EXPECT_EQ(out.str(), "");
    return status;
  }
  std::string db_;
};

TEST_F(ReportXlsxCli, WritesTheWorkbook) {
  std::string file = (dir_ / "annual.xlsx").string();
  std::string err;
  ASSERT_EQ(run({"report", "annual", "--year", "2025", "--agency", "zrzy", "--format", "xlsx",
                 "--out", file},
                &err),
            0)
      << err;
  Sheet sheet = read_sheet(file, 1);
  EXPECT_EQ(sheet.at("A1"), "区自然资源局2025年政府信息公开工作年度报告");
  EXPECT_EQ(sheet.at("J30"), "0");
  EXPECT_EQ(sheet.at("A31"), "四、结转下年度继续办理");
  EXPECT_EQ(read_sheet(file, 2).at("O5"), "0");
}

TEST_F(ReportXlsxCli, XlsxNeedsOut) {
  std::string err;
  EXPECT_EQ(run({"report", "annual", "--year", "2025", "--format", "xlsx"}, &err), 2);
  EXPECT_NE(err.find("--format xlsx needs --out FILE"), std::string::npos) << err;

  EXPECT_EQ(run({"report", "annual", "--year", "2025", "--format", "xlsx", "--out",
                 (dir_ / "no/such/dir/a.xlsx").string()},
                &err),
            1);
  EXPECT_NE(err.find("cannot write " + (dir_ / "no/such/dir/a.xlsx").string()), std::string::npos)
      << err;
}

}  // namespace
}  // namespace disclose
