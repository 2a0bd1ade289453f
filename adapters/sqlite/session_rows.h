// Logins, password hashes and sign-in sessions (issue #7), for SqliteStore: on the caller's
// connection and, for writes, inside the caller's write transaction. Times are stored as UTC
// "YYYY-MM-DDTHH:MM:SSZ", which sorts in time order as text.
#pragma once

#include <SQLiteCpp/Database.h>

#include <optional>
#include <string>

#include "disclose/store.h"

namespace disclose::sqlite {

// Throws LoginTaken when another user than `user_id` has `login` (ignoring ASCII case).
void check_login_free(SQLite::Database& db, const std::string& login, int64_t user_id);
// Sets what is given (see Store::set_login_password). Throws StoreError for an unknown user.
void set_login_password(SQLite::Database& db, int64_t user_id,
                        const std::optional<std::string>& login,
                        const std::optional<std::string>& password_hash);
// The stored hash ("" when none), or nullopt for an unknown user.
std::optional<std::string> password_hash_of(SQLite::Database& db, int64_t user_id);
// The user id holding the login, or nullopt.
std::optional<int64_t> user_with_login(SQLite::Database& db, const std::string& login);

SessionRecord insert_session(SQLite::Database& db, const std::string& token_hash,
                             const SessionRecord& session);
// The session row and its user id; the caller reads the user.
std::optional<SessionRecord> find_session(SQLite::Database& db, const std::string& token_hash);
void touch_session(SQLite::Database& db, int64_t session_id, Instant last_seen_at);
bool delete_session(SQLite::Database& db, const std::string& token_hash);
int delete_user_sessions(SQLite::Database& db, int64_t user_id);
int purge_sessions(SQLite::Database& db, Instant expired_by, Instant idle_before);

}  // namespace disclose::sqlite
