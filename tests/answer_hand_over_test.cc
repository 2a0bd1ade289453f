// AnswerHandOver: items given on any thread reach the io_context in one task per batch, in
// order, never inside give(); one that throws is dropped alone; a batch the io_context never ran
// is dropped with it.
#include "http/answer_hand_over.h"

#include <gtest/gtest.h>

#include <memory>
#include <new>
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

// Given on an io thread (an answer that comes at once, inside the handler), an item still
// waits for the task: it must never run inside its giver.
TEST(AnswerHandOverTest, AnItemNeverRunsInsideGive) {
  boost::asio::io_context io;
  auto hand_over = std::make_shared<AnswerHandOver>(io);
  bool ran = false;
  bool ran_inside = true;
  boost::asio::post(io, [&] {
    hand_over->give([&ran] { ran = true; });
    ran_inside = ran;
  });
  io.run();
  EXPECT_FALSE(ran_inside);
  EXPECT_TRUE(ran);
}

TEST(AnswerHandOverTest, AnItemThatThrowsIsDroppedAndTheOthersRun) {
  boost::asio::io_context io;
  auto hand_over = std::make_shared<AnswerHandOver>(io);
  std::vector<int> ran;
  std::thread giver([&] {
    hand_over->give([&ran] { ran.push_back(1); });
    hand_over->give([] { throw std::bad_alloc(); });
    hand_over->give([&ran] { ran.push_back(3); });
  });
  giver.join();
  EXPECT_NO_THROW(io.run());
  EXPECT_EQ(ran, (std::vector<int>{1, 3}));
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
