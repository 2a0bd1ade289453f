// The transactional outbox (DESIGN.md §5). A row is written in the same transaction as the
// change that caused it and is delivered later, at least once, under its stable message id.
//
// Message ids are derived, not drawn, wherever the cause has an identity of its own:
//   a case write:  source "e:<event hash>:<n>", n = the notification's index among those the
//                  write composed (only types some subscription takes; the event hash is
//                  unique across cases and databases, and the write is planned once);
//   a reminder:    source "r:<ledger key>" (the key is recorded once, so is its notification);
// and message_id_for(source, subscription id) hashes the pair. A message queued by hand
// (Store::enqueue, e.g. a test message) has no such identity: every call is a new message, so
// its id is random.
#include "sqlite/outbox_rows.h"

#include <SQLiteCpp/Statement.h>
#include <openssl/rand.h>

#include <boost/json.hpp>

#include "disclose/audit.h"
#include "sqlite/subscription_rows.h"

namespace disclose::sqlite {
namespace json = boost::json;
namespace {

std::string hex(const unsigned char* bytes, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0x0F];
  }
  return out;
}

std::string random_message_id() {
  unsigned char random[16];
  if (RAND_bytes(random, sizeof random) != 1) throw StoreError("RAND_bytes failed");
  return "msg_" + hex(random, sizeof random);
}

std::string time_text(Instant at) {
  return format_instant(at, 0);
}

std::optional<Instant> time_column(int64_t id, const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  std::optional<Instant> at = parse_instant(column.getString());
  if (!at) throw StoreError("outbox row " + std::to_string(id) + ": unreadable time");
  return at;
}

// The payload: the whole notification, so a delivery attempt needs nothing else about the case.
std::string payload_json(const Notification& n) {
  return json::serialize(
      json::object{{"type", n.type}, {"timestamp", time_text(n.timestamp)}, {"data", n.data}});
}

Notification notification_from(int64_t id, const std::string& text) {
  try {
    json::object o = json::parse(text).as_object();
    Notification n;
    n.type = std::string(o.at("type").as_string());
    std::optional<Instant> at = parse_instant(o.at("timestamp").as_string());
    if (!at) throw StoreError("bad timestamp");
    n.timestamp = *at;
    n.data = o.at("data").as_object();
    return n;
  } catch (const std::exception& error) {
    throw StoreError("outbox row " + std::to_string(id) + ": unreadable payload: " + error.what());
  }
}

constexpr const char* kColumns =
    "SELECT id, dedup_key, subscription_id, case_id, payload, status, attempts, created_at,"
    " next_attempt_at, first_attempt_at, delivered_at, last_error FROM outbox";

OutboxItem item_from(SQLite::Statement& st) {
  OutboxItem item;
  item.id = st.getColumn(0).getInt64();
  item.message_id = st.getColumn(1).getString();
  item.subscription_id = st.getColumn(2).isNull() ? 0 : st.getColumn(2).getInt64();
  item.case_id = st.getColumn(3).isNull() ? 0 : st.getColumn(3).getInt64();
  item.notification = notification_from(item.id, st.getColumn(4).getString());
  std::optional<OutboxStatus> status = outbox_status_from(st.getColumn(5).getString());
  if (!status) throw StoreError("outbox row " + std::to_string(item.id) + ": unknown status");
  item.status = *status;
  item.attempts = st.getColumn(6).getInt();
  item.created_at = time_column(item.id, st.getColumn(7)).value_or(Instant{});
  item.next_attempt_at = time_column(item.id, st.getColumn(8)).value_or(Instant{});
  item.first_attempt_at = time_column(item.id, st.getColumn(9));
  item.delivered_at = time_column(item.id, st.getColumn(10));
  item.last_error = st.getColumn(11).isNull() ? "" : st.getColumn(11).getString();
  return item;
}

// The dispatcher reports on rows it claimed; a row that meanwhile stopped being pending (its
// subscription was removed, or an operator acted on it) is left as it is.
constexpr const char* kStillPending = " WHERE id = ? AND status = 'pending'";

// Leaves out the rows of the subscriptions listed in :skip, a JSON array of ids (skip_list).
constexpr const char* kNotSkipped =
    " AND IFNULL(subscription_id, 0) NOT IN (SELECT value FROM json_each(:skip))";

std::string skip_list(const std::vector<int64_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "]";
}

}  // namespace

std::string message_id_for(const std::string& source, int64_t subscription_id) {
  return "msg_" + sha256_hex("disclose-outbox\n" + source + "\n" + std::to_string(subscription_id))
                      .substr(0, 32);
}

OutboxItem insert_outbox(StatementCache& statements, int64_t subscription_id,
                         const Notification& notification, const OutboxOrigin& origin,
                         Instant due) {
  OutboxItem item;
  item.message_id =
      origin.source.empty() ? random_message_id() : message_id_for(origin.source, subscription_id);
  item.subscription_id = subscription_id;
  item.case_id = origin.case_id;
  item.notification = notification;
  item.created_at = origin.created_at;
  item.next_attempt_at = due;

  auto st = statements.get(
      "INSERT INTO outbox(created_at, dedup_key, case_id, event_seq, topic,"
      " payload, status, attempts, next_attempt_at, subscription_id)"
      " VALUES(?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)");
  st->bind(1, time_text(item.created_at));
  st->bind(2, item.message_id);
  if (origin.case_id != 0) {
    st->bind(3, origin.case_id);
  } else {
    st->bind(3);
  }
  if (origin.event_seq) {
    st->bind(4, *origin.event_seq);
  } else {
    st->bind(4);
  }
  st->bind(5, notification.type);
  st->bind(6, payload_json(notification));
  st->bind(7, time_text(item.next_attempt_at));
  st->bind(8, subscription_id);
  st->exec();
  item.id = statements.db().getLastInsertRowid();
  return item;
}

int fan_out(StatementCache& statements, const Notification& notification,
            const std::vector<Subscription>& candidates, const std::string& case_agency,
            const OutboxOrigin& origin) {
  int written = 0;
  for (const Subscription& subscription : candidates) {
    if (!subscription_wants(subscription, notification.type, case_agency)) continue;
    insert_outbox(statements, subscription.id, notification, origin, notification.timestamp);
    ++written;
  }
  return written;
}

std::vector<OutboxItem> claim_outbox(StatementCache& statements, Instant now, Instant lease_until,
                                     int limit, const std::vector<int64_t>& skip) {
  std::vector<OutboxItem> claimed;
  if (limit <= 0) return claimed;  // SQLite reads a negative LIMIT as "no limit"
  {
    auto st = statements.get(
        std::string(kColumns) + " WHERE status = 'pending'" + (skip.empty() ? "" : kNotSkipped) +
        " AND next_attempt_at <= :now ORDER BY next_attempt_at, id LIMIT :limit");
    if (!skip.empty()) st->bind(":skip", skip_list(skip));
    st->bind(":now", time_text(now));
    st->bind(":limit", limit);
    while (st->executeStep()) claimed.push_back(item_from(*st));
  }
  auto lease = statements.get(
      "UPDATE outbox SET next_attempt_at = ?,"
      " first_attempt_at = COALESCE(first_attempt_at, ?) WHERE id = ?");
  for (OutboxItem& item : claimed) {
    lease->bind(1, time_text(lease_until));
    lease->bind(2, time_text(now));
    lease->bind(3, item.id);
    lease->exec();
    lease->reset();
    item.next_attempt_at = lease_until;
    if (!item.first_attempt_at) item.first_attempt_at = now;
  }
  return claimed;
}

void mark_delivered(SQLite::Database& db, int64_t id, int attempts, Instant at) {
  SQLite::Statement st(db, std::string("UPDATE outbox SET status = 'delivered', attempts = ?,"
                                       " delivered_at = ?") +
                               kStillPending);
  st.bind(1, attempts);
  st.bind(2, time_text(at));
  st.bind(3, id);
  st.exec();
}

void mark_retry(SQLite::Database& db, int64_t id, int attempts, Instant next_attempt,
                const std::string& error) {
  SQLite::Statement st(db, std::string("UPDATE outbox SET attempts = ?, next_attempt_at = ?,"
                                       " last_error = ?") +
                               kStillPending);
  st.bind(1, attempts);
  st.bind(2, time_text(next_attempt));
  st.bind(3, error);
  st.bind(4, id);
  st.exec();
}

void mark_dead(SQLite::Database& db, int64_t id, int attempts, const std::string& error) {
  SQLite::Statement st(
      db, std::string("UPDATE outbox SET status = 'dead', attempts = ?, last_error = ?") +
              kStillPending);
  st.bind(1, attempts);
  st.bind(2, error);
  st.bind(3, id);
  st.exec();
}

bool replay(SQLite::Database& db, int64_t id, Instant now) {
  // last_error stays: it tells an admin why the row died until a new attempt replaces it.
  SQLite::Statement st(db,
                       "UPDATE outbox SET status = 'pending', next_attempt_at = ?, attempts = 0,"
                       " first_attempt_at = NULL WHERE id = ? AND status = 'dead'");
  st.bind(1, time_text(now));
  st.bind(2, id);
  return st.exec() == 1;
}

std::optional<OutboxItem> find_outbox(SQLite::Database& db, int64_t id) {
  SQLite::Statement st(db, std::string(kColumns) + " WHERE id = ?");
  st.bind(1, id);
  if (!st.executeStep()) return std::nullopt;
  return item_from(st);
}

std::vector<OutboxItem> list_outbox(SQLite::Database& db, const OutboxFilter& filter) {
  if (filter.limit <= 0) throw StoreError("limit must be positive");
  // Only fixed clauses are appended; every value is bound.
  std::string sql = std::string(kColumns) + " WHERE id > :after";
  if (filter.status) sql += " AND status = :status";
  if (filter.subscription_id) sql += " AND subscription_id = :subscription";
  if (filter.case_id) sql += " AND case_id = :case";
  sql += " ORDER BY id LIMIT :limit";
  SQLite::Statement st(db, sql);
  st.bind(":after", filter.after_id);
  if (filter.status) st.bind(":status", to_string(*filter.status));
  if (filter.subscription_id) st.bind(":subscription", *filter.subscription_id);
  if (filter.case_id) st.bind(":case", *filter.case_id);
  st.bind(":limit", filter.limit);
  std::vector<OutboxItem> out;
  while (st.executeStep()) out.push_back(item_from(st));
  return out;
}

std::optional<Instant> next_outbox_at(StatementCache& statements,
                                      const std::vector<int64_t>& skip) {
  // In index order, so that the first row not skipped ends the walk.
  auto st =
      statements.get(std::string("SELECT next_attempt_at FROM outbox WHERE status = 'pending'") +
                     (skip.empty() ? "" : kNotSkipped) + " ORDER BY next_attempt_at LIMIT 1");
  if (!skip.empty()) st->bind(":skip", skip_list(skip));
  if (!st->executeStep()) return std::nullopt;
  std::optional<Instant> at = parse_instant(st->getColumn(0).getString());
  if (!at) throw StoreError("outbox: unreadable next_attempt_at");
  return at;
}

}  // namespace disclose::sqlite
