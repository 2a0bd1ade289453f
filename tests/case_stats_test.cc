// Supervisors' statistics on a small data set whose answers are worked out by hand (March and
// April 2025 on the official calendar: 4 April is 清明).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "disclose/case_stats.h"
#include "report/report_service.h"
#include "report_fixture.h"

namespace disclose {
namespace {

namespace json = boost::json;
using fixture::CaseSpec;
using fixture::date;
using fixture::object;

class CaseStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A: replied in 5 wd (03-04 … 03-10), on time.
    CaseSpec a;
    a.steps = fixture::replied_path("2025-03-10");
    a_ = db_.add(a);
    // B: 13 wd to 03-20 less 5 paused for the fee (03-06 … 03-12): 8, on time; two tags.
    CaseSpec b;
    b.tags = {"征地拆迁", "规划"};
    b.steps = fixture::replied_path("2025-03-20", "partial", "2025-03-05", "2025-03-12");
    b_ = db_.add(b);
    // C: another agency, due 03-31, replied 04-15: 20 + 10 = 30 wd, late.
    CaseSpec c;
    c.agency = "fgw";
    c.steps = fixture::replied_path("2025-04-15");
    c_ = db_.add(c);
    // D: withdrawn: closed without a reply.
    CaseSpec d;
    d.steps = {{"withdraw", "registrar", object(R"({"on": "2025-03-10"})")}};
    db_.add(d);
    // E: still in handling, reply due 03-31: overdue on 06-30.
    CaseSpec e;
    e.tags = {"政府采购"};
    e.steps = fixture::gov_info_path("handling");
    db_.add(e);
    // F: fresh, in person, not yet due.
    CaseSpec f;
    f.agency = "fgw";
    f.received_on = "2025-06-27";
    f.channel = "in_person";
    f.tags = {"规划"};
    db_.add(f);
    // G: received and replied in 2024: outside the period.
    CaseSpec g;
    g.received_on = "2024-12-02";
    g.steps = fixture::replied_path("2024-12-10");
    db_.add(g);
  }

  CaseStats stats(const std::string& agency = "") {
    StatsQuery q;
    q.from = date("2025-01-01");
    q.to = date("2025-06-30");
    q.agency = agency;
    return case_stats_from_store(db_.store(), db_.engine(), q, date("2025-06-30"));
  }

  fixture::StoreFixture db_;
  Case a_, b_, c_;
};

TEST_F(CaseStatsTest, ResponseWorkingDaysExcludePauses) {
  EXPECT_EQ(response_working_days(db_.engine(), a_), 5);
  EXPECT_EQ(response_working_days(db_.engine(), b_), 8);
  EXPECT_EQ(response_working_days(db_.engine(), c_), 30);
}

TEST_F(CaseStatsTest, KnownAnswers) {
  CaseStats s = stats();
  EXPECT_EQ(s.closed, 4);
  EXPECT_EQ(s.on_time, 2);
  EXPECT_EQ(s.late, 1);
  EXPECT_EQ(s.closed_without_reply, 1);
  ASSERT_TRUE(s.on_time_rate);
  EXPECT_DOUBLE_EQ(*s.on_time_rate, 2.0 / 3.0);
  std::vector<int64_t> buckets;
  for (const auto& b : s.response_buckets) buckets.push_back(b.cases);
  EXPECT_EQ(buckets, (std::vector<int64_t>{1, 1, 0, 0, 1, 0, 0}));
  EXPECT_EQ(s.response_median_wd, 8);
  EXPECT_EQ(s.response_p90_wd, 30);
  ASSERT_TRUE(s.response_mean_wd);
  EXPECT_NEAR(*s.response_mean_wd, 43.0 / 3.0, 1e-9);
  EXPECT_EQ(s.received, 6);
  EXPECT_EQ(s.by_channel, (std::map<std::string, int64_t>{{"in_person", 1}, {"online", 5}}));
  EXPECT_EQ(s.top_tags, (std::vector<std::pair<std::string, int64_t>>{
                            {"征地拆迁", 4}, {"规划", 2}, {"政府采购", 1}}));
  EXPECT_EQ(s.overdue, 1);
  EXPECT_EQ(s.overdue_by_agency, (std::map<std::string, int64_t>{{"zrzy", 1}}));

  json::object j = case_stats_json(s);
  EXPECT_EQ(j.at("on_time").at("met").as_int64(), 2);
  EXPECT_EQ(j.at("response_wd").at("median").as_int64(), 8);
  EXPECT_EQ(j.at("response_wd").at("buckets").at(4).at("label").as_string(), "21-30");
  EXPECT_EQ(j.at("overdue_now").at("by_agency").at("zrzy").as_int64(), 1);
  EXPECT_EQ(j.at("period").at("from").as_string(), "2025-01-01");
  std::string text = case_stats_text(s);
  EXPECT_NE(text.find("66.7%"), std::string::npos) << text;
}

TEST_F(CaseStatsTest, AgencyAndPeriodNarrowTheCount) {
  CaseStats fgw = stats("fgw");
  EXPECT_EQ(fgw.closed, 1);
  EXPECT_EQ(fgw.late, 1);
  ASSERT_TRUE(fgw.on_time_rate);
  EXPECT_DOUBLE_EQ(*fgw.on_time_rate, 0.0);
  EXPECT_EQ(fgw.received, 2);
  EXPECT_EQ(fgw.overdue, 0);

  StatsQuery april;
  april.from = date("2025-04-01");
  april.to = date("2025-04-30");
  CaseStats s = case_stats_from_store(db_.store(), db_.engine(), april, date("2025-06-30"));
  EXPECT_EQ(s.closed, 1);  // C only
  EXPECT_EQ(s.received, 0);
  EXPECT_EQ(s.overdue, 1);  // overdue now ignores the period
  StatsQuery empty;
  empty.from = date("2030-01-01");
  CaseStats none = case_stats_from_store(db_.store(), db_.engine(), empty, date("2025-06-30"));
  EXPECT_FALSE(none.on_time_rate);
  EXPECT_FALSE(none.response_median_wd);
  EXPECT_TRUE(case_stats_json(none).at("on_time").at("rate").is_null());
}

}  // namespace
}  // namespace disclose
