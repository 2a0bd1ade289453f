// Subscription rows (issue #4), for SqliteStore: on the caller's connection and, for writes,
// inside the caller's write transaction.
#pragma once

#include <SQLiteCpp/Database.h>

#include <optional>
#include <vector>

#include "disclose/notification.h"
#include "sqlite/statement_cache.h"

namespace disclose::sqlite {

// Assigns the id; `subscription.created_at` is stored as given.
Subscription insert_subscription(SQLite::Database& db, const Subscription& subscription);
std::optional<Subscription> find_subscription(SQLite::Database& db, int64_t id);
std::vector<Subscription> all_subscriptions(SQLite::Database& db);
bool update_subscription(SQLite::Database& db, const Subscription& subscription);
// Deletes the subscription and its pending and dead outbox rows; its delivered rows stay, with
// subscription_id NULL. False when there is no such subscription.
bool delete_subscription(SQLite::Database& db, int64_t id);

// Enabled subscriptions for cases of `agency` (or of every agency), whatever types they want:
// a case write reads them once and matches each of its notifications with subscription_wants.
std::vector<Subscription> agency_subscriptions(StatementCache& statements,
                                               const std::string& agency);

}  // namespace disclose::sqlite
