// Unit tests of loadgen's pure parts: the latency histogram and the lifecycle plan.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "loadgen/latency_histogram.h"
#include "loadgen/lifecycle.h"

namespace loadgen {
namespace {

TEST(LatencyHistogram, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.percentile(99), 0);
  EXPECT_EQ(h.max(), 0);
}

TEST(LatencyHistogram, SmallValuesAreExact) {
  LatencyHistogram h;
  for (int v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.percentile(50), 50);
  EXPECT_EQ(h.percentile(90), 90);
  EXPECT_EQ(h.percentile(99), 99);
  EXPECT_EQ(h.percentile(100), 100);
  EXPECT_EQ(h.max(), 100);
}

// Against an exactly sorted sample: every percentile within the bucket precision (1/128).
TEST(LatencyHistogram, PercentilesWithinPrecisionOfSortedSample) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency(8.0, 1.5);  // median ~3 ms, long tail
  LatencyHistogram h;
  std::vector<int64_t> sample;
  for (int i = 0; i < 100000; ++i) {
    auto v = int64_t(latency(rng));
    sample.push_back(v);
    h.record(v);
  }
  std::sort(sample.begin(), sample.end());
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    auto rank = size_t(std::ceil(p / 100.0 * double(sample.size())));
    int64_t exact = sample[rank - 1];
    int64_t reported = h.percentile(p);
    EXPECT_GE(reported, exact) << "p" << p;
    EXPECT_LE(double(reported), double(exact) * (1.0 + 1.0 / 128) + 1) << "p" << p;
  }
  EXPECT_EQ(h.max(), sample.back());
  EXPECT_EQ(h.percentile(100), sample.back());
}

TEST(LatencyHistogram, MergeAddsCountsAndKeepsMax) {
  LatencyHistogram a, b;
  for (int i = 0; i < 90; ++i) a.record(1000);
  for (int i = 0; i < 10; ++i) b.record(50000000);  // 50 s
  b.record(-5);                                     // a clock step backwards counts as 0
  a.merge(b);
  EXPECT_EQ(a.count(), 101);
  EXPECT_EQ(a.max(), 50000000);
  EXPECT_LE(a.percentile(50), 1007);
  EXPECT_GE(a.percentile(50), 1000);
  EXPECT_EQ(a.percentile(100), 50000000);
}

// Following the plan from `registered` with both detours visits the whole lifecycle once.
TEST(Lifecycle, FullPathWithDetours) {
  CasePlan plan;
  plan.correction = true;
  plan.extension = true;
  StepContext context{"2025-03-03", 7};
  std::string state = "registered";
  std::vector<std::string> actions;
  while (auto step = next_step(state, plan, context)) {
    actions.push_back(step->action);
    plan.applied(step->action);
    state = step->next_state;
    ASSERT_LT(actions.size(), 20u);
  }
  EXPECT_EQ(state, "archived");
  EXPECT_EQ(actions, (std::vector<std::string>{
                         "submit_review", "request_correction", "correction_received", "accept",
                         "extend", "draft_reply", "approve_reply", "record_delivery", "archive"}));
}

TEST(Lifecycle, PlainPathAndResumeFromAnyState) {
  CasePlan plan;
  StepContext context{"2025-03-03", 7};
  EXPECT_EQ(next_step("review", plan, context)->action, "accept");
  EXPECT_EQ(next_step("handling", plan, context)->action, "draft_reply");
  // A case the server closed on its own (an expired 补正 window) is archived.
  EXPECT_EQ(next_step("closed", plan, context)->action, "archive");
  EXPECT_FALSE(next_step("archived", plan, context));
  EXPECT_FALSE(next_step("consulting", plan, context));
  auto accept = next_step("review", plan, context);
  EXPECT_NE(accept->input.find("\"assignee\":\"7\""), std::string::npos);
}

TEST(Lifecycle, RegistrationCarriesAgencyAndDate) {
  std::string body = registration_json("zrzy", "2025-03-03", 12);
  EXPECT_NE(body.find("\"agency\":\"zrzy\""), std::string::npos);
  EXPECT_NE(body.find("\"received_on\":\"2025-03-03\""), std::string::npos);
}

}  // namespace
}  // namespace loadgen
