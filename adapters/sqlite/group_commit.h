// Group commit: concurrent writers share one SQLite transaction, and so one fsync, while each
// still returns only after the transaction holding its write has committed.
//
// With synchronous=FULL every COMMIT waits for the disk; one commit per request caps a server at
// a few thousand writes a second. Here a writer queues its work; the first in the queue becomes
// the leader, opens one BEGIN IMMEDIATE, runs every queued work in its own SAVEPOINT (so one
// failing write rolls back alone), commits once and wakes the others with their outcome. Writers
// that arrive meanwhile form the next group. This is LevelDB's DBImpl::Write in miniature.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace SQLite {
class Database;
}

namespace disclose::sqlite {

class GroupCommit {
 public:
  // `db` is the one writing connection; `db_mutex` is held while a group uses it (so a caller
  // that shares the connection for reads, as an in-memory database must, takes it too).
  // At most `max_group` writes share one transaction.
  GroupCommit(SQLite::Database& db, std::mutex& db_mutex, std::size_t max_group = 512);
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs `work` on the writing connection inside a transaction, possibly on another writer's
  // thread, and returns once that transaction committed. If `work` throws, only its own changes
  // are rolled back and the exception is rethrown here. If the transaction itself fails (BEGIN
  // or COMMIT, or an error that makes SQLite abandon it), every write of the group gets that
  // error: none of them is durable. `work` must not call run() again (it would wait for itself).
  void run(const std::function<void()>& work);

  // Figures for benchmarks and tests: transactions committed and writes they carried, and the
  // writes queued or running right now.
  std::size_t groups() const;
  std::size_t writes() const;
  std::size_t waiting() const;

 private:
  struct Writer;
  struct Statements;
  // Runs the group in one transaction. Never throws: a failure is each writer's `error`.
  void commit_group(const std::vector<std::shared_ptr<Writer>>& group);

  SQLite::Database& db_;
  std::mutex& db_mutex_;
  const std::size_t max_group_;
  std::unique_ptr<Statements> statements_;  // prepared on first use, under db_mutex_

  mutable std::mutex queue_mutex_;
  std::deque<std::shared_ptr<Writer>> queue_;  // the front is the leader of the next group
  std::size_t groups_ = 0;                     // guarded by queue_mutex_
  std::size_t writes_ = 0;
};

}  // namespace disclose::sqlite
