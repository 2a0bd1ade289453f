// The annual report (DESIGN.md §4) over a data set driven through the real Engine, with every
// expected number counted by hand from the data set below, never by the code under test.
#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <boost/json.hpp>

#include "disclose/annual_report.h"
#include "disclose/cli.h"
#include "disclose/store.h"
#include "engine_fixture.h"
#include "sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace disclose {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using fixture::Harness;

const std::string kToday = "2026-06-30";
const std::string kGoldenDir = std::string(DISCLOSE_SOURCE_WORKFLOWS) + "/../tests/data/report";

// Drives cases through the Engine and, when given a store, persists every decision, so the same
// data set serves the library tests and the CLI on a real database.
class Builder {
 public:
  explicit Builder(Store* store = nullptr) : store_(store) {}

  const std::vector<Case>& cases() const { return cases_; }

  // Registers a request; returns its index in cases().
  size_t add(const std::string& kind, const std::string& received,
             const std::string& agency = "zrzy", const std::string& workflow = fixture::kGovInfo) {
    json::object doc = fixture::registration(received, workflow);
    doc["agency"] = agency;
    doc["applicant"].as_object()["kind"] = kind;
    auto result =
        engine().register_case(doc, fixture::actor("registrar", agency), fixture::moment(kToday));
    if (!result.ok()) throw std::runtime_error("register refused: " + fixture::describe(result));
    Case c = result.value().next;
    if (store_) {
      c = store_->create_case(c, result.value().event, engine().deadlines(c, today()));
    } else {
      c.id = static_cast<CaseId>(cases_.size()) + 1;
      c.number = "T-" + std::to_string(c.id);
    }
    cases_.push_back(c);
    return cases_.size() - 1;
  }

  void act(size_t index, const std::string& action, const std::string& role,
           json::object input = {}) {
    Case& current = cases_.at(index);
    Actor actor = fixture::actor(role, current.agency);
    auto result = engine().apply(current, action, input, actor, fixture::moment(kToday));
    if (!result.ok())
      throw std::runtime_error("case #" + std::to_string(index + 1) + " " + action + " in '" +
                               current.state + "' refused: " + fixture::describe(result));
    const Case& next = result.value().next;
    if (store_)
      store_->append_event(next, result.value().event, current.version,
                           engine().deadlines(next, today()));
    current = next;
  }

  void accept(size_t i, const std::string& on) {
    act(i, "submit_review", "registrar");
    act(i, "accept", "reviewer", json::object{{"on", on}});
  }
  // draft_reply + approve_reply + record_delivery: the reply counts as made on `delivered`.
  void reply(size_t i, const std::string& determination, const std::string& delivered) {
    act(i, "draft_reply", "handler",
        json::object{{"determination", determination}, {"basis", "条例"}, {"reasons", "测试"}});
    act(i, "approve_reply", "reviewer");
    act(i, "record_delivery", "registrar", json::object{{"method", "post"}, {"on", delivered}});
  }
  // A request accepted on the day it arrived and answered with `determination`.
  size_t answered(const std::string& kind, const std::string& received,
                  const std::string& determination, const std::string& delivered,
                  const std::string& agency = "zrzy") {
    size_t i = add(kind, received, agency);
    accept(i, received);
    reply(i, determination, delivered);
    return i;
  }
  void remedy(size_t i, const std::string& on, const std::string& kind, const std::string& result) {
    act(i, "record_remedy", "supervisor",
        json::object{{"on", on}, {"kind", kind}, {"result", result}});
  }
  void fee(size_t i, const std::string& notice_on, int yuan, const std::string& paid_on) {
    act(i, "fee_notice", "handler",
        json::object{{"on", notice_on},
                     {"method", "per_item"},
                     {"amount_yuan", yuan},
                     {"applicant_received_on", notice_on}});
    if (!paid_on.empty()) act(i, "fee_paid", "handler", json::object{{"on", paid_on}});
  }

 private:
  static const Engine& engine() { return Harness::shared().engine(); }
  static Date today() { return fixture::date(kToday); }

  Store* store_;
  std::vector<Case> cases_;
};

// The data set. Columns: NP natural_person, CO commercial, RE research, PW public_welfare,
// LS legal_service, OT other_org. Agency zrzy unless noted. "Today" is 2026-06-30.
//
//  #  kind received    what happens                                        closed      row
//  1  NP   2025-03-03  granted; review upheld 2026-02-01 (not 2025)         2025-03-20  三(一)
//  2  CO   2025-04-01  fee 200 paid; granted                                2025-04-15  三(一)
//  3  NP   2025-03-10  partial; review upheld 05-10; after-review pending  2025-04-02  三(二)
//  4  RE   2025-04-07  state_secret; review pending 05-01 then upheld 06-15 2025-04-25  三(三)1
//  5  PW   2025-05-06  law_prohibits                                        2025-05-20  三(三)2
//  6  LS   2025-05-12  security_stability                                   2025-05-30  三(三)3
//  7  OT   2025-06-03  third_party; suit_direct corrected 08-01             2025-06-20  三(三)4
//  8  NP   2025-06-09  internal_affairs; suit_direct other 08-05            2025-06-27  三(三)5
//  9  CO   2025-07-01  process_info; suit_direct pending 12-20              2025-07-18  三(三)6
// 10  NP   2025-07-07  enforcement_file; review other 09-01                 2025-07-25  三(三)7
// 11  LS   2025-08-04  special_access; review pending 12-28                 2025-08-22  三(三)8
// 12  NP   2025-08-11  not_held; after-review upheld 10-09                  2025-08-29  三(四)1
// 13  CO   2025-09-01  needs_creation; after-review corrected 10-20         2025-09-19  三(四)2
// 14  RE   2025-09-08  补正 09-10, corrected 09-22; unclear_after_correction 2025-10-17  三(四)3
// 15  NP   2025-09-15  petition; after-review other 11-11                   2025-09-30  三(五)1
// 16  PW   2025-10-09  fee 300 paid; repeat                                 2025-10-24  三(五)2
// 17  OT   2025-10-13  publication                                          2025-10-31  三(五)3
// 18  NP   2025-10-20  excessive                                            2025-11-07  三(五)4
// 19  LS   2025-11-03  confirm_reissue                                      2025-11-21  三(五)5
// 20  CO   2025-05-06  补正 05-08, correction_expired (system)              2025-05-30  三(六)1
// 21  RE   2025-06-02  fee 100 unpaid, fee_expired (system)                 2025-07-04  三(六)2
// 22  OT   2025-11-10  withdrawn                                            2025-11-20  三(六)3
// 23  PW   2025-11-17  other.other                                          2025-12-05  三(六)3
// 24  NP   2024-12-20  granted                                              2025-01-15  二, 三(一)
// 25  CO   2024-12-25  accepted, still handling                             -           二, 四
// 26  LS   2024-11-20  partial                                              2025-01-10  二, 三(二)
// 27  NP   2024-06-03  fee 50 paid 2024; granted; review upheld 2024-08-01;
//                      after-review pending 2025-02-01                      2024-06-20  (2024)
// 28  NP   2025-12-15  granted in the next year                             2026-01-08  一, 四
// 29  RE   2025-12-29  still registered                                     -           一, 四
// 30  OT   2024-12-30  granted two years later                              2026-01-05  二, 四
// 31  NP   2026-01-10  still registered (next year only)                    -
// 32  NP   2025-02-03  granted 02-20, reopened 05-06, process_info          2025-05-20  三(三)6
// 33  CO   2025-06-02  granted 06-20; review corrected 09-01; reopened
//                      09-10; not_held in the next year                     2026-01-20  一, 四
// 34  NP   fgw 2025-05-05  fee 80 paid; granted; review upheld 06-01        2025-05-20  (fgw)
// 35  public-data-open case, closed 2025 (another workflow: never counted)
// 36  PW   2024-10-08  withdrawn while registered                           2025-01-02  二, 三(六)3
void build_data_set(Builder& b) {
  size_t c1 = b.answered("natural_person", "2025-03-03", "granted", "2025-03-20");
  b.remedy(c1, "2026-02-01", "review", "upheld");
  size_t c2 = b.add("commercial", "2025-04-01");
  b.accept(c2, "2025-04-01");
  b.fee(c2, "2025-04-03", 200, "2025-04-08");
  b.reply(c2, "granted", "2025-04-15");
  size_t c3 = b.answered("natural_person", "2025-03-10", "partial", "2025-04-02");
  b.remedy(c3, "2025-05-10", "review", "upheld");
  b.remedy(c3, "2025-06-01", "suit_after_review", "pending");
  size_t c4 = b.answered("research", "2025-04-07", "withheld.state_secret", "2025-04-25");
  b.remedy(c4, "2025-05-01", "review", "pending");
  b.remedy(c4, "2025-06-15", "review", "upheld");
  b.answered("public_welfare", "2025-05-06", "withheld.law_prohibits", "2025-05-20");
  b.answered("legal_service", "2025-05-12", "withheld.security_stability", "2025-05-30");
  size_t c7 = b.answered("other_org", "2025-06-03", "withheld.third_party", "2025-06-20");
  b.remedy(c7, "2025-08-01", "suit_direct", "corrected");
  size_t c8 = b.answered("natural_person", "2025-06-09", "withheld.internal_affairs", "2025-06-27");
  b.remedy(c8, "2025-08-05", "suit_direct", "other");
  size_t c9 = b.answered("commercial", "2025-07-01", "withheld.process_info", "2025-07-18");
  b.remedy(c9, "2025-12-20", "suit_direct", "pending");
  size_t c10 =
      b.answered("natural_person", "2025-07-07", "withheld.enforcement_file", "2025-07-25");
  b.remedy(c10, "2025-09-01", "review", "other");
  size_t c11 = b.answered("legal_service", "2025-08-04", "withheld.special_access", "2025-08-22");
  b.remedy(c11, "2025-12-28", "review", "pending");
  size_t c12 = b.answered("natural_person", "2025-08-11", "unavailable.not_held", "2025-08-29");
  b.remedy(c12, "2025-10-09", "suit_after_review", "upheld");
  size_t c13 = b.answered("commercial", "2025-09-01", "unavailable.needs_creation", "2025-09-19");
  b.remedy(c13, "2025-10-20", "suit_after_review", "corrected");
  size_t c14 = b.add("research", "2025-09-08");
  b.act(c14, "submit_review", "registrar");
  b.act(c14, "request_correction", "registrar",
        json::object{{"on", "2025-09-10"}, {"items", json::array{"请明确所需信息"}}});
  b.act(c14, "correction_received", "registrar", json::object{{"on", "2025-09-22"}});
  b.act(c14, "accept", "reviewer", json::object{{"on", "2025-09-23"}});
  b.reply(c14, "unavailable.unclear_after_correction", "2025-10-17");
  size_t c15 = b.answered("natural_person", "2025-09-15", "not_processed.petition", "2025-09-30");
  b.remedy(c15, "2025-11-11", "suit_after_review", "other");
  size_t c16 = b.add("public_welfare", "2025-10-09");
  b.accept(c16, "2025-10-09");
  b.fee(c16, "2025-10-10", 300, "2025-10-15");
  b.reply(c16, "not_processed.repeat", "2025-10-24");
  b.answered("other_org", "2025-10-13", "not_processed.publication", "2025-10-31");
  b.answered("natural_person", "2025-10-20", "not_processed.excessive", "2025-11-07");
  b.answered("legal_service", "2025-11-03", "not_processed.confirm_reissue", "2025-11-21");
  size_t c20 = b.add("commercial", "2025-05-06");
  b.act(c20, "submit_review", "registrar");
  b.act(c20, "request_correction", "registrar",
        json::object{{"on", "2025-05-08"}, {"items", json::array{"申请人身份证明"}}});
  b.act(c20, "correction_expired", "system", json::object{{"on", "2025-05-30"}});
  size_t c21 = b.add("research", "2025-06-02");
  b.accept(c21, "2025-06-03");
  b.fee(c21, "2025-06-04", 100, "");
  b.act(c21, "fee_expired", "system", json::object{{"on", "2025-07-04"}});
  size_t c22 = b.add("other_org", "2025-11-10");
  b.act(c22, "withdraw", "registrar", json::object{{"on", "2025-11-20"}});
  b.answered("public_welfare", "2025-11-17", "other.other", "2025-12-05");

  b.answered("natural_person", "2024-12-20", "granted", "2025-01-15");
  size_t c25 = b.add("commercial", "2024-12-25");
  b.accept(c25, "2024-12-26");
  b.answered("legal_service", "2024-11-20", "partial", "2025-01-10");
  size_t c27 = b.add("natural_person", "2024-06-03");
  b.accept(c27, "2024-06-03");
  b.fee(c27, "2024-06-05", 50, "2024-06-10");
  b.reply(c27, "granted", "2024-06-20");
  b.remedy(c27, "2024-08-01", "review", "upheld");
  b.remedy(c27, "2025-02-01", "suit_after_review", "pending");
  b.answered("natural_person", "2025-12-15", "granted", "2026-01-08");
  b.add("research", "2025-12-29");
  b.answered("other_org", "2024-12-30", "granted", "2026-01-05");
  b.add("natural_person", "2026-01-10");
  size_t c32 = b.answered("natural_person", "2025-02-03", "granted", "2025-02-20");
  b.act(c32, "reopen", "supervisor", json::object{{"on", "2025-05-06"}, {"order", "复议决定"}});
  b.reply(c32, "withheld.process_info", "2025-05-20");
  size_t c33 = b.answered("commercial", "2025-06-02", "granted", "2025-06-20");
  b.remedy(c33, "2025-09-01", "review", "corrected");
  b.act(c33, "reopen", "supervisor", json::object{{"on", "2025-09-10"}, {"order", "复议决定"}});
  b.reply(c33, "unavailable.not_held", "2026-01-20");
  size_t c34 = b.add("natural_person", "2025-05-05", "fgw");
  b.accept(c34, "2025-05-05");
  b.fee(c34, "2025-05-06", 80, "2025-05-08");
  b.reply(c34, "granted", "2025-05-20");
  b.remedy(c34, "2025-06-01", "review", "upheld");
  size_t c35 = b.add("natural_person", fixture::kOpenDataReceivedOn, "zrzy", fixture::kOpenData);
  for (const fixture::Step& s : fixture::open_data_path("closed"))
    b.act(c35, s.action, s.role, s.input);
  size_t c36 = b.add("public_welfare", "2024-10-08");
  b.act(c36, "withdraw", "registrar", json::object{{"on", "2025-01-02"}});
}

using Cells = std::array<int64_t, kReportColumns>;  // NP CO RE PW LS OT 总计

// Table 三 for zrzy, 2025, counted by hand from the comment above build_data_set.
const std::vector<std::pair<std::string, Cells>> kExpected2025 = {
    {"一", {9, 5, 4, 3, 3, 3, 27}},      // #1–23, 28, 29, 32, 33
    {"二", {1, 1, 0, 1, 1, 1, 5}},       // #24, 25, 36, 26, 30
    {"三(一)", {2, 1, 0, 0, 0, 0, 3}},   // #1, 24; #2 (#32 ends 三(三)6, #33 closes 2026)
    {"三(二)", {1, 0, 0, 0, 1, 0, 2}},   // #3; #26
    {"三(三)1", {0, 0, 1, 0, 0, 0, 1}},  // #4
    {"三(三)2", {0, 0, 0, 1, 0, 0, 1}},  // #5
    {"三(三)3", {0, 0, 0, 0, 1, 0, 1}},  // #6
    {"三(三)4", {0, 0, 0, 0, 0, 1, 1}},  // #7
    {"三(三)5", {1, 0, 0, 0, 0, 0, 1}},  // #8
    {"三(三)6", {1, 1, 0, 0, 0, 0, 2}},  // #32 (once, reopened); #9
    {"三(三)7", {1, 0, 0, 0, 0, 0, 1}},  // #10
    {"三(三)8", {0, 0, 0, 0, 1, 0, 1}},  // #11
    {"三(四)1", {1, 0, 0, 0, 0, 0, 1}},  // #12
    {"三(四)2", {0, 1, 0, 0, 0, 0, 1}},  // #13
    {"三(四)3", {0, 0, 1, 0, 0, 0, 1}},  // #14
    {"三(五)1", {1, 0, 0, 0, 0, 0, 1}},  // #15
    {"三(五)2", {0, 0, 0, 1, 0, 0, 1}},  // #16
    {"三(五)3", {0, 0, 0, 0, 0, 1, 1}},  // #17
    {"三(五)4", {1, 0, 0, 0, 0, 0, 1}},  // #18
    {"三(五)5", {0, 0, 0, 0, 1, 0, 1}},  // #19
    {"三(六)1", {0, 1, 0, 0, 0, 0, 1}},  // #20
    {"三(六)2", {0, 0, 1, 0, 0, 0, 1}},  // #21
    {"三(六)3", {0, 0, 0, 2, 0, 1, 3}},  // #23, 36; #22
    {"三(七)", {9, 4, 3, 4, 4, 3, 27}}, {"四", {1, 2, 1, 0, 0, 1, 5}},  // #28; #25, 33; #29; #30
};

const Cells kZero{};

void expect_table(const AnnualReport& report,
                  const std::vector<std::pair<std::string, Cells>>& expected) {
  ASSERT_EQ(report.rows.size(), 25u);
  for (size_t i = 0; i < report.rows.size(); ++i) {
    const ReportRow& row = report.rows[i];
    EXPECT_EQ(row.code, annual_report_rows()[i].code);
    Cells want = kZero;
    for (const auto& [code, cells] : expected) {
      if (code == row.code) want = cells;
    }
    for (int column = 0; column < kReportColumns; ++column)
      EXPECT_EQ(row.cells[column], want[column])
          << report.year << " " << row.code << "/" << report_columns()[column].label;
  }
}

class AnnualReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    builder_ = new Builder();
    build_data_set(*builder_);
  }
  static void TearDownTestSuite() {
    delete builder_;
    builder_ = nullptr;
  }
  static const Workflow& workflow() {
    return *Harness::shared().workflows().find(fixture::kGovInfo);
  }
  static AnnualReport report(int year, const std::string& agency = "zrzy") {
    return build_annual_report(workflow(), builder_->cases(), year, agency);
  }
  static Builder* builder_;
};

Builder* AnnualReportTest::builder_ = nullptr;

TEST_F(AnnualReportTest, DataSetReachesEveryDeterminationCode) {
  std::set<std::string> reached;
  for (const Case& c : builder_->cases()) {
    if (c.outcome && c.workflow == fixture::kGovInfo) reached.insert(c.outcome->determination);
  }
  EXPECT_EQ(workflow().determinations.size(), 22u);
  for (const DeterminationSpec& d : workflow().determinations)
    EXPECT_TRUE(reached.count(d.code)) << d.code;
  std::set<std::string> kinds;
  for (const Case& c : builder_->cases()) kinds.insert(c.registration.applicant.kind);
  EXPECT_EQ(kinds.size(), 6u);
}

TEST_F(AnnualReportTest, Table3CellByCell2025) {
  AnnualReport r = report(2025);
  expect_table(r, kExpected2025);
  EXPECT_TRUE(r.ok()) << testing::PrintToString(r.check_failures);
  EXPECT_EQ(r.year, 2025);
  EXPECT_EQ(r.agency, "zrzy");
  EXPECT_EQ(r.row("三(三)4").label, "保护第三方合法权益");
  EXPECT_EQ(r.row("三(三)4").group, "不予公开");
}

TEST_F(AnnualReportTest, Table4AndFees2025) {
  AnnualReport r = report(2025);
  using Five = std::array<int64_t, kRemedyColumns>;  // 维持 纠正 其他 尚未审结 总计
  // #3 upheld, #4 upheld (its pending superseded), #33 corrected, #10 other, #11 pending.
  EXPECT_EQ(r.remedy("review").cells, (Five{2, 1, 1, 1, 5}));
  // #7 corrected, #8 other, #9 pending.
  EXPECT_EQ(r.remedy("suit_direct").cells, (Five{0, 1, 1, 1, 3}));
  // #12 upheld, #13 corrected, #15 other, #3 and #27 pending.
  EXPECT_EQ(r.remedy("suit_after_review").cells, (Five{1, 1, 1, 2, 5}));
  // #2 200 + #16 300; #21 never paid, #27 paid in 2024, #34 is fgw's.
  EXPECT_EQ(r.fees_yuan, 500);
  EXPECT_EQ(r.fees_paid, 2);
}

TEST_F(AnnualReportTest, PreviousAndNextYear) {
  AnnualReport r2024 = report(2024);
  expect_table(r2024, {
                          {"一", {2, 1, 0, 1, 1, 1, 6}},      // #24, 27; #25; #36; #26; #30
                          {"三(一)", {1, 0, 0, 0, 0, 0, 1}},  // #27
                          {"三(七)", {1, 0, 0, 0, 0, 0, 1}},
                          {"四", {1, 1, 0, 1, 1, 1, 5}},
                      });
  EXPECT_TRUE(r2024.ok()) << testing::PrintToString(r2024.check_failures);
  EXPECT_EQ(r2024.remedy("review").cells[0], 1);
  EXPECT_EQ(r2024.remedy("review").cells[4], 1);
  EXPECT_EQ(r2024.fees_yuan, 50);

  AnnualReport r2026 = report(2026);
  expect_table(r2026, {
                          {"一", {1, 0, 0, 0, 0, 0, 1}},       // #31
                          {"二", {1, 2, 1, 0, 0, 1, 5}},       // 2025's 四
                          {"三(一)", {1, 0, 0, 0, 0, 1, 2}},   // #28; #30
                          {"三(四)1", {0, 1, 0, 0, 0, 0, 1}},  // #33, final closing
                          {"三(七)", {1, 1, 0, 0, 0, 1, 3}},
                          {"四", {1, 1, 1, 0, 0, 0, 3}},  // #31; #25; #29
                      });
  EXPECT_TRUE(r2026.ok()) << testing::PrintToString(r2026.check_failures);
  EXPECT_EQ(r2026.remedy("review").cells[0], 1);  // #1, 2026-02-01
}

TEST_F(AnnualReportTest, CarryOverContinuesAcrossConsecutiveYears) {
  AnnualReport r2024 = report(2024), r2025 = report(2025), r2026 = report(2026);
  EXPECT_TRUE(check_carry_over(r2024, r2025).empty());
  EXPECT_TRUE(check_carry_over(r2025, r2026).empty());
  EXPECT_EQ(r2025.row("二").cells, r2024.row("四").cells);

  r2024.row("四").cells[1] = 2;  // 商业企业
  EXPECT_EQ(check_carry_over(r2024, r2025),
            std::vector<std::string>{"二/商业企业: 1 ≠ 2 (2024年 四)"});
  EXPECT_EQ(check_carry_over(r2024, r2026),
            std::vector<std::string>{"carry-over: 2024 does not precede 2026"});
}

TEST_F(AnnualReportTest, EveryAgencyAndOtherWorkflowsIgnored) {
  AnnualReport all = report(2025, "");
  auto expected = kExpected2025;
  for (auto& [code, cells] : expected) {
    // #34 (fgw, natural person) arrived and was granted in 2025.
    if (code == "一" || code == "三(一)" || code == "三(七)") {
      cells[0] += 1;
      cells[kTotalColumn] += 1;
    }
  }
  expect_table(all, expected);
  EXPECT_TRUE(all.ok()) << testing::PrintToString(all.check_failures);
  EXPECT_EQ(all.remedy("review").cells[0], 3);
  EXPECT_EQ(all.fees_yuan, 580);
  EXPECT_EQ(all.fees_paid, 3);
  // An agency without cases: an empty, consistent report.
  AnnualReport none = report(2025, "nobody");
  expect_table(none, {});
  EXPECT_TRUE(none.ok());
  EXPECT_FALSE(none.has_cases());
}

TEST_F(AnnualReportTest, RowsComeFromTheWorkflowFile) {
  Workflow changed = workflow();
  for (DeterminationSpec& d : changed.determinations) {
    if (d.code == "granted") d.report_row = "三(六)3";
  }
  AnnualReport r = build_annual_report(changed, builder_->cases(), 2025, "zrzy");
  EXPECT_EQ(r.row("三(一)").cells, kZero);
  // #1, 24 (NP), #2 (CO) join #23, 36 (PW) and #22 (OT).
  EXPECT_EQ(r.row("三(六)3").cells, (Cells{2, 1, 0, 2, 0, 1, 6}));
  EXPECT_TRUE(r.ok()) << testing::PrintToString(r.check_failures);
}

TEST_F(AnnualReportTest, ChecksNameTheCorruptedCell) {
  AnnualReport r = report(2025);
  ASSERT_TRUE(check_annual_report(r).empty());

  AnnualReport row_cell = r;
  row_cell.row("三(一)").cells[0] = 3;  // 自然人, without fixing the totals
  EXPECT_EQ(check_annual_report(row_cell),
            (std::vector<std::string>{"三(一)/总计: 3 ≠ 4", "三(七)/自然人: 9 ≠ 10"}));

  AnnualReport carried = r;
  carried.row("四").cells[1] = 1;  // 商业企业, total kept consistent
  carried.row("四").cells[kTotalColumn] = 4;
  EXPECT_EQ(check_annual_report(carried),
            (std::vector<std::string>{"一+二=三(七)+四/商业企业: 6 ≠ 5",
                                      "一+二=三(七)+四/总计: 32 ≠ 31"}));

  AnnualReport table4 = r;
  table4.remedy("review").cells[kRemedyColumns - 1] = 4;
  EXPECT_EQ(check_annual_report(table4), std::vector<std::string>{"行政复议/总计: 4 ≠ 5"});

  AnnualReport missing = r;
  missing.rows.pop_back();
  EXPECT_EQ(check_annual_report(missing), std::vector<std::string>{"四: row missing"});
}

TEST(AnnualReportRules, UncountableCasesAreNamed) {
  const Workflow& workflow = *Harness::shared().workflows().find(fixture::kGovInfo);
  Case base;
  base.workflow = fixture::kGovInfo;
  base.agency = "zrzy";
  base.registration.received_on = fixture::date("2025-03-03");
  base.registration.applicant.kind = "natural_person";

  Case unknown_code = base;
  unknown_code.id = 7;
  unknown_code.number = "2025-自然资源-0007";
  unknown_code.closed_on = fixture::date("2025-05-06");
  unknown_code.outcome = Outcome{"withheld.unknown", "", ""};
  Case no_code = base;
  no_code.id = 8;
  no_code.closed_on = fixture::date("2025-05-07");
  Case alien = base;
  alien.id = 9;
  alien.registration.applicant.kind = "alien";

  AnnualReport r = build_annual_report(workflow, {unknown_code, no_code, alien}, 2025, "");
  EXPECT_EQ(r.row("一").cells, (Cells{2, 0, 0, 0, 0, 0, 2}));
  EXPECT_EQ(r.row("三(七)").cells, kZero);
  EXPECT_EQ(r.check_failures,
            (std::vector<std::string>{
                "case 2025-自然资源-0007 (id 7): closed on 2025-05-06 with determination "
                "'withheld.unknown', which has no row in table 三",
                "case (id 8): closed on 2025-05-07 without a determination",
                "case (id 9): applicant kind 'alien' is none of the report's columns",
                "一+二=三(七)+四/自然人: 2 ≠ 0", "一+二=三(七)+四/总计: 2 ≠ 0"}));
  EXPECT_FALSE(r.ok());
}

TEST(AnnualReportRules, BusinessDatesAtTheYearBoundaries) {
  const Workflow& workflow = *Harness::shared().workflows().find(fixture::kGovInfo);
  auto make = [](CaseId id, const std::string& received, std::optional<std::string> closed) {
    Case c;
    c.id = id;
    c.workflow = fixture::kGovInfo;
    c.agency = "zrzy";
    c.registration.received_on = fixture::date(received);
    c.registration.applicant.kind = "commercial";
    if (closed) {
      c.closed_on = fixture::date(*closed);
      c.outcome = Outcome{"granted", "", ""};
    }
    return c;
  };
  // Received on the last day, closed on the first day of the next year, and so on.
  std::vector<Case> cases = {
      make(1, "2025-12-31", "2026-01-01"), make(2, "2024-12-31", "2025-01-01"),
      make(3, "2025-01-01", "2025-12-31"), make(4, "2024-12-31", "2024-12-31")};
  AnnualReport r = build_annual_report(workflow, cases, 2025, "zrzy");
  EXPECT_EQ(r.row("一").cells[1], 2);      // #1, #3
  EXPECT_EQ(r.row("二").cells[1], 1);      // #2 (#4 closed before 1 Jan)
  EXPECT_EQ(r.row("三(一)").cells[1], 2);  // #2, #3
  EXPECT_EQ(r.row("四").cells[1], 1);      // #1
  EXPECT_TRUE(r.ok()) << testing::PrintToString(r.check_failures);
}

TEST_F(AnnualReportTest, JsonCarriesRowsTable4FeesAndChecks) {
  AnnualReport r = report(2025);
  r.agency_name = "区自然资源局";
  json::value doc = json::parse(render_annual_report_json(r));
  EXPECT_EQ(doc, annual_report_json(r));
  const json::object& o = doc.as_object();
  EXPECT_EQ(o.at("year").as_int64(), 2025);
  EXPECT_EQ(o.at("agency").as_string(), "zrzy");
  EXPECT_EQ(o.at("title").as_string(), "区自然资源局2025年政府信息公开工作年度报告");
  ASSERT_EQ(o.at("columns").as_array().size(), 7u);
  EXPECT_EQ(o.at("columns").as_array()[3].at("label").as_string(), "社会公益组织");
  const json::array& rows = o.at("rows").as_array();
  ASSERT_EQ(rows.size(), kExpected2025.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].at("code").as_string(), kExpected2025[i].first);
    const json::array& values = rows[i].at("values").as_array();
    ASSERT_EQ(values.size(), 7u);
    for (int c = 0; c < kReportColumns; ++c)
      EXPECT_EQ(values[c].as_int64(), kExpected2025[i].second[c]) << kExpected2025[i].first;
  }
  EXPECT_EQ(rows[3].at("label").as_string(), "部分公开（区分处理的，只计这一情形，不计其他情形）");
  EXPECT_EQ(rows[20].at("group").as_string(), "其他处理");
  const json::array& t4 = o.at("table4").as_array();
  ASSERT_EQ(t4.size(), 3u);
  EXPECT_EQ(t4[2].at("label").as_string(), "复议后起诉");
  EXPECT_EQ(t4[2].at("pending").as_int64(), 2);
  EXPECT_EQ(t4[2].at("total").as_int64(), 5);
  EXPECT_EQ(o.at("fees").at("collected_yuan").as_int64(), 500);
  EXPECT_TRUE(o.at("checks").at("ok").as_bool());
  EXPECT_TRUE(o.at("checks").at("failures").as_array().empty());
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Compares with the golden file; DISCLOSE_UPDATE_GOLDEN=1 rewrites it (then review the diff).
void expect_golden(const std::string& name, const std::string& actual) {
  std::string path = kGoldenDir + "/" + name;
  if (const char* update = std::getenv("DISCLOSE_UPDATE_GOLDEN"); update && *update == '1') {
    fs::create_directories(kGoldenDir);
    std::ofstream(path, std::ios::binary) << actual;
  }
  ASSERT_TRUE(fs::exists(path)) << path;
  EXPECT_EQ(actual, read_file(path)) << "differs from " << path;
}

TEST_F(AnnualReportTest, GoldenCsvAndHtml) {
  AnnualReport r = report(2025);
  r.agency_name = "区自然资源局";
  std::string csv = render_annual_report_csv(r);
  EXPECT_EQ(csv.rfind("\xEF\xBB\xBF", 0), 0u);  // BOM
  expect_golden("annual_2025.csv", csv);
  std::string html = render_annual_report_html(r);
  EXPECT_NE(html.find("<th colspan=\"7\">申请人情况</th>"), std::string::npos);
  EXPECT_NE(html.find("<td rowspan=\"8\">（三）不予公开</td>"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);  // no external assets
  expect_golden("annual_2025.html", html);
}

TEST_F(AnnualReportTest, FailedChecksShowInTheRenderings) {
  AnnualReport r = report(2025);
  r.row("三(一)").cells[0] = 3;
  r.check_failures = check_annual_report(r);
  EXPECT_NE(render_annual_report_html(r).find("<li>三(一)/总计: 3 ≠ 4</li>"), std::string::npos);
  json::value doc = annual_report_json(r);
  EXPECT_FALSE(doc.at("checks").at("ok").as_bool());
  EXPECT_EQ(doc.at("checks").at("failures").as_array().size(), 2u);
}

// The command line on a real database holding the same data set.
class AnnualReportCli : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = (dir_ / "test.db").string();
    auto store = open_sqlite_store(SqliteOptions{db_});
    store->add_agency({"zrzy", "区自然资源局", "自然资源"});
    store->add_agency({"fgw", "区发展和改革委员会", "发改"});
    Builder builder(store.get());
    build_data_set(builder);
  }
  struct Run {
    int status;
    std::string out;
    std::string err;
  };
  Run run(std::vector<std::string> args) {
    std::vector<std::string> full = {"--db",  db_,   "--workflows", DISCLOSE_SOURCE_WORKFLOWS,
                                     "--now", kToday};
    full.insert(full.end(), args.begin(), args.end());
    std::istringstream in;
    std::ostringstream out, err;
    int status = cli::run(full, in, out, err);
    return {status, out.str(), err.str()};
  }

  fixture::TempDir dir_;
  std::string db_;
};

TEST_F(AnnualReportCli, JsonCsvAndHtmlEndToEnd) {
  Run json_run =
      run({"report", "annual", "--year", "2025", "--agency", "zrzy", "--format", "json"});
  ASSERT_EQ(json_run.status, 0) << json_run.err;
  EXPECT_EQ(json_run.err, "");
  json::object doc = json::parse(json_run.out).as_object();
  EXPECT_EQ(doc.at("agency_name").as_string(), "区自然资源局");
  const json::array& rows = doc.at("rows").as_array();
  ASSERT_EQ(rows.size(), kExpected2025.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const json::array& values = rows[i].at("values").as_array();
    for (int c = 0; c < kReportColumns; ++c)
      EXPECT_EQ(values[c].as_int64(), kExpected2025[i].second[c]) << kExpected2025[i].first;
  }
  EXPECT_EQ(doc.at("table4").as_array()[0].at("total").as_int64(), 5);
  EXPECT_EQ(doc.at("fees").at("collected_yuan").as_int64(), 500);

  Run csv_run = run({"report", "annual", "--year", "2025", "--agency", "zrzy", "--format", "csv"});
  ASSERT_EQ(csv_run.status, 0) << csv_run.err;
  EXPECT_EQ(csv_run.out, read_file(kGoldenDir + "/annual_2025.csv"));

  std::string out = (dir_ / "annual.html").string();
  Run html_run = run(
      {"report", "annual", "--year", "2025", "--agency", "zrzy", "--format", "html", "--out", out});
  ASSERT_EQ(html_run.status, 0) << html_run.err;
  EXPECT_EQ(html_run.out, "");
  // The report records the event log's head, which `audit verify` prints; the rest is golden.
  std::string html = read_file(out);
  const std::string anchor(doc.at("audit_anchor").as_string());
  const std::string anchor_line = "<p class=\"anchor\">审计锚点（事件日志末条）：<code>" + anchor +
                                  "</code>，可用 <code>disclose audit verify --anchor</code> "
                                  "核验日志此后未被改写。</p>\n";
  auto at = html.find(anchor_line);
  ASSERT_NE(at, std::string::npos) << html;
  html.erase(at, anchor_line.size());
  EXPECT_EQ(html, read_file(kGoldenDir + "/annual_2025.html"));
  Run verify = run({"audit", "verify"});
  ASSERT_EQ(verify.status, 0) << verify.err;
  EXPECT_NE(verify.out.find("head " + anchor), std::string::npos) << verify.out << anchor;

  // Every agency: #34 of fgw joins; the carry-over from 2024 holds there too.
  Run all = run({"report", "annual", "--year", "2025"});
  ASSERT_EQ(all.status, 0) << all.err;
  json::object all_doc = json::parse(all.out).as_object();
  EXPECT_TRUE(all_doc.at("agency").is_null());
  EXPECT_EQ(all_doc.at("rows").as_array()[0].at("values").as_array()[6].as_int64(), 28);
  EXPECT_EQ(run({"report", "annual", "--year", "2026"}).status, 0);
}

// A workflow file whose `granted` points at a row the official form lacks: the CLI still writes
// the report, names every failure on stderr and exits 1.
TEST_F(AnnualReportCli, FailedChecksExitOne) {
  std::string workflows = (dir_ / "workflows").string();
  fs::copy(DISCLOSE_SOURCE_WORKFLOWS, workflows, fs::copy_options::recursive);
  std::string file = workflows + "/gov-info-disclosure.yaml";
  std::string text = read_file(file);
  const std::string from = "granted: {row: \"三(一)\"";
  ASSERT_NE(text.find(from), std::string::npos);
  text.replace(text.find(from), from.size(), "granted: {row: \"三(九)\"");
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;

  std::istringstream in;
  std::ostringstream out, err;
  int status = cli::run({"--db", db_, "--workflows", workflows, "--now", kToday, "report", "annual",
                         "--year", "2025", "--agency", "zrzy", "--format", "csv"},
                        in, out, err);
  EXPECT_EQ(status, 1);
  EXPECT_EQ(out.str().rfind("\xEF\xBB\xBF", 0), 0u);  // the report is still written
  std::string errors = err.str();
  EXPECT_NE(errors.find("check failed: case 2025-自然资源-0001 (id 1): closed on 2025-03-20 with "
                        "determination 'granted', which has no row in table 三\n"),
            std::string::npos)
      << errors;
  // #1, 24 (NP) and #2 (CO) are missing from 三(七).
  EXPECT_NE(errors.find("check failed: 一+二=三(七)+四/自然人: 10 ≠ 8\n"), std::string::npos);
  EXPECT_NE(errors.find("check failed: 一+二=三(七)+四/商业企业: 6 ≠ 5\n"), std::string::npos);
  EXPECT_NE(errors.find("disclose: annual report 2025: 6 check(s) failed\n"), std::string::npos)
      << errors;
}

TEST_F(AnnualReportCli, BadArgumentsExitTwo) {
  Run unknown = run({"report", "annual", "--year", "2025", "--agency", "nope"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("no agency 'nope'"), std::string::npos) << unknown.err;
  EXPECT_EQ(run({"report", "annual", "--year", "2025", "--format", "xlsx"}).status, 2);
  EXPECT_EQ(run({"report", "annual", "--format", "csv"}).status, 2);  // --year is required
}

}  // namespace
}  // namespace disclose
