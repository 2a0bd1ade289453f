// SQLite implementation of the Store port (SQLiteCpp). WAL journal, synchronous=FULL by default,
// foreign keys on, versioned migrations, append-only events enforced by triggers.
#pragma once

#include <memory>
#include <string>

#include "disclose/store.h"
#include "disclose/time_source.h"

namespace disclose {

struct SqliteOptions {
  std::string path;                  // ":memory:" for a private in-memory database
  std::string synchronous = "FULL";  // FULL | NORMAL
  // "Now" for the timestamps the store itself records (users', tokens' and subscriptions'
  // creation, tokens' last use, idempotency records); nullptr: the system clock. Must outlive
  // the store. Case and event times come from the caller, not from here.
  const TimeSource* clock = nullptr;
};

// Opens (creating and migrating as needed) the database at options.path.
//
// Store::batch holds its statement journal (a copy of each page its writes change, per write)
// in memory until it commits: keep batches to thousands of writes (datagen's default of 1,000
// cases, some 9,000 writes, runs in 57 MB resident).
std::unique_ptr<Store> open_sqlite_store(const SqliteOptions& options);

}  // namespace disclose
