#include "sqlite/read_pool.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <utility>

namespace disclose::sqlite {

ReadPool::ReadPool(std::string path, int busy_timeout_ms, SQLite::Database& shared,
                   std::mutex& shared_mutex)
    : path_(std::move(path)),
      busy_timeout_ms_(busy_timeout_ms),
      shared_mode_(path_.empty() || path_ == ":memory:"),
      shared_(shared),
      shared_mutex_(shared_mutex) {}

ReadPool::~ReadPool() = default;

ReadPool::Lease ReadPool::acquire() {
  if (shared_mode_) return Lease(this, &shared_, nullptr, std::unique_lock(shared_mutex_));
  std::unique_ptr<SQLite::Database> db;
  {
    std::lock_guard lock(idle_mutex_);
    if (!idle_.empty()) {
      db = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!db) {
    // Read-write flags but query_only: a read-only open cannot create the WAL index if the
    // writer has not yet, and query_only still refuses any write through this connection.
    db = std::make_unique<SQLite::Database>(path_, SQLite::OPEN_READWRITE, busy_timeout_ms_);
    db->exec("PRAGMA query_only=ON");
  }
  SQLite::Database* raw = db.get();
  return Lease(this, raw, std::move(db), {});
}

void ReadPool::give_back(std::unique_ptr<SQLite::Database> db) {
  std::lock_guard lock(idle_mutex_);
  idle_.push_back(std::move(db));
}

ReadPool::Lease::Lease(ReadPool* pool, SQLite::Database* db,
                       std::unique_ptr<SQLite::Database> owned,
                       std::unique_lock<std::mutex> shared_lock)
    : pool_(pool), db_(db), owned_(std::move(owned)), shared_lock_(std::move(shared_lock)) {}

ReadPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_),
      db_(other.db_),
      owned_(std::move(other.owned_)),
      shared_lock_(std::move(other.shared_lock_)) {}

ReadPool::Lease::~Lease() {
  // A connection left inside a transaction (a reader that threw mid-way) is dropped, not reused.
  if (owned_ && owned_->getHandle() && sqlite3_get_autocommit(owned_->getHandle()) != 0)
    pool_->give_back(std::move(owned_));
}

}  // namespace disclose::sqlite
