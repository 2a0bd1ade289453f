#include "sqlite/recent_by_case.h"

#include <gtest/gtest.h>

#include <string>

namespace disclose::sqlite {
namespace {

TEST(RecentByCaseTest, FindsWhatWasPutLastAndForgets) {
  RecentByCase<std::string> recent(4);
  EXPECT_FALSE(recent.find(1));
  recent.put(1, "one");
  recent.put(1, "uno");
  EXPECT_EQ(recent.find(1), "uno");
  recent.forget(1);
  EXPECT_FALSE(recent.find(1));
  EXPECT_EQ(recent.size(), 0u);
}

TEST(RecentByCaseTest, HoldsAtMostTwoGenerationsAndKeepsWhatIsInUse) {
  RecentByCase<int> recent(2);
  recent.put(1, 10);
  recent.put(2, 20);
  recent.put(3, 30);  // the young generation was full: 1 and 2 are now the old one
  EXPECT_EQ(recent.size(), 3u);
  EXPECT_EQ(recent.find(1), 10);  // found in the old generation, moved back to the young one
  recent.put(4, 40);              // full again (3, 1): they become old, 2 is dropped
  EXPECT_FALSE(recent.find(2));
  EXPECT_EQ(recent.find(3), 30);
  EXPECT_EQ(recent.find(4), 40);
  EXPECT_LE(recent.size(), 4u);
  for (int id = 10; id < 100; ++id) recent.put(id, id);
  EXPECT_LE(recent.size(), 4u);
  EXPECT_EQ(recent.find(99), 99);
}

TEST(RecentByCaseTest, APutReplacesAValueInTheOldGenerationAndCountsItOnce) {
  RecentByCase<int> recent(2);
  recent.put(1, 10);
  recent.put(2, 20);
  recent.put(3, 30);  // 1 and 2 are old now
  recent.put(1, 11);  // young: 3 and 1
  EXPECT_EQ(recent.size(), 3u);
  EXPECT_EQ(recent.find(1), 11);
  EXPECT_EQ(recent.find(2), 20);
}

TEST(RecentByCaseTest, APutThatIsOlderThanWhatIsHeldLeavesIt) {
  RecentByCase<int> recent(2);
  auto older = [](int held, int candidate) { return candidate < held; };
  recent.put(1, 5, older);
  recent.put(1, 4, older);
  EXPECT_EQ(recent.find(1), 5);
  recent.put(1, 6, older);
  EXPECT_EQ(recent.find(1), 6);
  recent.put(2, 1);
  recent.put(3, 1);  // 1 is old now
  recent.put(1, 3, older);
  EXPECT_EQ(recent.find(1), 6);
}

}  // namespace
}  // namespace disclose::sqlite
