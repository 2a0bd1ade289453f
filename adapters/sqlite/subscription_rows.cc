#include "sqlite/subscription_rows.h"

#include <SQLiteCpp/Statement.h>

#include <boost/json.hpp>
#include <string_view>

#include "disclose/store.h"

namespace disclose::sqlite {
namespace json = boost::json;
namespace {

// Both now live in the engine (engine/notifications/subscription.cc), so the column and the API
// spell kinds the same way.
const char* kind_text(SubscriptionKind kind) {
  return to_string(kind);
}

SubscriptionKind kind_from_text(std::string_view text) {
  if (auto kind = subscription_kind_from(text)) return *kind;
  throw StoreError("unknown subscription kind '" + std::string(text) + "'");
}

std::string events_json(const std::vector<std::string>& events) {
  json::array list;
  for (const std::string& e : events) list.emplace_back(e);
  return json::serialize(list);
}

std::vector<std::string> events_from_json(int64_t id, const std::string& text) {
  std::vector<std::string> out;
  try {
    json::value list = json::parse(text);
    for (const json::value& v : list.as_array()) {
      out.emplace_back(v.as_string());
    }
  } catch (const std::exception& error) {
    throw StoreError("subscription " + std::to_string(id) + ": unreadable events: " + error.what());
  }
  return out;
}

constexpr const char* kColumns =
    "SELECT id, url, kind, secret, agency, events, enabled, description, created_at"
    " FROM subscriptions";

Subscription subscription_from(SQLite::Statement& st) {
  Subscription s;
  s.id = st.getColumn(0).getInt64();
  s.url = st.getColumn(1).getString();
  s.kind = kind_from_text(st.getColumn(2).getString());
  s.secret = st.getColumn(3).getString();
  if (!st.getColumn(4).isNull()) s.agency = st.getColumn(4).getString();
  s.events = events_from_json(s.id, st.getColumn(5).getString());
  s.enabled = st.getColumn(6).getInt() != 0;
  s.description = st.getColumn(7).getString();
  std::optional<Instant> created = parse_instant(st.getColumn(8).getString());
  if (!created) throw StoreError("subscription " + std::to_string(s.id) + ": bad created_at");
  s.created_at = *created;
  return s;
}

// The columns every write sets, from index `first` on: url … description.
void bind_fields(SQLite::Statement& st, int first, const Subscription& s) {
  st.bind(first, s.url);
  st.bind(first + 1, kind_text(s.kind));
  st.bind(first + 2, s.secret);
  if (s.agency) {
    st.bind(first + 3, *s.agency);
  } else {
    st.bind(first + 3);
  }
  st.bind(first + 4, events_json(s.events));
  st.bind(first + 5, s.enabled ? 1 : 0);
  st.bind(first + 6, s.description);
}

// The foreign key would refuse it too, but with a message nobody can act on.
void check_agency(SQLite::Database& db, const Subscription& s) {
  if (!s.agency) return;
  SQLite::Statement st(db, "SELECT 1 FROM agencies WHERE code = ?");
  st.bind(1, *s.agency);
  if (!st.executeStep()) throw StoreError("unknown agency '" + *s.agency + "'");
}

}  // namespace

Subscription insert_subscription(SQLite::Database& db, const Subscription& subscription) {
  check_agency(db, subscription);
  SQLite::Statement st(db,
                       "INSERT INTO subscriptions(url, kind, secret, agency, events, enabled,"
                       " description, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
  bind_fields(st, 1, subscription);
  st.bind(8, format_instant(subscription.created_at, 0));
  st.exec();
  Subscription stored = subscription;
  stored.id = db.getLastInsertRowid();
  return stored;
}

std::optional<Subscription> find_subscription(SQLite::Database& db, int64_t id) {
  SQLite::Statement st(db, std::string(kColumns) + " WHERE id = ?");
  st.bind(1, id);
  if (!st.executeStep()) return std::nullopt;
  return subscription_from(st);
}

std::vector<Subscription> all_subscriptions(SQLite::Database& db) {
  SQLite::Statement st(db, std::string(kColumns) + " ORDER BY id");
  std::vector<Subscription> out;
  while (st.executeStep()) out.push_back(subscription_from(st));
  return out;
}

bool update_subscription(SQLite::Database& db, const Subscription& subscription) {
  check_agency(db, subscription);
  SQLite::Statement st(db,
                       "UPDATE subscriptions SET url = ?, kind = ?, secret = ?, agency = ?,"
                       " events = ?, enabled = ?, description = ? WHERE id = ?");
  bind_fields(st, 1, subscription);
  st.bind(8, subscription.id);
  return st.exec() == 1;
}

bool delete_subscription(SQLite::Database& db, int64_t id) {
  // Undelivered rows could never be delivered without their receiver. Delivered rows are the
  // record of what was sent (and keep their message ids taken), so they stay, detached.
  SQLite::Statement drop(db,
                         "DELETE FROM outbox WHERE subscription_id = ?"
                         " AND status IN ('pending', 'dead')");
  drop.bind(1, id);
  drop.exec();
  SQLite::Statement detach(db,
                           "UPDATE outbox SET subscription_id = NULL WHERE subscription_id = ?");
  detach.bind(1, id);
  detach.exec();
  SQLite::Statement st(db, "DELETE FROM subscriptions WHERE id = ?");
  st.bind(1, id);
  return st.exec() == 1;
}

std::vector<Subscription> agency_subscriptions(StatementCache& statements,
                                               const std::string& agency) {
  auto st = statements.get(std::string(kColumns) +
                           " WHERE enabled = 1 AND (agency IS NULL OR agency = ?) ORDER BY id");
  st->bind(1, agency);
  std::vector<Subscription> out;
  while (st->executeStep()) out.push_back(subscription_from(*st));
  return out;
}

}  // namespace disclose::sqlite
