#include "sqlite/session_rows.h"

#include <SQLiteCpp/Statement.h>

namespace disclose::sqlite {
namespace {

std::string utc(Instant at) {
  return format_instant(at, 0);
}

Instant instant_of(const SQLite::Column& column) {
  std::optional<Instant> at = parse_instant(column.getString());
  if (!at) throw StoreError("sessions: unreadable time '" + column.getString() + "'");
  return *at;
}

}  // namespace

void check_login_free(SQLite::Database& db, const std::string& login, int64_t user_id) {
  std::optional<int64_t> holder = user_with_login(db, login);
  if (holder && *holder != user_id) throw LoginTaken(login);
}

void set_login_password(SQLite::Database& db, int64_t user_id,
                        const std::optional<std::string>& login,
                        const std::optional<std::string>& password_hash) {
  SQLite::Statement exists(db, "SELECT 1 FROM users WHERE id = ?");
  exists.bind(1, user_id);
  if (!exists.executeStep()) throw StoreError("no user " + std::to_string(user_id));
  if (login) {
    if (!login->empty()) check_login_free(db, *login, user_id);
    SQLite::Statement st(db, "UPDATE users SET login = ? WHERE id = ?");
    if (login->empty()) {
      st.bind(1);
    } else {
      st.bind(1, *login);
    }
    st.bind(2, user_id);
    st.exec();
  }
  if (password_hash) {
    SQLite::Statement st(db, "UPDATE users SET password_hash = ? WHERE id = ?");
    st.bind(1, *password_hash);
    st.bind(2, user_id);
    st.exec();
    // A new password shuts out whoever signed in with the old one.
    delete_user_sessions(db, user_id);
  }
}

std::optional<std::string> password_hash_of(SQLite::Database& db, int64_t user_id) {
  SQLite::Statement st(db, "SELECT COALESCE(password_hash, '') FROM users WHERE id = ?");
  st.bind(1, user_id);
  if (!st.executeStep()) return std::nullopt;
  return st.getColumn(0).getString();
}

std::optional<int64_t> user_with_login(SQLite::Database& db, const std::string& login) {
  SQLite::Statement st(db, "SELECT id FROM users WHERE login = ? COLLATE NOCASE");
  st.bind(1, login);
  if (!st.executeStep()) return std::nullopt;
  return st.getColumn(0).getInt64();
}

SessionRecord insert_session(SQLite::Database& db, const std::string& token_hash,
                             const SessionRecord& session) {
  SQLite::Statement st(db,
                       "INSERT INTO sessions(token_hash, user_id, csrf_token, created_at,"
                       " last_seen_at, expires_at) VALUES(?, ?, ?, ?, ?, ?)");
  st.bind(1, token_hash);
  st.bind(2, session.user_id);
  st.bind(3, session.csrf_token);
  st.bind(4, utc(session.created_at));
  st.bind(5, utc(session.last_seen_at));
  st.bind(6, utc(session.expires_at));
  st.exec();
  SessionRecord stored = session;
  stored.id = db.getLastInsertRowid();
  return stored;
}

std::optional<SessionRecord> find_session(SQLite::Database& db, const std::string& token_hash) {
  SQLite::Statement st(db,
                       "SELECT id, user_id, csrf_token, created_at, last_seen_at, expires_at"
                       " FROM sessions WHERE token_hash = ?");
  st.bind(1, token_hash);
  if (!st.executeStep()) return std::nullopt;
  SessionRecord s;
  s.id = st.getColumn(0).getInt64();
  s.user_id = st.getColumn(1).getInt64();
  s.csrf_token = st.getColumn(2).getString();
  s.created_at = instant_of(st.getColumn(3));
  s.last_seen_at = instant_of(st.getColumn(4));
  s.expires_at = instant_of(st.getColumn(5));
  return s;
}

void touch_session(SQLite::Database& db, int64_t session_id, Instant last_seen_at) {
  SQLite::Statement st(db, "UPDATE sessions SET last_seen_at = ? WHERE id = ?");
  st.bind(1, utc(last_seen_at));
  st.bind(2, session_id);
  st.exec();
}

bool delete_session(SQLite::Database& db, const std::string& token_hash) {
  SQLite::Statement st(db, "DELETE FROM sessions WHERE token_hash = ?");
  st.bind(1, token_hash);
  return st.exec() > 0;
}

int delete_user_sessions(SQLite::Database& db, int64_t user_id) {
  SQLite::Statement st(db, "DELETE FROM sessions WHERE user_id = ?");
  st.bind(1, user_id);
  return st.exec();
}

int purge_sessions(SQLite::Database& db, Instant expired_by, Instant idle_before) {
  SQLite::Statement st(db, "DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at < ?");
  st.bind(1, utc(expired_by));
  st.bind(2, utc(idle_before));
  return st.exec();
}

}  // namespace disclose::sqlite
