// Connections for reading. In WAL mode readers never wait for the writer, so each thread that
// reads gets a connection of its own (kept for reuse) instead of queueing behind the writing
// connection while it commits. A private in-memory database has only one connection; then every
// read shares the writer's, under its mutex.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sqlite/statement_cache.h"

namespace SQLite {
class Database;
}

namespace disclose::sqlite {

class ReadPool {
 public:
  // `shared`, its statements and `shared_mutex` are the writing connection's, used when `path`
  // is ":memory:" (or empty). All must outlive the pool.
  ReadPool(std::string path, int busy_timeout_ms, SQLite::Database& shared,
           StatementCache& shared_statements, std::mutex& shared_mutex);
  ~ReadPool();
  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;

  // One connection for the lifetime of the lease; returned to the pool (or the shared
  // connection's mutex released) when the lease ends. Statements must end before the lease does.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    SQLite::Database& db() const { return *db_; }
    // Statements prepared on db(), kept with it.
    StatementCache& statements() const { return *statements_; }

   private:
    friend class ReadPool;
    struct Pooled;
    Lease(ReadPool* pool, SQLite::Database* db, StatementCache* statements,
          std::unique_ptr<Pooled> owned, std::unique_lock<std::mutex> shared_lock);
    ReadPool* pool_;
    SQLite::Database* db_;
    StatementCache* statements_;
    std::unique_ptr<Pooled> owned_;             // pooled connection, handed back at the end
    std::unique_lock<std::mutex> shared_lock_;  // held in shared mode
  };

  Lease acquire();
  // Whether reads share the writing connection (a private in-memory database).
  bool shared_mode() const { return shared_mode_; }

 private:
  void give_back(std::unique_ptr<Lease::Pooled> connection);

  const std::string path_;
  const int busy_timeout_ms_;
  const bool shared_mode_;
  SQLite::Database& shared_;
  StatementCache& shared_statements_;
  std::mutex& shared_mutex_;
  std::mutex idle_mutex_;
  std::vector<std::unique_ptr<Lease::Pooled>> idle_;
};

}  // namespace disclose::sqlite
