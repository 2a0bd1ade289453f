#include "sqlite/statement_cache.h"

#include <SQLiteCpp/Database.h>

namespace disclose::sqlite {

StatementCache::Lease::~Lease() {
  if (!statement_) return;
  if (leased_) {
    // Never throws: reset() reports the last step's error, which the caller has already seen.
    try {
      statement_->reset();
    } catch (...) {
    }
    statement_->clearBindings();
    *leased_ = false;
  }
}

StatementCache::Lease StatementCache::get(const std::string& sql) {
  auto found = entries_.find(sql);
  if (found == entries_.end()) {
    found =
        entries_.emplace(sql, std::make_unique<Entry>(Entry{SQLite::Statement(db_, sql)})).first;
  }
  Entry& entry = *found->second;
  if (entry.leased) {
    auto copy = std::make_unique<SQLite::Statement>(db_, sql);
    SQLite::Statement* statement = copy.get();
    return Lease(statement, nullptr, std::move(copy));
  }
  entry.leased = true;
  return Lease(&entry.statement, &entry.leased, nullptr);
}

}  // namespace disclose::sqlite
