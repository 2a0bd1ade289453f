#include "sqlite/read_pool.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <utility>

namespace disclose::sqlite {

// A reading connection and the statements prepared on it; destroyed in reverse order, so the
// statements are finalized before the connection closes. Opened without SQLite's connection
// mutex (SQLITE_OPEN_NOMUTEX, "multi-thread" mode): a pooled connection and its statements
// are only ever used by the one thread holding its lease, so the lock SQLite would take and
// release around every bind, step and column read protects nothing.
struct ReadPool::Lease::Pooled {
  Pooled(const std::string& path, int busy_timeout_ms)
      : db(path, SQLite::OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, busy_timeout_ms), statements(db) {}
  SQLite::Database db;
  StatementCache statements;
};

ReadPool::ReadPool(std::string path, int busy_timeout_ms, SQLite::Database& shared,
                   StatementCache& shared_statements, std::mutex& shared_mutex)
    : path_(std::move(path)),
      busy_timeout_ms_(busy_timeout_ms),
      shared_mode_(path_.empty() || path_ == ":memory:"),
      shared_(shared),
      shared_statements_(shared_statements),
      shared_mutex_(shared_mutex) {}

ReadPool::~ReadPool() = default;

ReadPool::Lease ReadPool::acquire() {
  if (shared_mode_)
    return Lease(this, &shared_, &shared_statements_, nullptr, std::unique_lock(shared_mutex_));
  std::unique_ptr<Lease::Pooled> connection;
  {
    std::lock_guard lock(idle_mutex_);
    if (!idle_.empty()) {
      connection = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!connection) {
    // Read-write flags but query_only: a read-only open cannot create the WAL index if the
    // writer has not yet, and query_only still refuses any write through this connection.
    connection = std::make_unique<Lease::Pooled>(path_, busy_timeout_ms_);
    connection->db.exec("PRAGMA query_only=ON");
  }
  Lease::Pooled* raw = connection.get();
  return Lease(this, &raw->db, &raw->statements, std::move(connection), {});
}

void ReadPool::give_back(std::unique_ptr<Lease::Pooled> connection) {
  std::lock_guard lock(idle_mutex_);
  idle_.push_back(std::move(connection));
}

ReadPool::Lease::Lease(ReadPool* pool, SQLite::Database* db, StatementCache* statements,
                       std::unique_ptr<Pooled> owned, std::unique_lock<std::mutex> shared_lock)
    : pool_(pool),
      db_(db),
      statements_(statements),
      owned_(std::move(owned)),
      shared_lock_(std::move(shared_lock)) {}

ReadPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_),
      db_(other.db_),
      statements_(other.statements_),
      owned_(std::move(other.owned_)),
      shared_lock_(std::move(other.shared_lock_)) {}

ReadPool::Lease::~Lease() {
  // A connection left inside a transaction (a reader that threw mid-way) is dropped, not reused.
  if (owned_ && sqlite3_get_autocommit(owned_->db.getHandle()) != 0)
    pool_->give_back(std::move(owned_));
}

}  // namespace disclose::sqlite
