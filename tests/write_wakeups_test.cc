// WriteWakeups: the committed writes of a commit group reach the background loops with one
// wake-up, carrying the earliest timer any of them planned and whether any queued a
// notification.
#include "scheduler/write_wakeups.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace disclose::scheduler {
namespace {

Instant at(int seconds) {
  return Instant{std::chrono::seconds(seconds)};
}

CaseWriteEffects timers_at(std::vector<int> fire_seconds) {
  CaseWriteEffects effects;
  for (int s : fire_seconds) {
    PlannedTimer timer;
    timer.fire_at = at(s);
    effects.timers.push_back(timer);
  }
  return effects;
}

CaseWriteEffects one_notification() {
  CaseWriteEffects effects;
  effects.notifications.emplace_back();
  return effects;
}

struct Delivery {
  std::optional<Instant> earliest;
  bool queued = false;
};

class WriteWakeupsTest : public ::testing::Test {
 protected:
  // Runs what is posted to the loops' io_context; returns how many handlers ran.
  std::size_t run_loops() {
    std::size_t ran = loops_.poll();
    loops_.restart();
    return ran;
  }

  boost::asio::io_context loops_;
  std::vector<Delivery> delivered_;
  WriteWakeups wakeups_{loops_, [this](std::optional<Instant> earliest, bool queued) {
                          delivered_.push_back({earliest, queued});
                        }};
};

TEST_F(WriteWakeupsTest, AGroupsWritesWakeTheLoopsOnceWithWhatTheyAllAsked) {
  wakeups_.observe(timers_at({300, 200}));
  wakeups_.observe(one_notification());
  wakeups_.observe(timers_at({100, 400}));
  EXPECT_EQ(run_loops(), 1u);
  ASSERT_EQ(delivered_.size(), 1u);
  EXPECT_EQ(delivered_[0].earliest, at(100));
  EXPECT_TRUE(delivered_[0].queued);
}

TEST_F(WriteWakeupsTest, AWriteThatAsksNothingPostsNothing) {
  wakeups_.observe(CaseWriteEffects{});
  EXPECT_EQ(run_loops(), 0u);
  EXPECT_TRUE(delivered_.empty());
}

TEST_F(WriteWakeupsTest, WritesAfterAHandOverWakeTheLoopsAgainWithOnlyTheirOwnSignal) {
  wakeups_.observe(timers_at({100}));
  wakeups_.observe(one_notification());
  EXPECT_EQ(run_loops(), 1u);
  wakeups_.observe(timers_at({500}));
  EXPECT_EQ(run_loops(), 1u);
  wakeups_.observe(one_notification());
  EXPECT_EQ(run_loops(), 1u);
  ASSERT_EQ(delivered_.size(), 3u);
  EXPECT_EQ(delivered_[1].earliest, at(500));  // not the 100 handed over before
  EXPECT_FALSE(delivered_[1].queued);
  EXPECT_EQ(delivered_[2].earliest, std::nullopt);
  EXPECT_TRUE(delivered_[2].queued);
}

// The timer loop will look at 500 anyway: a write planning timers from then on wakes nothing;
// one planning an earlier timer too hands over that one.
TEST(WriteWakeupsFilterTest, TimersTheLoopsWillLookAtAnywayWakeNothing) {
  boost::asio::io_context loops;
  std::vector<Delivery> delivered;
  std::vector<Instant> asked;
  WriteWakeups wakeups(
      loops,
      [&](std::optional<Instant> earliest, bool queued) {
        delivered.push_back({earliest, queued});
      },
      [&](Instant fire_at) {
        asked.push_back(fire_at);
        return fire_at < at(500);
      });
  wakeups.observe(timers_at({600, 500}));
  EXPECT_EQ(loops.poll(), 0u);
  loops.restart();
  wakeups.observe(timers_at({700, 400}));
  wakeups.observe(one_notification());  // a notification still wakes the loops
  EXPECT_EQ(loops.poll(), 1u);
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].earliest, at(400));
  EXPECT_TRUE(delivered[0].queued);
  EXPECT_EQ(asked, (std::vector<Instant>{at(500), at(400)}));  // each write's earliest, once
}

}  // namespace
}  // namespace disclose::scheduler
