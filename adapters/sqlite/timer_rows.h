// Timer rows and the reminder ledger (issue #4), for SqliteStore. Every function runs on the
// caller's connection (or its statement cache) and, when it writes, inside the caller's write
// transaction; none keeps a statement stepping after it returns.
#pragma once

#include <SQLiteCpp/Database.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "disclose/case.h"
#include "disclose/reminders.h"
#include "sqlite/statement_cache.h"

namespace disclose::sqlite {

// Makes `timers` the case's unfired timers: pending rows the plan no longer holds are deleted,
// the others left untouched. A planned timer equal to a fired row (same occurrence, same
// fire_at) stays fired; one whose fire_at moved is re-armed.
void replace_pending_timers(StatementCache& statements, CaseId id,
                            const std::vector<PlannedTimer>& timers);
// Marks the case's unfired timers due at or before `fired_at` as fired.
void mark_timers_fired(SQLite::Database& db, CaseId id, Instant fired_at);

std::vector<PlannedTimer> pending_timers(SQLite::Database& db, CaseId id);
std::optional<Instant> next_timer_at(SQLite::Database& db);
std::vector<CaseId> cases_with_due_timers(SQLite::Database& db, Instant now, int limit);

std::set<std::string> ledger_keys(StatementCache& statements, CaseId id);
// False when the key was already in the ledger (it is left as it was).
bool insert_ledger_key(SQLite::Database& db, const std::string& key, CaseId id, Instant sent_at);

}  // namespace disclose::sqlite
