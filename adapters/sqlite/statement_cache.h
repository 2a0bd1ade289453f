// Prepared statements kept for reuse on one connection.
//
// Preparing a statement costs more than running most of ours (SQLite parses and plans the SQL
// each time), and every request runs the same dozen texts. A cache belongs to one connection
// and is used by one thread at a time (whoever holds that connection).
#pragma once

#include <SQLiteCpp/Statement.h>

#include <memory>
#include <string>
#include <unordered_map>

namespace SQLite {
class Database;
}

namespace disclose::sqlite {

class StatementCache {
 public:
  explicit StatementCache(SQLite::Database& db) : db_(db) {}
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // The statement for `sql`, ready to bind; reset and unbound again when the lease ends, so a
  // cached statement never keeps a read open across a COMMIT. Asking for a text that is
  // already leased (a helper calling itself) prepares a private copy instead.
  class Lease {
   public:
    Lease(Lease&& other) noexcept
        : statement_(other.statement_), leased_(other.leased_), owned_(std::move(other.owned_)) {
      other.statement_ = nullptr;
      other.leased_ = nullptr;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease();

    SQLite::Statement& operator*() const { return *statement_; }
    SQLite::Statement* operator->() const { return statement_; }

   private:
    friend class StatementCache;
    Lease(SQLite::Statement* statement, bool* leased, std::unique_ptr<SQLite::Statement> owned)
        : statement_(statement), leased_(leased), owned_(std::move(owned)) {}
    SQLite::Statement* statement_;
    bool* leased_;  // the cache slot's flag, or null for a private copy
    std::unique_ptr<SQLite::Statement> owned_;
  };

  Lease get(const std::string& sql);

  SQLite::Database& db() const { return db_; }
  // How many distinct texts are prepared (for tests).
  std::size_t size() const { return entries_.size(); }

 private:
  SQLite::Database& db_;
  struct Entry {
    SQLite::Statement statement;
    bool leased = false;
  };
  std::unordered_map<std::string, std::unique_ptr<Entry>> entries_;
};

}  // namespace disclose::sqlite
