#include "sqlite/group_commit.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <exception>
#include <vector>

namespace disclose::sqlite {

struct GroupCommit::Writer {
  const std::function<void()>* work = nullptr;
  std::exception_ptr error;
  bool done = false;  // guarded by queue_mutex_
  std::condition_variable wake;
};

GroupCommit::GroupCommit(SQLite::Database& db, std::mutex& db_mutex, std::size_t max_group)
    : db_(db), db_mutex_(db_mutex), max_group_(std::max<std::size_t>(1, max_group)) {}

void GroupCommit::run(const std::function<void()>& work) {
  Writer self;
  self.work = &work;
  std::unique_lock lock(queue_mutex_);
  queue_.push_back(&self);
  self.wake.wait(lock, [&] { return self.done || queue_.front() == &self; });
  if (!self.done) {
    // The leader: take the group as it stands now. Later arrivals wait for the next one.
    std::vector<Writer*> group(queue_.begin(),
                               queue_.begin() + std::min(queue_.size(), max_group_));
    lock.unlock();
    commit_group(group.data(), group.size());
    lock.lock();
    ++groups_;
    writes_ += group.size();
    for (Writer* writer : group) {
      queue_.pop_front();
      writer->done = true;
      // Notified under the lock: the writer cannot return (and destroy itself) before we let go.
      if (writer != &self) writer->wake.notify_one();
    }
    if (!queue_.empty()) queue_.front()->wake.notify_one();
  }
  lock.unlock();
  if (self.error) std::rethrow_exception(self.error);
}

void GroupCommit::commit_group(Writer* const* group, std::size_t size) {
  std::lock_guard db_lock(db_mutex_);
  auto fail_all = [&](std::exception_ptr error) {
    for (std::size_t i = 0; i < size; ++i) group[i]->error = error;
  };
  try {
    db_.exec("BEGIN IMMEDIATE");
  } catch (...) {
    fail_all(std::current_exception());
    return;
  }
  for (std::size_t i = 0; i < size; ++i) {
    Writer& writer = *group[i];
    try {
      db_.exec("SAVEPOINT write");
      (*writer.work)();
      db_.exec("RELEASE write");
    } catch (...) {
      writer.error = std::current_exception();
      // Some errors (a full disk, an I/O error) make SQLite roll the whole transaction back:
      // then the writes before this one are gone too, and the group has failed.
      if (sqlite3_get_autocommit(db_.getHandle()) != 0) {
        fail_all(writer.error);
        return;
      }
      try {
        db_.exec("ROLLBACK TO write");
        db_.exec("RELEASE write");
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
    db_.exec("COMMIT");
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
