#include "sqlite/group_commit.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <vector>

namespace disclose::sqlite {

// Shared by the waiting writer and the leader, so that the leader can wake it after letting go
// of the queue's lock: a writer woken while the leader still held the lock would only block again
// on it (a convoy of futex calls and context switches per write).
struct GroupCommit::Writer {
  const std::function<void()>* work = nullptr;
  std::exception_ptr error;
  bool done = false;  // guarded by queue_mutex_
  std::condition_variable wake;
};

// The statements every group runs, prepared once: parsing them again for each write was a
// measurable part of the serial section.
struct GroupCommit::Statements {
  explicit Statements(SQLite::Database& db)
      : begin(db, "BEGIN IMMEDIATE"),
        savepoint(db, "SAVEPOINT write"),
        release(db, "RELEASE write"),
        rollback_to(db, "ROLLBACK TO write"),
        commit(db, "COMMIT") {}
  SQLite::Statement begin, savepoint, release, rollback_to, commit;
};

namespace {

// Runs a cached statement that returns no rows. The reset is the non-throwing one: after a failed
// run, sqlite3_reset repeats that run's error, which belongs to the write that already got it.
void run_statement(SQLite::Statement& statement) {
  (void)statement.tryReset();
  statement.exec();
}

}  // namespace

GroupCommit::GroupCommit(SQLite::Database& db, std::mutex& db_mutex, std::size_t max_group)
    : db_(db), db_mutex_(db_mutex), max_group_(std::max<std::size_t>(1, max_group)) {}

GroupCommit::~GroupCommit() = default;

void GroupCommit::run(const std::function<void()>& work) {
  auto self = std::make_shared<Writer>();
  self->work = &work;
  std::unique_lock lock(queue_mutex_);
  queue_.push_back(self);
  self->wake.wait(lock, [&] { return self->done || queue_.front() == self; });
  if (!self->done) {
    // The leader: take the group as it stands now. Later arrivals wait for the next one.
    std::vector<std::shared_ptr<Writer>> group(
        queue_.begin(), queue_.begin() + std::min(queue_.size(), max_group_));
    lock.unlock();
    commit_group(group);
    lock.lock();
    ++groups_;
    writes_ += group.size();
    for (std::size_t i = 0; i < group.size(); ++i) {
      queue_.pop_front();
      group[i]->done = true;
    }
    std::shared_ptr<Writer> next_leader = queue_.empty() ? nullptr : queue_.front();
    lock.unlock();
    // `group` keeps every writer alive until it has been woken.
    for (const auto& writer : group)
      if (writer != self) writer->wake.notify_one();
    if (next_leader) next_leader->wake.notify_one();
  } else {
    lock.unlock();
  }
  if (self->error) std::rethrow_exception(self->error);
}

void GroupCommit::commit_group(const std::vector<std::shared_ptr<Writer>>& group) {
  std::lock_guard db_lock(db_mutex_);
  auto fail_all = [&](std::exception_ptr error) {
    for (const auto& writer : group) writer->error = error;
  };
  try {
    // Prepared here, inside the try: an exception escaping commit_group would leave this
    // leader at the queue's front and every writer behind it waiting for good.
    if (!statements_) statements_ = std::make_unique<Statements>(db_);
    run_statement(statements_->begin);
  } catch (...) {
    fail_all(std::current_exception());
    return;
  }
  Statements& sql = *statements_;
  for (const auto& writer : group) {
    try {
      run_statement(sql.savepoint);
      (*writer->work)();
      run_statement(sql.release);
    } catch (...) {
      writer->error = std::current_exception();
      // Some errors (a full disk, an I/O error) make SQLite roll the whole transaction back:
      // then the writes before this one are gone too, and the group has failed.
      if (sqlite3_get_autocommit(db_.getHandle()) != 0) {
        fail_all(writer->error);
        return;
      }
      try {
        run_statement(sql.rollback_to);
        run_statement(sql.release);
      } catch (...) {
        fail_all(std::current_exception());
        try {
          db_.exec("ROLLBACK");
        } catch (...) {
        }
        return;
      }
    }
  }
  try {
    run_statement(sql.commit);
  } catch (...) {
    fail_all(std::current_exception());
    try {
      if (sqlite3_get_autocommit(db_.getHandle()) == 0) db_.exec("ROLLBACK");
    } catch (...) {
    }
  }
}

std::size_t GroupCommit::groups() const {
  std::lock_guard lock(queue_mutex_);
  return groups_;
}

std::size_t GroupCommit::writes() const {
  std::lock_guard lock(queue_mutex_);
  return writes_;
}

std::size_t GroupCommit::waiting() const {
  std::lock_guard lock(queue_mutex_);
  return queue_.size();
}

}  // namespace disclose::sqlite
