#include "sqlite/group_commit.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <pthread.h>
#include <sqlite3.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

namespace disclose::sqlite {

// Shared by the writer and the committing thread, so that the committing thread can tell a
// waiting writer after letting go of the queue's lock: a writer woken while the lock was still
// held would only block again on it (a convoy of futex calls and context switches per write).
struct GroupCommit::Writer {
  // run()'s work is the caller's, which outlives the write; submit()'s is kept here.
  const std::function<void()>* borrowed_work = nullptr;
  std::function<void()> owned_work;
  Committed committed;  // submit() only
  std::exception_ptr error;
  bool done = false;  // run() only; guarded by queue_mutex_
  std::condition_variable wake;

  void work() const { borrowed_work ? (*borrowed_work)() : owned_work(); }
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
    : db_(db), db_mutex_(db_mutex), max_group_(std::max<std::size_t>(1, max_group)) {
  group_.reserve(max_group_);
  committer_ = std::thread([this] {
    // Named for `top -H` and profilers: most of a busy server's writing happens here.
    pthread_setname_np(pthread_self(), "disclose-commit");
    commit_loop();
  });
  committer_id_ = committer_.get_id();
}

GroupCommit::~GroupCommit() {
  stop();
}

void GroupCommit::stop() {
  if (std::this_thread::get_id() == committer_id_)
    throw std::logic_error("group commit: stop() on the committing thread");
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  work_arrived_.notify_one();
  // Joined once; a second caller finds it done.
  std::call_once(joined_, [this] { committer_.join(); });
}

void GroupCommit::run(const std::function<void()>& work) {
  auto self = std::make_shared<Writer>();
  self->borrowed_work = &work;
  enqueue(self);
  {
    std::unique_lock lock(queue_mutex_);
    self->wake.wait(lock, [&] { return self->done; });
  }
  if (self->error) std::rethrow_exception(self->error);
}

void GroupCommit::submit(std::function<void()> work, Committed committed) {
  auto self = std::make_shared<Writer>();
  self->owned_work = std::move(work);
  self->committed = std::move(committed);
  enqueue(self);
}

void GroupCommit::enqueue(const std::shared_ptr<Writer>& writer) {
  if (std::this_thread::get_id() == committer_id_)
    throw std::logic_error("a group commit write cannot wait for the thread that commits it");
  bool wake;
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) throw std::logic_error("group commit: stopped");
    queue_.push_back(writer);
    wake = idle_;
    idle_ = false;  // one wake-up is enough
  }
  if (wake) work_arrived_.notify_one();
}

void GroupCommit::commit_loop() {
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    if (queue_.empty()) {
      if (stopping_) return;
      idle_ = true;
      work_arrived_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      idle_ = false;
      continue;
    }
    // The group is the queue as it stands now; later writes wait for the next one.
    // group_ has room for max_group_ writers, so taking them allocates nothing: nothing here
    // can throw, which would end the committing thread (and the process).
    const std::size_t size = std::min(queue_.size(), max_group_);
    group_.assign(queue_.begin(), queue_.begin() + size);
    queue_.erase(queue_.begin(), queue_.begin() + size);
    committing_ = size;
    lock.unlock();
    commit_group(group_);
    lock.lock();
    committing_ = 0;
    ++groups_;
    writes_ += size;
    for (const auto& writer : group_) writer->done = true;
    lock.unlock();
    // group_ keeps every writer alive until it has been told.
    for (const auto& writer : group_) {
      if (!writer->committed) {
        writer->wake.notify_one();
        continue;
      }
      try {
        writer->committed(writer->error);
      } catch (...) {
      }
    }
    group_.clear();  // keeps its room
    lock.lock();
  }
}

void GroupCommit::commit_group(const std::vector<std::shared_ptr<Writer>>& group) {
  std::lock_guard db_lock(db_mutex_);
  auto fail_all = [&](std::exception_ptr error) {
    for (const auto& writer : group) writer->error = error;
  };
  try {
    // Prepared here, inside the try: an exception escaping commit_group would end the
    // committing thread (and the process) with every queued writer still waiting.
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
      writer->work();
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

GroupCommit::Totals GroupCommit::totals() const {
  std::lock_guard lock(queue_mutex_);
  return {groups_, writes_};
}

bool GroupCommit::stopping() const {
  std::lock_guard lock(queue_mutex_);
  return stopping_;
}

std::size_t GroupCommit::waiting() const {
  std::lock_guard lock(queue_mutex_);
  return queue_.size() + committing_;
}

}  // namespace disclose::sqlite
