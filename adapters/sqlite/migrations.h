// Versioned schema migrations for the SQLite store.
#pragma once

#include <SQLiteCpp/Database.h>

namespace disclose::sqlite {

// The schema version this binary writes.
int latest_schema_version();

// Brings the database up to latest_schema_version() in one transaction, recording each step in
// schema_migrations; a database already current is left untouched. Throws StoreError when the
// database was written by a newer binary.
void migrate(SQLite::Database& db);

// Stops at `target_version` (1 … latest): lets tests build a database as an older release left it.
void migrate(SQLite::Database& db, int target_version);

}  // namespace disclose::sqlite
