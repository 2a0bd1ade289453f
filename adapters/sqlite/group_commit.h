// Group commit: concurrent writers share one SQLite transaction, and so one fsync, while each
// still hears of its write only after the transaction holding it has committed.
//
// With synchronous=FULL every COMMIT waits for the disk; one commit per request caps a server at
// a few thousand writes a second. Here writes queue up and one committing thread, owned by this
// object, takes the queue as it stands, opens one BEGIN IMMEDIATE, runs every queued write in its
// own SAVEPOINT (so one failing write rolls back alone), commits once and then tells each writer
// its outcome. Writes that arrive meanwhile form the next group. This is LevelDB's
// DBImpl::Write, with the leader made a thread of its own so that a writer need not wait: run()
// blocks its caller until the write's group committed, submit() returns at once and calls back.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace SQLite {
class Database;
}

namespace disclose::sqlite {

class GroupCommit {
 public:
  // Told once a submitted write's group has ended: null when it committed, else why not. Called
  // on the committing thread, outside every lock; it must be quick (the next group waits for it)
  // and must not run() or submit() (a write cannot wait for the thread that runs it). Whatever it
  // throws is dropped.
  using Committed = std::function<void(std::exception_ptr error)>;

  // `db` is the one writing connection; `db_mutex` is held while a group uses it (so a caller
  // that shares the connection for reads, as an in-memory database must, takes it too).
  // At most `max_group` writes share one transaction. Starts the committing thread.
  GroupCommit(SQLite::Database& db, std::mutex& db_mutex, std::size_t max_group = 512);
  // stop().
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Runs `work` on the writing connection inside a transaction, on the committing thread, and
  // returns once that transaction committed. If `work` throws, only its own changes are rolled
  // back and the exception is rethrown here. If the transaction itself fails (BEGIN or COMMIT,
  // or an error that makes SQLite abandon it), every write of the group gets that error: none of
  // them is durable. Throws std::logic_error when called on the committing thread (from a
  // write's work or a Committed callback), which would wait for itself.
  void run(const std::function<void()>& work);

  // As run(), but returns at once; `committed` tells the outcome (`work`'s own exception, or
  // the transaction's) once the group has ended. Throws std::logic_error on the committing thread.
  void submit(std::function<void()> work, Committed committed);

  // Commits what is queued (telling each writer), then stops the committing thread; run() and
  // submit() throw std::logic_error from then on. Not on the committing thread. Idempotent.
  void stop();

  // Figures for /metrics, benchmarks and tests: groups run (one transaction each, whether it
  // committed or failed) and the writes they carried, read together (so writes / groups is the
  // mean of one moment); the writes queued or in the group committing right now; whether stop()
  // has begun.
  struct Totals {
    std::size_t groups = 0;
    std::size_t writes = 0;
  };
  Totals totals() const;
  std::size_t waiting() const;
  bool stopping() const;

 private:
  struct Writer;
  struct Statements;
  void enqueue(const std::shared_ptr<Writer>& writer);
  void commit_loop();
  // Runs the group in one transaction. Never throws: a failure is each writer's `error`.
  void commit_group(const std::vector<std::shared_ptr<Writer>>& group);

  SQLite::Database& db_;
  std::mutex& db_mutex_;
  const std::size_t max_group_;
  std::unique_ptr<Statements> statements_;  // prepared on first use, on the committing thread
  std::vector<std::shared_ptr<Writer>>
      group_;  // the committing thread's group; room for max_group_

  mutable std::mutex queue_mutex_;
  std::condition_variable work_arrived_;       // the committing thread waits on it when idle
  std::deque<std::shared_ptr<Writer>> queue_;  // the next group, in arrival order
  std::size_t committing_ = 0;                 // writes in the group being committed
  bool idle_ = false;      // the committing thread waits for work (so a writer must wake it)
  bool stopping_ = false;  // set by stop()
  std::size_t groups_ = 0;
  std::size_t writes_ = 0;
  std::once_flag joined_;
  std::thread::id committer_id_;  // set before any write can be queued
  std::thread committer_;         // last: started once everything above is ready
};

}  // namespace disclose::sqlite
