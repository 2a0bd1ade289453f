// Group commit: writes queued while a group commits share the next transaction, each write
// still fails or succeeds on its own, and a failed transaction fails every write in it.
#include "sqlite/group_commit.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.h"

namespace disclose::sqlite {
namespace {

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_ / "group_commit.db";
    db_ = std::make_unique<SQLite::Database>(path_.string(),
                                             SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db_->exec("PRAGMA journal_mode=WAL");
    db_->exec("CREATE TABLE t(v INTEGER PRIMARY KEY)");
    commit_ = std::make_unique<GroupCommit>(*db_, db_mutex_);
  }
  void TearDown() override {
    commit_.reset();
    db_.reset();
  }

  // What another connection sees: only committed rows.
  std::vector<int> committed() {
    SQLite::Database reader(path_.string(), SQLite::OPEN_READONLY);
    SQLite::Statement st(reader, "SELECT v FROM t ORDER BY v");
    std::vector<int> out;
    while (st.executeStep()) out.push_back(st.getColumn(0).getInt());
    return out;
  }

  void insert(int v) {
    SQLite::Statement st(*db_, "INSERT INTO t(v) VALUES(?)");
    st.bind(1, v);
    st.exec();
  }

  // Blocks the current group's work until `n` writers are queued (the blocked one included), so
  // the others are certain to be waiting together for the next group.
  void wait_for_queue(std::size_t n) {
    while (commit_->waiting() < n) std::this_thread::yield();
  }

  // A first group runs `leader` and then stays open until writes 2, 3 and 4 (each doing
  // `write(v)` on its own thread) are all queued, so those three form the next group together.
  // Returns how many of the three threw; their messages are in errors_.
  int behind_a_blocked_group(const std::function<void()>& leader,
                             const std::function<void(int)>& write) {
    std::atomic<bool> first_running{false};
    std::thread first([&] {
      commit_->run([&] {
        leader();
        first_running = true;
        wait_for_queue(4);
      });
    });
    // Only once the first group is committing may the others queue, or they would join it.
    while (!first_running) std::this_thread::yield();
    std::mutex errors_mutex;
    std::vector<std::thread> others;
    for (int v = 2; v <= 4; ++v) {
      others.emplace_back([&, v] {
        try {
          commit_->run([&] { write(v); });
        } catch (const std::exception& e) {
          std::lock_guard lock(errors_mutex);
          errors_.push_back(e.what());
        }
      });
    }
    first.join();
    for (auto& t : others) t.join();
    return static_cast<int>(errors_.size());
  }

  fixture::TempDir dir_;
  std::vector<std::string> errors_;
  std::filesystem::path path_;
  std::unique_ptr<SQLite::Database> db_;
  std::mutex db_mutex_;
  std::unique_ptr<GroupCommit> commit_;
};

TEST_F(GroupCommitTest, AWriteIsCommittedWhenRunReturns) {
  commit_->run([&] { insert(1); });
  EXPECT_EQ(committed(), std::vector<int>({1}));
  EXPECT_EQ(commit_->totals().groups, 1u);
  EXPECT_EQ(commit_->totals().writes, 1u);
}

TEST_F(GroupCommitTest, WritesQueuedDuringACommitShareTheNextTransaction) {
  int failures = behind_a_blocked_group([&] { insert(1); }, [&](int v) { insert(v); });
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(committed(), std::vector<int>({1, 2, 3, 4}));
  EXPECT_EQ(commit_->totals().writes, 4u);
  EXPECT_EQ(commit_->totals().groups, 2u);  // {1}, then {2, 3, 4} in one transaction
}

TEST_F(GroupCommitTest, AFailingWriteRollsBackAloneAndGetsItsOwnError) {
  int failures = behind_a_blocked_group([] {},
                                        [&](int v) {
                                          insert(v);
                                          insert(v * 10);
                                          if (v == 3) throw std::runtime_error("refused");
                                        });
  EXPECT_EQ(failures, 1);
  EXPECT_EQ(errors_, std::vector<std::string>({"refused"}));
  // Write 3 left nothing behind, not even its first insert; 2 and 4 are whole.
  EXPECT_EQ(committed(), std::vector<int>({2, 4, 20, 40}));
  EXPECT_EQ(commit_->totals().groups, 2u);
}

TEST_F(GroupCommitTest, ATransactionSQLiteAbandonsFailsEveryWriteInIt) {
  int failures = behind_a_blocked_group([] {},
                                        [&](int v) {
                                          insert(v);
                                          // What a full disk does: SQLite rolls the whole
                                          // transaction back under the group.
                                          if (v == 3) {
                                            db_->exec("ROLLBACK");
                                            throw std::runtime_error("disk full");
                                          }
                                        });
  // Whichever order the three ran in, none of them is durable, so none may report success.
  EXPECT_EQ(failures, 3);
  EXPECT_TRUE(committed().empty());
  // And the next write works normally.
  commit_->run([&] { insert(7); });
  EXPECT_EQ(committed(), std::vector<int>({7}));
}

TEST_F(GroupCommitTest, AFailedCommitFailsItsWritesAndTheNextGroupCommits) {
  // A deferred foreign key is checked only by COMMIT: the write itself succeeds, its commit fails.
  db_->exec("PRAGMA foreign_keys=ON");
  db_->exec("CREATE TABLE child(parent INTEGER REFERENCES t(v) DEFERRABLE INITIALLY DEFERRED)");
  EXPECT_THROW(commit_->run([&] { db_->exec("INSERT INTO child(parent) VALUES(99)"); }),
               SQLite::Exception);
  EXPECT_TRUE(committed().empty());
  // The group's statements are reused: the failed COMMIT must not haunt the next group.
  commit_->run([&] { insert(5); });
  commit_->run([&] { insert(6); });
  EXPECT_EQ(committed(), std::vector<int>({5, 6}));
}

// Holds the committing thread in a first group (write 1) until release() is called, so that
// writes submitted meanwhile wait together for the next group.
class BlockedGroup {
 public:
  BlockedGroup(GroupCommit& commit, const std::function<void()>& first_write)
      : thread_([&commit, first_write, this] {
          commit.run([&] {
            first_write();
            running_ = true;
            while (!released_) std::this_thread::yield();
          });
        }) {
    while (!running_) std::this_thread::yield();
  }
  ~BlockedGroup() {
    release();
    thread_.join();
  }
  void release() { released_ = true; }

 private:
  std::atomic<bool> running_{false};  // the first group is being committed
  std::atomic<bool> released_{false};
  std::thread thread_;
};

std::string error_text(std::exception_ptr error) {
  if (!error) return "";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  }
}

TEST_F(GroupCommitTest, SubmitReturnsAtOnceAndTellsTheOutcomeOnceCommitted) {
  std::promise<std::vector<int>> seen_when_told;  // by another connection
  {
    BlockedGroup first(*commit_, [&] { insert(1); });
    commit_->submit([&] { insert(2); },
                    [&](std::exception_ptr error) {
                      EXPECT_EQ(error, nullptr);
                      seen_when_told.set_value(committed());
                    });
    // submit() returned while the group before its own is still open.
    EXPECT_EQ(commit_->waiting(), 2u);
    EXPECT_TRUE(committed().empty());
  }
  EXPECT_EQ(seen_when_told.get_future().get(), std::vector<int>({1, 2}));
  EXPECT_EQ(commit_->totals().groups, 2u);
}

TEST_F(GroupCommitTest, ASubmittedWriteThatThrowsIsToldItsOwnErrorAndRollsBackAlone) {
  std::promise<std::string> told[3];
  {
    BlockedGroup first(*commit_, [] {});
    for (int v = 2; v <= 4; ++v) {
      commit_->submit(
          [&, v] {
            insert(v);
            if (v == 3) throw std::runtime_error("refused");
          },
          [&, v](std::exception_ptr error) { told[v - 2].set_value(error_text(error)); });
    }
  }
  EXPECT_EQ(told[0].get_future().get(), "");
  EXPECT_EQ(told[1].get_future().get(), "refused");
  EXPECT_EQ(told[2].get_future().get(), "");
  EXPECT_EQ(committed(), std::vector<int>({2, 4}));
  EXPECT_EQ(commit_->totals().groups, 2u);  // {1}, then {2, 3, 4}
}

TEST_F(GroupCommitTest, AWriteOnTheCommittingThreadCannotWaitForItself) {
  std::promise<std::string> inside_work, inside_callback;
  auto attempt = [&](std::promise<std::string>& outcome) {
    try {
      commit_->run([] {});
      outcome.set_value("ran");
    } catch (const std::logic_error&) {
      outcome.set_value("refused");
    }
  };
  commit_->submit([&] { attempt(inside_work); },
                  [&](std::exception_ptr) { attempt(inside_callback); });
  EXPECT_EQ(inside_work.get_future().get(), "refused");
  EXPECT_EQ(inside_callback.get_future().get(), "refused");
}

TEST_F(GroupCommitTest, StoppingCommitsWhatIsStillQueuedAndRefusesLaterWrites) {
  std::atomic<int> told_committed{0};
  auto count_commits = [&](std::exception_ptr error) {
    if (!error) ++told_committed;
  };
  std::thread stopper;
  {
    BlockedGroup first(*commit_, [&] { insert(1); });
    for (int v = 2; v <= 3; ++v) commit_->submit([&, v] { insert(v); }, count_commits);
    // stop() begins while writes 2 and 3 are still queued behind the open group.
    stopper = std::thread([&] { commit_->stop(); });
    while (!commit_->stopping()) std::this_thread::yield();
    EXPECT_EQ(commit_->waiting(), 3u);
  }
  stopper.join();
  EXPECT_EQ(told_committed, 2);
  EXPECT_EQ(committed(), std::vector<int>({1, 2, 3}));
  EXPECT_THROW(commit_->submit([&] { insert(4); }, count_commits), std::logic_error);
  EXPECT_THROW(commit_->run([&] { insert(4); }), std::logic_error);
  commit_.reset();  // a second stop is a no-op
  EXPECT_EQ(committed(), std::vector<int>({1, 2, 3}));
}

}  // namespace
}  // namespace disclose::sqlite
