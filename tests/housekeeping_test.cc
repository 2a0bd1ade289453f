// The housekeeping loop: forgets idempotency records past their retention, at start and then
// periodically, on an injected clock.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "disclose/time_source.h"
#include "scheduler/housekeeping.h"
#include "sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace disclose {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

class HousekeepingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_sqlite_store({(dir_ / "disclose.db").string(), "FULL", &clock_});
  }
  void TearDown() override { store_.reset(); }

  void at(std::chrono::seconds since_start) {
    clock_.set(Moment{start_ + since_start, Date::parse("2026-03-02").value()});
  }
  void save(const std::string& key) {
    ASSERT_TRUE(store_->save_idempotent({"u:1", key, "fp", 201, "{}"}));
  }
  bool remembered(const std::string& key) {
    return store_->find_idempotent("u:1", key).has_value();
  }

  fixture::TempDir dir_;
  const Instant start_ = *parse_instant("2026-03-02T01:00:00Z");
  FixedTimeSource clock_{Moment{start_, Date::parse("2026-03-02").value()}};
  std::unique_ptr<Store> store_;
};

TEST_F(HousekeepingTest, ARoundForgetsRecordsOlderThanTheRetention) {
  save("day-old");
  at(hours(20));
  save("recent");
  boost::asio::io_context io;
  scheduler::Housekeeping housekeeping(io, *store_, clock_, {hours(24), seconds(3600)});

  at(hours(23) + seconds(59 * 60 + 59));  // "day-old" is 1 s short of 24 h
  EXPECT_EQ(housekeeping.run_once(), 0);
  EXPECT_TRUE(remembered("day-old"));

  at(hours(24) + seconds(1));
  EXPECT_EQ(housekeeping.run_once(), 1);
  EXPECT_FALSE(remembered("day-old"));
  EXPECT_TRUE(remembered("recent"));
  EXPECT_EQ(housekeeping.rounds(), 2u);
  EXPECT_EQ(housekeeping.idempotency_purged(), 1);
}

TEST_F(HousekeepingTest, TheLoopRunsAtStartThenWaitsAndStops) {
  save("old");
  at(hours(48));
  save("fresh");
  boost::asio::io_context io;
  scheduler::Housekeeping housekeeping(io, *store_, clock_, {hours(24), seconds(3600)});
  housekeeping.start();
  io.poll();  // the first round runs at once; the next is an hour away
  EXPECT_EQ(housekeeping.rounds(), 1u);
  EXPECT_FALSE(remembered("old"));
  EXPECT_TRUE(remembered("fresh"));
  io.poll();
  EXPECT_EQ(housekeeping.rounds(), 1u);
  EXPECT_FALSE(io.stopped());  // the loop is waiting, not gone
  housekeeping.stop();
  io.run_for(seconds(5));
  EXPECT_TRUE(io.stopped());
  EXPECT_EQ(housekeeping.rounds(), 1u);
}

TEST_F(HousekeepingTest, ABacklogGoesOneShortWriteARoundWithoutWaitingForTheNextHour) {
  for (int i = 0; i < 8; ++i) save("old-" + std::to_string(i));
  at(hours(25));
  boost::asio::io_context io;
  scheduler::HousekeepingOptions options{hours(24), seconds(3600)};
  options.batch = 3;
  scheduler::Housekeeping housekeeping(io, *store_, clock_, options);
  housekeeping.start();
  io.poll();  // 3 + 3 + 2: the third round, short of a batch, waits for the next hour
  EXPECT_EQ(housekeeping.rounds(), 3u);
  EXPECT_EQ(housekeeping.idempotency_purged(), 8);
  EXPECT_FALSE(remembered("old-7"));
  EXPECT_FALSE(io.stopped());
  housekeeping.stop();
  io.run_for(seconds(5));
  EXPECT_TRUE(io.stopped());
}

TEST_F(HousekeepingTest, AStoreErrorIsLoggedAndDoesNotEndTheLoop) {
  {
    // Someone broke the schema behind the server's back: every purge now fails.
    SQLite::Database raw((dir_ / "disclose.db").string(), SQLite::OPEN_READWRITE);
    raw.setBusyTimeout(5000);
    raw.exec("DROP TABLE idempotency_keys");
  }
  boost::asio::io_context io;
  scheduler::Housekeeping housekeeping(io, *store_, clock_, {hours(24), seconds(3600)});
  EXPECT_EQ(housekeeping.run_once(), 0);
  housekeeping.start();
  io.poll();
  EXPECT_EQ(housekeeping.rounds(), 2u);
  EXPECT_FALSE(io.stopped());  // a failed round still leaves the loop waiting for the next
  housekeeping.stop();
  io.run_for(seconds(5));
  EXPECT_TRUE(io.stopped());
}

TEST_F(HousekeepingTest, ALoopDestroyedBeforeTheIoContextRunsEndsCleanly) {
  save("old");
  at(hours(48));
  boost::asio::io_context io;
  {
    scheduler::Housekeeping housekeeping(io, *store_, clock_, {hours(24), seconds(3600)});
    housekeeping.start();
  }
  io.run_for(seconds(5));  // the coroutine owns the state; it finds the loop stopped
  EXPECT_TRUE(io.stopped());
  EXPECT_TRUE(remembered("old"));  // no round ran
}

}  // namespace
}  // namespace disclose
