// Outbox rows (issue #4), for SqliteStore: on the caller's connection and, for writes, inside
// the caller's write transaction. None keeps a statement alive after it returns.
#pragma once

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string>
#include <vector>

#include "disclose/store.h"
#include "sqlite/statement_cache.h"

namespace disclose::sqlite {

// What caused a notification. `source` names the cause uniquely and fixes the message ids of
// its rows (see message_id_for); "" gives each row a random id instead.
struct OutboxOrigin {
  CaseId case_id = 0;                // 0 when not about a case
  std::optional<int64_t> event_seq;  // global_seq of the causing event
  std::string source;
  Instant created_at{};
};

// "msg_" + 32 hex digits of SHA-256 over the source and the subscription id: the same cause
// and receiver always give the same id, different ones practically never collide.
std::string message_id_for(const std::string& source, int64_t subscription_id);

// One pending row for one subscription, first due at `due`.
// Both write on the connection of `statements` (case writes call them, so prepared once).
OutboxItem insert_outbox(StatementCache& statements, int64_t subscription_id,
                         const Notification& notification, const OutboxOrigin& origin, Instant due);
// One row, due at notification.timestamp, per candidate that wants the notification's type
// (subscription_wants), in the candidates' order. `candidates` are agency_subscriptions for
// `case_agency`, read once per write. Returns how many rows were written.
int fan_out(StatementCache& statements, const Notification& notification,
            const std::vector<Subscription>& candidates, const std::string& case_agency,
            const OutboxOrigin& origin);

// Store::claim_outbox and Store::next_outbox_at: `skip` names subscriptions whose rows are
// left alone.
std::vector<OutboxItem> claim_outbox(StatementCache& statements, Instant now, Instant lease_until,
                                     int limit, const std::vector<int64_t>& skip);
void mark_delivered(SQLite::Database& db, int64_t id, int attempts, Instant at);
void mark_retry(SQLite::Database& db, int64_t id, int attempts, Instant next_attempt,
                const std::string& error);
void mark_dead(SQLite::Database& db, int64_t id, int attempts, const std::string& error);
bool replay(SQLite::Database& db, int64_t id, Instant now);

std::optional<OutboxItem> find_outbox(SQLite::Database& db, int64_t id);
std::vector<OutboxItem> list_outbox(SQLite::Database& db, const OutboxFilter& filter);
std::optional<Instant> next_outbox_at(StatementCache& statements, const std::vector<int64_t>& skip);

}  // namespace disclose::sqlite
