// Timers are rows so that they survive restarts (DESIGN.md §5): the scheduler arms one Asio timer
// at next_timer_at() and, on start-up, fires everything already due.
//
// Fired rows are kept. The planner says when to look at a case, and may well name the same
// occurrence again after it fired (an occurrence that was due but superseded is never sent, so
// its key never enters the ledger). Re-inserting such a row as pending, with its past fire_at,
// would wake the scheduler at once, find nothing to do, and loop. So a planned timer that matches
// a fired row — same (case, purpose, deadline, epoch, offset) and same fire_at — stays fired.
// If its fire_at differs (the due date moved within one clock epoch, e.g. after a calendar
// import), it is a new moment to look and the row is armed again.
#include "sqlite/timer_rows.h"

#include <SQLiteCpp/Statement.h>

#include <chrono>
#include <optional>
#include <string_view>

#include "disclose/store.h"

namespace disclose::sqlite {
namespace {

// The planner's spelling (engine/timers/reminder_planner.cc) is the column's.
const char* purpose_text(TimerPurpose purpose) {
  return to_string(purpose);
}

TimerPurpose purpose_from_text(std::string_view text) {
  if (auto purpose = timer_purpose_from(text)) return *purpose;
  throw StoreError("unknown timer purpose '" + std::string(text) + "'");
}

int64_t unix_seconds(Instant at) {
  return at.time_since_epoch().count();
}

Instant from_unix(int64_t seconds) {
  return Instant{std::chrono::seconds{seconds}};
}

}  // namespace

void replace_pending_timers(StatementCache& statements, CaseId id,
                            const std::vector<PlannedTimer>& timers) {
  // Most case writes plan what was already pending, so a pending row is only deleted when the
  // plan no longer holds it as it is, and only the planned timers not already pending are
  // written: each row sits in three B-trees (the table, its unique key, timers_pending).
  std::vector<bool> pending(timers.size(), false);
  std::vector<int64_t> stale;
  {
    auto st = statements.get(
        "SELECT id, purpose, deadline, epoch, offset_wd, fire_on, fire_at_unix FROM timers"
        " WHERE case_id = ? AND fired_at IS NULL");
    st->bind(1, id);
    while (st->executeStep()) {
      const std::string purpose = st->getColumn(1).getString();
      const std::string deadline = st->getColumn(2).getString();
      const int64_t epoch = st->getColumn(3).getInt64();
      const int64_t offset_wd = st->getColumn(4).getInt64();
      const std::string fire_on = st->getColumn(5).getString();
      const int64_t fire_at_unix = st->getColumn(6).getInt64();
      bool kept = false;
      for (size_t i = 0; i < timers.size() && !kept; ++i) {
        const PlannedTimer& t = timers[i];
        kept = !pending[i] && purpose == purpose_text(t.purpose) && deadline == t.deadline &&
               epoch == t.epoch && offset_wd == t.offset_wd &&
               fire_at_unix == unix_seconds(t.fire_at) && fire_on == t.fire_on.str();
        if (kept) pending[i] = true;
      }
      if (!kept) stale.push_back(st->getColumn(0).getInt64());
    }
    st->reset();
  }
  if (!stale.empty()) {
    auto drop = statements.get("DELETE FROM timers WHERE id = ?");
    for (int64_t row : stale) {
      drop->bind(1, row);
      drop->exec();
      drop->reset();
    }
  }
  // The case's other pending rows are gone, so a conflict can only be with a fired row (see the
  // top of the file).
  auto st = statements.get(
      "INSERT INTO timers(case_id, purpose, deadline, epoch, offset_wd, fire_on, fire_at,"
      " fire_at_unix) VALUES(?, ?, ?, ?, ?, ?, ?, ?)"
      " ON CONFLICT(case_id, purpose, deadline, epoch, offset_wd) DO UPDATE SET"
      " fire_on = excluded.fire_on, fire_at = excluded.fire_at,"
      " fire_at_unix = excluded.fire_at_unix, fired_at = NULL"
      " WHERE timers.fire_at_unix <> excluded.fire_at_unix");
  for (size_t i = 0; i < timers.size(); ++i) {
    if (pending[i]) continue;
    const PlannedTimer& t = timers[i];
    st->bind(1, id);
    st->bind(2, purpose_text(t.purpose));
    st->bind(3, t.deadline);
    st->bind(4, t.epoch);
    st->bind(5, t.offset_wd);
    st->bind(6, t.fire_on.str());
    st->bind(7, format_instant(t.fire_at, 0));
    st->bind(8, unix_seconds(t.fire_at));
    st->exec();
    st->reset();
  }
}

void mark_timers_fired(SQLite::Database& db, CaseId id, Instant fired_at) {
  SQLite::Statement st(db,
                       "UPDATE timers SET fired_at = ?"
                       " WHERE case_id = ? AND fired_at IS NULL AND fire_at_unix <= ?");
  st.bind(1, format_instant(fired_at, 0));
  st.bind(2, id);
  st.bind(3, unix_seconds(fired_at));
  st.exec();
}

std::vector<PlannedTimer> pending_timers(SQLite::Database& db, CaseId id) {
  SQLite::Statement st(db,
                       "SELECT purpose, deadline, epoch, offset_wd, fire_on, fire_at_unix"
                       " FROM timers WHERE case_id = ? AND fired_at IS NULL"
                       " ORDER BY fire_at_unix, id");
  st.bind(1, id);
  std::vector<PlannedTimer> out;
  while (st.executeStep()) {
    PlannedTimer t;
    t.purpose = purpose_from_text(st.getColumn(0).getString());
    t.deadline = st.getColumn(1).getString();
    t.epoch = st.getColumn(2).getInt();
    t.offset_wd = st.getColumn(3).getInt();
    std::optional<Date> on = Date::parse(st.getColumn(4).getString());
    if (!on) throw StoreError("timer of case " + std::to_string(id) + ": bad fire_on");
    t.fire_on = *on;
    t.fire_at = from_unix(st.getColumn(5).getInt64());
    out.push_back(std::move(t));
  }
  return out;
}

std::optional<Instant> next_timer_at(SQLite::Database& db) {
  // MIN over the partial index: one index probe.
  SQLite::Statement st(db, "SELECT MIN(fire_at_unix) FROM timers WHERE fired_at IS NULL");
  st.executeStep();
  if (st.getColumn(0).isNull()) return std::nullopt;
  return from_unix(st.getColumn(0).getInt64());
}

std::vector<CaseId> cases_with_due_timers(SQLite::Database& db, Instant now, int limit) {
  if (limit <= 0) return {};  // SQLite reads a negative LIMIT as "no limit"
  SQLite::Statement st(db,
                       "SELECT case_id FROM timers"
                       " WHERE fired_at IS NULL AND fire_at_unix <= ?"
                       " GROUP BY case_id ORDER BY MIN(fire_at_unix), case_id LIMIT ?");
  st.bind(1, unix_seconds(now));
  st.bind(2, limit);
  std::vector<CaseId> out;
  while (st.executeStep()) out.push_back(st.getColumn(0).getInt64());
  return out;
}

std::set<std::string> ledger_keys(StatementCache& statements, CaseId id) {
  auto st = statements.get("SELECT key FROM reminder_ledger WHERE case_id = ?");
  st->bind(1, id);
  std::set<std::string> out;
  while (st->executeStep()) out.insert(st->getColumn(0).getString());
  return out;
}

bool insert_ledger_key(SQLite::Database& db, const std::string& key, CaseId id, Instant sent_at) {
  SQLite::Statement st(db,
                       "INSERT INTO reminder_ledger(key, case_id, sent_at) VALUES(?, ?, ?)"
                       " ON CONFLICT(key) DO NOTHING");
  st.bind(1, key);
  st.bind(2, id);
  st.bind(3, format_instant(sent_at, 0));
  return st.exec() == 1;
}

}  // namespace disclose::sqlite
