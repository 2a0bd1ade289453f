// SQLite implementation of the Store port (SQLiteCpp). WAL journal, synchronous=FULL by default,
// foreign keys on, versioned migrations, append-only events enforced by triggers.
#pragma once

#include <memory>
#include <string>

#include "disclose/store.h"

namespace disclose {

struct SqliteOptions {
  std::string path;                  // ":memory:" for a private in-memory database
  std::string synchronous = "FULL";  // FULL | NORMAL
};

// Opens (creating and migrating as needed) the database at options.path.
std::unique_ptr<Store> open_sqlite_store(const SqliteOptions& options);

}  // namespace disclose
