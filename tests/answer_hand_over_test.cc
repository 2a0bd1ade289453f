// AnswerHandOver: items given on other threads reach the io_context in one task per batch, in
// order; on an io thread they run at once; a batch the io_context never ran is dropped with it.
#include "http/answer_hand_over.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace disclose::http {
namespace {

// Gives `count` items from another thread (the io_context is not running anywhere), each
// appending its number to `ran`.
void give_from_another_thread(AnswerHandOver& hand_over, std::vector<int>& ran, int first,
                              int count) {
  std::thread giver([&] {
    for (int i = first; i < first + count; ++i) hand_over.give([&ran, i] { ran.push_back(i); });
  });
  giver.join();
}

TEST(AnswerHandOverTest, ABatchGivenElsewhereRunsInOneTaskInOrder) {
  boost::asio::io_context io;
  auto hand_over = std::make_shared<AnswerHandOver>(io);
  std::vector<int> ran;
  give_from_another_thread(*hand_over, ran, 1, 3);
  EXPECT_TRUE(ran.empty());  // nothing runs on the giving thread
  EXPECT_EQ(io.poll_one(), 1u);
  EXPECT_EQ(ran, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(io.poll(), 0u);  // one task was all it took
  // The next item starts a new batch.
  io.restart();  // it stopped when it ran out of work
  give_from_another_thread(*hand_over, ran, 4, 1);
  EXPECT_EQ(io.poll(), 1u);
  EXPECT_EQ(ran, (std::vector<int>{1, 2, 3, 4}));
}

TEST(AnswerHandOverTest, OnAnIoThreadAnItemRunsAtOnce) {
  boost::asio::io_context io;
  auto hand_over = std::make_shared<AnswerHandOver>(io);
  bool ran_inside = false;
  boost::asio::post(io, [&] {
    bool ran = false;
    hand_over->give([&ran] { ran = true; });
    ran_inside = ran;
  });
  io.run();
  EXPECT_TRUE(ran_inside);
}

TEST(AnswerHandOverTest, ABatchTheIoContextNeverRanIsDroppedWithIt) {
  auto owned = std::make_shared<int>(0);  // stands for what an answer keeps alive
  bool ran = false;
  std::weak_ptr<AnswerHandOver> left;
  {
    boost::asio::io_context io;
    auto hand_over = std::make_shared<AnswerHandOver>(io);
    left = hand_over;
    std::thread giver([&, keep = owned] { hand_over->give([&ran, keep] { ran = true; }); });
    giver.join();
    EXPECT_EQ(owned.use_count(), 2);  // queued
  }
  EXPECT_FALSE(ran);
  EXPECT_EQ(owned.use_count(), 1);  // the item went with the io_context
  EXPECT_TRUE(left.expired());      // and the task let go of the hand-over
}

}  // namespace
}  // namespace disclose::http
