// The Store port on SQLite. Every writing call runs inside a BEGIN IMMEDIATE transaction on the
// one writing connection, in a savepoint of its own: concurrent writers share the transaction and
// its fsync (group_commit.h), and each returns once it committed. The write lock is taken up
// front, so the version check, the event's chain links and the new case row cannot be
// interleaved with another writer. Reads use connections of their own (read_pool.h). Values are
// always bound, never spliced.
// Timers, the reminder ledger, subscriptions and the outbox (issue #4) are written by helpers
// in timer_rows.cc, subscription_rows.cc and outbox_rows.cc, inside this class's transactions.
#include "sqlite/sqlite_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "disclose/audit.h"
#include "disclose/case_json.h"
#include "sqlite/group_commit.h"
#include "sqlite/library_settings.h"
#include "sqlite/migrations.h"
#include "sqlite/outbox_rows.h"
#include "sqlite/read_pool.h"
#include "sqlite/recent_by_case.h"
#include "sqlite/session_rows.h"
#include "sqlite/statement_cache.h"
#include "sqlite/subscription_rows.h"
#include "sqlite/timer_rows.h"
#include "sqlite/token_touches.h"
#include "sqlite/wal_write_buffer.h"

namespace disclose {
namespace json = boost::json;

namespace {

constexpr int kBusyTimeoutMs = 5000;

// Binds a string, or NULL when the optional is empty.
void bind_optional(SQLite::Statement& st, int index, const std::optional<std::string>& value) {
  if (value) {
    st.bind(index, *value);
  } else {
    st.bind(index);
  }
}

std::optional<std::string> date_text(const std::optional<Date>& date) {
  if (!date) return std::nullopt;
  return date->str();
}

json::object calendar_year_to_json(const CalendarYear& y) {
  json::array off, work;
  for (Date d : y.off_days) off.emplace_back(d.str());
  for (Date d : y.work_days) work.emplace_back(d.str());
  return {{"year", y.year},
          {"version", y.version},
          {"source", y.source},
          {"off_days", std::move(off)},
          {"work_days", std::move(work)},
          {"official", y.official}};
}

CalendarYear calendar_year_from_json(const std::string& text) {
  json::object o = json::parse(text).as_object();
  CalendarYear y;
  y.year = static_cast<int>(o.at("year").as_int64());
  y.version = std::string(o.at("version").as_string());
  y.source = std::string(o.at("source").as_string());
  y.official = o.at("official").as_bool();
  auto dates = [](const json::value& list) {
    std::vector<Date> out;
    for (const json::value& v : list.as_array()) {
      std::optional<Date> d = Date::parse(v.as_string());
      if (!d) throw StoreError("calendar year: bad date " + json::serialize(v));
      out.push_back(*d);
    }
    return out;
  };
  y.off_days = dates(o.at("off_days"));
  y.work_days = dates(o.at("work_days"));
  return y;
}

Date date_column(const SQLite::Column& column, CaseId id) {
  std::optional<Date> day = Date::parse(column.getString());
  if (!day) {
    throw StoreError("case " + std::to_string(id) + ": unreadable date '" + column.getString() +
                     "'");
  }
  return *day;
}

// The columns of a case row that its indexes hold, besides its identity, as stored.
struct IndexedColumns {
  std::string state;
  std::optional<std::string> closed_on;
  std::string assignee;
  // The annual report's (migration 5).
  std::string applicant_kind;
  std::string determination;                 // the outcome's; "" without one
  std::optional<std::string> remedies_fees;  // {"remedies", "fees"}; none when both are empty
};

IndexedColumns indexed_columns(const Case& c) {
  IndexedColumns columns;
  columns.state = c.state;
  columns.closed_on = date_text(c.closed_on);
  columns.assignee = c.assignee;
  columns.applicant_kind = c.registration.applicant.kind;
  if (c.outcome) columns.determination = c.outcome->determination;
  if (!c.remedies.empty() || !c.fees.empty()) {
    columns.remedies_fees = remedies_and_fees_document(c.remedies, c.fees);
  }
  return columns;
}

// What a case write changes in its deadline rows: the kinds that are gone and the rows that are
// new or differ. Most writes leave most deadlines as they were, so the due-date indexes are
// touched for what moved, not rebuilt for the case on every write.
struct DeadlineChanges {
  std::vector<std::string> gone;
  std::vector<DeadlineView> written;
};

// The annual report's columns at `first`, `first`+1 and `first`+2.
void bind_report_columns(SQLite::Statement& st, int first, const Case& c) {
  IndexedColumns columns = indexed_columns(c);
  st.bind(first, columns.applicant_kind);
  st.bind(first + 1, columns.determination);
  bind_optional(st, first + 2, columns.remedies_fees);
}

std::optional<Instant> instant_column(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  std::optional<Instant> at = parse_instant(column.getString());
  if (!at) throw StoreError("unreadable time '" + column.getString() + "'");
  return at;
}

// --- case queries ------------------------------------------------------------------------------

enum class SortOrder { id, id_desc, received_on, received_on_desc, due_on };

SortOrder sort_order(const std::string& sort) {
  if (sort == "id") return SortOrder::id;
  if (sort == "-id") return SortOrder::id_desc;
  if (sort == "received_on") return SortOrder::received_on;
  if (sort == "-received_on") return SortOrder::received_on_desc;
  if (sort == "due_on") return SortOrder::due_on;
  throw StoreError("unknown sort '" + sort + "'");
}

// A LIKE pattern matching `text` anywhere, with the pattern characters taken literally
// (the query says ESCAPE '\').
std::string contains_pattern(const std::string& text) {
  std::string pattern = "%";
  for (char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') pattern += '\\';
    pattern += ch;
  }
  pattern += '%';
  return pattern;
}

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kBase64Url[(buffer >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kBase64Url[(buffer << (6 - bits)) & 0x3F];
  return out;
}

// Strict: unpadded alphabet only, and the text must be the canonical encoding of what it decodes
// to, so one cursor has exactly one spelling.
std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char ch : text) {
    size_t value = kBase64Url.find(ch);
    if (value == std::string_view::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  if (base64url_encode(out) != text) return std::nullopt;
  return out;
}

// Where a page ended: the sort it was made for, the last case's sort key ("" for the id sorts
// and for a case without a due date) and its id, the tie-breaker.
struct Cursor {
  std::string sort;
  std::string key;
  CaseId id = 0;
};

constexpr std::string_view kCursorVersion = "c1";

std::string encode_cursor(const Cursor& cursor) {
  return base64url_encode(std::string(kCursorVersion) + "\n" + cursor.sort + "\n" + cursor.key +
                          "\n" + std::to_string(cursor.id));
}

// Throws StoreError unless `text` is a cursor this code made for `sort`.
Cursor decode_cursor(const std::string& text, const std::string& sort, SortOrder order) {
  auto bad = [&](const std::string& why) { return StoreError("malformed cursor: " + why); };
  // Ours are under 100 characters; anything far longer is not worth decoding.
  if (text.size() > 256) throw bad("too long");
  std::optional<std::string> plain = base64url_decode(text);
  if (!plain) throw bad("not base64url");
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t nl = plain->find('\n'); nl != std::string::npos; nl = plain->find('\n', start)) {
    parts.push_back(plain->substr(start, nl - start));
    start = nl + 1;
  }
  parts.push_back(plain->substr(start));
  if (parts.size() != 4 || parts[0] != kCursorVersion) throw bad("unknown layout");
  Cursor cursor{parts[1], parts[2], 0};
  if (cursor.sort != sort) {
    throw StoreError("cursor was made for sort '" + cursor.sort + "', not '" + sort + "'");
  }
  const std::string& id = parts[3];
  auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), cursor.id);
  if (id.empty() || error != std::errc() || end != id.data() + id.size() || cursor.id <= 0 ||
      id.front() == '0') {
    throw bad("bad case id");
  }
  bool dated = order == SortOrder::received_on || order == SortOrder::received_on_desc;
  bool key_allowed = dated || order == SortOrder::due_on;
  if (cursor.key.empty()) {
    if (dated) throw bad("missing date");
  } else {
    std::optional<Date> day = Date::parse(cursor.key);
    if (!key_allowed || !day || day->str() != cursor.key) throw bad("bad sort key");
  }
  return cursor;
}

// The store's writing connection, its first, so the library's settings apply to every one.
// With synchronous=FULL the writer's WAL appends go through the WAL write buffer (one write per
// commit instead of two per page; see wal_write_buffer.h for why that needs FULL).
SQLite::Database open_writer(const std::string& path, const std::string& synchronous) {
  sqlite::apply_library_settings();
  const std::string vfs = synchronous == "FULL" ? sqlite::wal_write_buffer_vfs() : "";
  return SQLite::Database(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, kBusyTimeoutMs, vfs);
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const SqliteOptions& options)
      : clock_(options.clock),
        db_(open_writer(options.path, options.synchronous)),
        readers_(options.path, kBusyTimeoutMs, db_, statements_, db_mutex_) {
    // PRAGMA arguments cannot be bound, so the only variable one is checked against a list.
    if (options.synchronous != "FULL" && options.synchronous != "NORMAL") {
      throw StoreError("sqlite: synchronous must be FULL or NORMAL, not '" + options.synchronous +
                       "'");
    }
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec("PRAGMA synchronous=" + options.synchronous);
    db_.exec("PRAGMA foreign_keys=ON");
    sqlite::migrate(db_);
    // Every write of a commit group runs in its own savepoint, so the first change to a page in
    // each savepoint copies the page into the statement journal. On disk (SQLite's default once
    // the journal passes 64 KiB) that is a pwrite per page on the committing thread, more than
    // the commit's own WAL frames. In memory it lasts one write of a group (releasing the
    // write's savepoint empties it), or a whole store batch (datagen's batches of 1,000 cases
    // run in 57 MB resident in all). Set after the migrations, whose large UPDATEs and
    // INSERT ... SELECTs would otherwise hold their statement journals in memory. (Raising the
    // spill limit instead, SQLITE_CONFIG_STMTJRNL_SPILL at 1 or 4 MiB, made datagen's batches
    // fail with SQLITE_FULL, cause not found.)
    db_.exec("PRAGMA temp_store=MEMORY");
  }

  void add_agency(const Agency& agency) override {
    write("add_agency", [&] {
      if (agency.code.empty()) throw StoreError("agency code is empty");
      if (agency_row(agency.code)) throw StoreError("agency " + agency.code + " already exists");
      // Case numbers are YEAR-SHORT-NNNN, so short names must differ as codes do.
      const std::string short_name = agency.short_name.empty() ? agency.code : agency.short_name;
      SQLite::Statement same(db_, "SELECT code FROM agencies WHERE short_name = ?");
      same.bind(1, short_name);
      if (same.executeStep())
        throw StoreError("short name '" + short_name + "' is taken by agency " +
                         same.getColumn(0).getString());
      SQLite::Statement st(db_, "INSERT INTO agencies(code, name, short_name) VALUES(?, ?, ?)");
      st.bind(1, agency.code);
      st.bind(2, agency.name);
      st.bind(3, agency.short_name.empty() ? agency.code : agency.short_name);
      st.exec();
    });
  }

  std::optional<Agency> find_agency(const std::string& code) const override {
    return read_cached("find_agency", [&](sqlite::StatementCache& statements) {
      return agency_row(statements, code);
    });
  }

  std::vector<Agency> agencies() const override {
    return read("agencies", [&](SQLite::Database& db) {
      std::vector<Agency> out;
      SQLite::Statement st(db, "SELECT code, name, short_name FROM agencies ORDER BY code");
      while (st.executeStep()) {
        out.push_back(Agency{st.getColumn(0).getString(), st.getColumn(1).getString(),
                             st.getColumn(2).getString()});
      }
      return out;
    });
  }

  User add_user(const User& user) override {
    return write("add_user", [&] {
      // Only a district-wide user may stand outside every agency.
      if (user.agency.empty() ? !user.scope_all : !agency_row(user.agency)) {
        throw StoreError("unknown agency '" + user.agency + "' for user " + user.name);
      }
      if (!user.login.empty()) sqlite::check_login_free(db_, user.login, 0);
      SQLite::Statement st(db_,
                           "INSERT INTO users(name, role, agency, scope_all, active, created_at,"
                           " mobile, wecom_userid, dingtalk_userid, feishu_user_id, login)"
                           " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      st.bind(1, user.name);
      st.bind(2, user.role);
      bind_optional(st, 3, user.agency.empty() ? std::nullopt : std::optional(user.agency));
      st.bind(4, user.scope_all ? 1 : 0);
      st.bind(5, user.active ? 1 : 0);
      st.bind(6, now_text());
      st.bind(7, user.mobile);
      st.bind(8, user.wecom_userid);
      st.bind(9, user.dingtalk_userid);
      st.bind(10, user.feishu_user_id);
      bind_optional(st, 11, user.login.empty() ? std::nullopt : std::optional(user.login));
      st.exec();
      User stored = user;
      stored.id = db_.getLastInsertRowid();
      return stored;
    });
  }

  std::optional<User> find_user(int64_t id) const override {
    return read("find_user", [&](SQLite::Database& db) {
      SQLite::Statement st(db, std::string(kUserColumns) + " FROM users u WHERE u.id = ?");
      st.bind(1, id);
      return st.executeStep() ? std::optional(user_from(st)) : std::nullopt;
    });
  }

  std::vector<User> users() const override {
    return read("users", [&](SQLite::Database& db) {
      SQLite::Statement st(db, std::string(kUserColumns) + " FROM users u ORDER BY u.id");
      std::vector<User> out;
      while (st.executeStep()) out.push_back(user_from(st));
      return out;
    });
  }

  void set_user_active(int64_t user_id, bool active) override {
    write("set_user_active", [&] {
      SQLite::Statement st(db_, "UPDATE users SET active = ? WHERE id = ?");
      st.bind(1, active ? 1 : 0);
      st.bind(2, user_id);
      if (st.exec() == 0) throw StoreError("no user " + std::to_string(user_id));
    });
  }

  IssuedToken issue_token(int64_t user_id) override {
    return write("issue_token", [&] {
      unsigned char random[32];
      if (RAND_bytes(random, sizeof random) != 1) throw StoreError("RAND_bytes failed");
      static const char kDigits[] = "0123456789abcdef";
      std::string token = "dsk_";
      for (unsigned char b : random) {
        token += kDigits[b >> 4];
        token += kDigits[b & 0x0F];
      }
      SQLite::Statement user(db_, "SELECT 1 FROM users WHERE id = ?");
      user.bind(1, user_id);
      if (!user.executeStep()) throw StoreError("no user " + std::to_string(user_id));
      SQLite::Statement st(
          db_, "INSERT INTO api_tokens(user_id, token_hash, created_at) VALUES(?, ?, ?)");
      st.bind(1, user_id);
      st.bind(2, sha256_hex(token));
      st.bind(3, now_text());
      st.exec();
      IssuedToken issued{db_.getLastInsertRowid(), std::move(token)};
      return issued;
    });
  }

  std::vector<TokenInfo> tokens(int64_t user_id) const override {
    // So that a use a moment ago is shown. (This writes: not to be called inside a batch.)
    token_touches_.flush();
    return read("tokens", [&](SQLite::Database& db) {
      // Never the hash: it is all an attacker with this list would need to grind against.
      SQLite::Statement st(db,
                           "SELECT id, user_id, created_at, last_used_at, revoked_at"
                           " FROM api_tokens WHERE user_id = ? ORDER BY id");
      st.bind(1, user_id);
      std::vector<TokenInfo> out;
      while (st.executeStep()) {
        TokenInfo t;
        t.id = st.getColumn(0).getInt64();
        t.user_id = st.getColumn(1).getInt64();
        std::optional<Instant> created = instant_column(st.getColumn(2));
        if (!created) throw StoreError("token " + std::to_string(t.id) + " has no created_at");
        t.created_at = *created;
        t.last_used_at = instant_column(st.getColumn(3));
        t.revoked_at = instant_column(st.getColumn(4));
        out.push_back(t);
      }
      return out;
    });
  }

  bool revoke_token(int64_t user_id, int64_t token_id) override {
    return write("revoke_token", [&] {
      // The user id is part of the match so nobody can revoke another user's token by its id.
      SQLite::Statement st(db_,
                           "UPDATE api_tokens SET revoked_at = ?"
                           " WHERE id = ? AND user_id = ? AND revoked_at IS NULL");
      st.bind(1, now_text());
      st.bind(2, token_id);
      st.bind(3, user_id);
      bool revoked = st.exec() == 1;
      return revoked;
    });
  }

  std::optional<User> user_by_token(const std::string& token) override {
    std::string hash = sha256_hex(token);
    const Instant used = now();
    bool stale = false;
    std::optional<User> user = read_cached(
        "user_by_token", [&](sqlite::StatementCache& statements) -> std::optional<User> {
          // Read before the token: a change after it is seen by the next call's revision.
          auto revision = statements.get("SELECT revision FROM auth_inputs WHERE id = 1");
          // Inside a batch this reads the writer's uncommitted transaction: nothing is kept or
          // taken then (a revision seen there may be rolled back and used again).
          const int64_t auth_revision = batch_owner_ == this ? -1
                                        : revision->executeStep()
                                            ? revision->getColumn(0).getInt64()
                                            : -1;
          revision->reset();
          {
            std::lock_guard lock(known_tokens_mutex_);
            auto known = known_tokens_.find(hash);
            if (known != known_tokens_.end() && known->second.revision == auth_revision) {
              std::optional<Instant>& last = known->second.last_used;
              stale = !last || *last + kTokenTouchInterval <= used;
              if (stale) last = used;  // the touch below writes it
              return known->second.user;
            }
          }
          auto st = statements.get(std::string(kUserColumns) +
                                   ", t.last_used_at"
                                   " FROM api_tokens t JOIN users u ON u.id = t.user_id"
                                   " WHERE t.token_hash = ? AND t.revoked_at IS NULL"
                                   " AND u.active = 1");
          st->bind(1, hash);
          if (!st->executeStep()) return std::nullopt;
          std::optional<Instant> last = instant_column(st->getColumn(kUserColumnCount));
          stale = !last || *last + kTokenTouchInterval <= used;
          User found = user_from(*st);
          if (auth_revision >= 0) {
            std::lock_guard lock(known_tokens_mutex_);
            if (known_tokens_.size() >= kKnownTokensMax) known_tokens_.clear();
            KnownToken entry{auth_revision, found, stale ? used : last};
            auto [known, inserted] = known_tokens_.try_emplace(hash, entry);
            // A slower reader of an older revision leaves a newer entry as it is.
            if (!inserted && known->second.revision <= auth_revision) known->second = entry;
          }
          return found;
        });
    // Reading a token must not cost a write (and a commit) on every request: the last-used time
    // is kept to the minute, and written behind the request (token_touches.h).
    if (user && stale) token_touches_.touch(hash, format_instant(used, 0));
    return user;
  }

  Case create_case(Case a_case, Event event, const std::vector<DeadlineView>& deadlines,
                   const IdempotencyBuilder& remember) override {
    std::shared_ptr<const CaseWriteHook> hook = current_hook();
    CaseWriteEffects effects;
    Case stored = write("create_case", [&] {
      if (event.seq != 1 || a_case.version != 1) {
        throw StoreError("a new case starts at version 1 with event seq 1");
      }
      std::optional<Agency> agency = agency_row(a_case.agency);
      if (!agency) throw StoreError("unknown agency '" + a_case.agency + "'");

      int year = a_case.registration.received_on.year();
      int64_t n = next_serial(agency->code, year);
      char serial[24];
      std::snprintf(serial, sizeof serial, "%04lld", static_cast<long long>(n));
      a_case.number = std::to_string(year) + "-" + agency->short_name + "-" + serial;
      // The write lock is held, so the next id cannot be taken by anyone else.
      {
        auto next_id = statements_.get("SELECT COALESCE(MAX(id), 0) + 1 FROM cases");
        next_id->executeStep();
        a_case.id = next_id->getColumn(0).getInt64();
      }
      event.case_id = a_case.id;

      auto st = statements_.get(
          "INSERT INTO cases(id, number, workflow, agency, state, version,"
          " received_on, closed_on, assignee, doc, created_at, updated_at,"
          " applicant_name, request_description, applicant_kind, determination,"
          " remedies_fees)"
          " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      st->bind(1, a_case.id);
      st->bind(2, a_case.number);
      st->bind(3, a_case.workflow);
      st->bind(4, a_case.agency);
      st->bind(5, a_case.state);
      st->bind(6, a_case.version);
      st->bind(7, a_case.registration.received_on.str());
      bind_optional(*st, 8, date_text(a_case.closed_on));
      st->bind(9, a_case.assignee);
      st->bind(10, case_document(a_case));
      st->bind(11, format_instant(a_case.created_at, 0));
      st->bind(12, format_instant(a_case.updated_at, 0));
      st->bind(13, a_case.registration.applicant.name);
      st->bind(14, a_case.registration.request.description);
      bind_report_columns(*st, 15, a_case);
      st->exec();

      seal_in_case(event, genesis_hash());
      insert_event(event);
      write_deadlines(a_case.id, DeadlineChanges{{}, deadlines});  // a new case has none
      // The id and number are only known here, so a new case is planned inside.
      if (hook) {
        PlanInputs inputs = read_plan_inputs(statements_, a_case.id, a_case.agency);
        effects = (*hook)(a_case, event, inputs.context());
        write_effects(a_case, event, effects, inputs.of_agency->candidates);
      }
      // Last, once the case is complete. The builder runs inside the write transaction,
      // so it must not call back into the store (that would deadlock).
      if (remember) remember_in_transaction(remember(a_case));
      return a_case;
    });
    // Not a batch's: it could still roll back, and the case id be taken again by another case.
    if (batch_owner_ != this)
      remember_case(stored, stored.agency, indexed_columns(stored), event.hash, deadlines);
    written(std::move(effects));
    return stored;
  }

  void append_event(const Case& next, Event event, int64_t expected_version,
                    const std::vector<DeadlineView>& deadlines,
                    const IdempotencyBuilder& remember) override {
    check_append(next, event, expected_version);
    // Everything that does not need the write lock is done first, concurrently with other
    // writers, so that the commit group's serial section only writes and checks.
    PreparedAppend prepared = prepare_append(next, event, expected_version, deadlines);
    write("append_event", [&] { write_append(prepared, event, remember); });
    // A batch's write could still roll back: its case is read afresh next time.
    if (batch_owner_ == this)
      written_cases_.forget(next.id);
    else
      remember_written(prepared, event);
    written(std::move(prepared.effects));
  }

  void append_event_async(const Case& next, Event event, int64_t expected_version,
                          const std::vector<DeadlineView>& deadlines, IdempotencyBuilder remember,
                          Committed committed) override {
    if (batch_owner_ == this) throw StoreError("append_event_async cannot join a batch");
    check_append(next, event, expected_version);
    auto pending = std::make_shared<PendingAppend>();
    pending->event = std::move(event);
    pending->prepared = prepare_append(next, pending->event, expected_version, deadlines,
                                       /*from_written_cases=*/true);
    pending->remember = std::move(remember);
    pending->committed = std::move(committed);
    commit_.submit(
        [this, pending] { write_append(pending->prepared, pending->event, pending->remember); },
        [this, pending](std::exception_ptr error) {
          // As append_event would have thrown it, whether the write or the group's commit failed.
          if (error) {
            error = as_store_error(std::move(error), "append_event");
          } else {
            remember_written(pending->prepared, pending->event);
            notify_written(pending->prepared.effects);
          }
          pending->committed(error);
        });
  }

  void batch(const std::function<void()>& writes) override {
    if (batch_owner_ == this) throw StoreError("store batches do not nest");
    // What the batch's case writes wrote: observers are told once the batch has committed.
    std::vector<CaseWriteEffects> batch_effects;
    guarded("batch", [&] {
      commit_.run([&] {
        // The committing thread runs the batch's writes, not the caller's: store calls made
        // from `writes` join the batch until it returns or throws.
        struct Owning {
          explicit Owning(const SqliteStore* store) { batch_owner_ = store; }
          ~Owning() { batch_owner_ = nullptr; }
        } owning(this);
        batch_lost_ = false;
        batch_written_.clear();
        writes();
        batch_effects = std::move(batch_written_);
      });
    });
    for (CaseWriteEffects& effects : batch_effects) notify_written(effects);
  }

  ReadTogether read_together() const override {
    // A private in-memory database reads on the writing connection, under its mutex: holding
    // that across a request could stall the committing thread.
    if (readers_.shared_mode() || batch_owner_ == this || read_scope_.store == this) return {};
    auto lease = std::make_shared<sqlite::ReadPool::Lease>(readers_.acquire());
    // BEGIN and COMMIT come prepared from the connection's cache: sqlite3_exec would parse
    // them again for every request.
    guarded("read_together", [&] {
      lease->statements().get("BEGIN")->exec();  // the first read snapshots
    });
    // Another store's scope open on this thread comes back when this one ends.
    ReadTogether scope([lease, outer = read_scope_] {
      read_scope_ = outer;
      // A read transaction: ending it cannot lose anything; a connection that cannot end it is
      // rolled back.
      SQLite::Database& db = lease->db();
      if (sqlite3_get_autocommit(db.getHandle()) != 0) return;
      try {
        if (lease->statements().get("COMMIT")->tryExecuteStep() == SQLITE_DONE) return;
      } catch (const std::exception&) {
        // (preparing COMMIT failed: out of memory) rolled back below
      }
      sqlite3_exec(db.getHandle(), "ROLLBACK", nullptr, nullptr, nullptr);
    });
    read_scope_ = {this, lease.get()};  // once nothing more can throw
    return scope;
  }

  std::optional<Case> load_case(CaseId id) const override {
    return read_cached("load_case", [&](sqlite::StatementCache& statements) -> std::optional<Case> {
      auto st = statements.get("SELECT doc FROM cases WHERE id = ?");
      st->bind(1, id);
      if (!st->executeStep()) return std::nullopt;
      return case_from_doc(id, st->getColumn(0).getString());
    });
  }

  std::vector<Event> history(CaseId id) const override {
    return read_cached(
        "history", [&](sqlite::StatementCache& statements) { return events_of(statements, id); });
  }

  std::vector<CaseHistory> case_histories(const CaseFilter& filter,
                                          EventDecoding decoding) const override {
    if (sort_order(filter.sort) != SortOrder::id) {
      throw StoreError("case_histories pages only sort 'id'");
    }
    if (filter.limit <= 0) return {};
    return read_cached("case_histories", [&](sqlite::StatementCache& statements) {
      SQLite::Database& db = statements.db();
      // One snapshot for the page and its histories (inside a batch the writer's transaction
      // already is one).
      std::optional<SQLite::Transaction> snapshot;
      if (sqlite3_get_autocommit(db.getHandle()) != 0) {
        snapshot.emplace(db, SQLite::TransactionBehavior::DEFERRED);
      }
      std::vector<Case> cases = run_query(db, filter, /*scan_by_id=*/true).cases;
      std::vector<CaseHistory> page;
      page.reserve(cases.size());
      for (Case& c : cases) {
        std::vector<Event> events = events_of(statements, c.id, decoding);
        page.push_back(CaseHistory{std::move(c), std::move(events)});
      }
      if (snapshot) snapshot->commit();
      return page;
    });
  }

  ChainHead global_head() const override {
    return read("global_head", [&](SQLite::Database& db) {
      SQLite::Statement st(db,
                           "SELECT global_seq, global_hash FROM events"
                           " ORDER BY global_seq DESC LIMIT 1");
      if (!st.executeStep()) return ChainHead{0, genesis_hash()};
      return ChainHead{st.getColumn(0).getInt64(), st.getColumn(1).getString()};
    });
  }

  std::vector<Case> list_cases(const CaseFilter& filter) const override {
    return guarded("list_cases", [&] {
      if (filter.limit <= 0) {
        sort_order(filter.sort);  // still refuse an unknown sort
        return std::vector<Case>{};
      }
      // list_cases walks every matching case page by page (exports, reports, the CLI): in id
      // order, each page continues the table scan where the last one stopped, so the whole walk
      // reads each row once. Left to the planner, a date filter would use cases_by_received,
      // and every page would read and sort every case in the range again.
      bool by_id = sort_order(filter.sort) == SortOrder::id;
      return read("list_cases", [&](SQLite::Database& db) { return run_query(db, filter, by_id); })
          .cases;
    });
  }

  std::optional<CaseIdSpan> received_id_span(std::optional<Date> from,
                                             std::optional<Date> to) const override {
    return read("received_id_span", [&](SQLite::Database& db) -> std::optional<CaseIdSpan> {
      std::string sql = "SELECT MIN(id), MAX(id) FROM cases INDEXED BY cases_by_received WHERE 1";
      if (from) sql += " AND received_on >= :from";
      if (to) sql += " AND received_on <= :to";
      SQLite::Statement st(db, sql);
      if (from) st.bind(":from", from->str());
      if (to) st.bind(":to", to->str());
      if (!st.executeStep() || st.getColumn(0).isNull()) return std::nullopt;
      return CaseIdSpan{st.getColumn(0).getInt64(), st.getColumn(1).getInt64()};
    });
  }

  CasePage query_cases(const CaseFilter& filter) const override {
    return guarded("query_cases", [&] {
      // An empty page would have to claim to be the last one, so a non-positive limit is refused.
      if (filter.limit <= 0) throw StoreError("limit must be positive");
      return read("query_cases", [&](SQLite::Database& db) { return run_query(db, filter); });
    });
  }

  void for_each_report_case(const std::string& workflow, const std::string& agency, int year,
                            const std::function<void(const ReportCase&)>& fn) const override {
    read("for_each_report_case", [&](SQLite::Database& db) {
      std::string sql =
          "SELECT id, number, workflow, agency, received_on, closed_on, applicant_kind,"
          " determination, remedies_fees FROM cases"
          " WHERE workflow = :workflow AND received_on <= :last"
          " AND (closed_on IS NULL OR closed_on >= :previous_first OR remedies_fees IS NOT NULL)";
      if (!agency.empty()) sql += " AND agency = :agency";
      // In the order of cases_for_report (received_on, then id), which covers the query.
      SQLite::Statement st(db, sql);
      st.bind(":workflow", workflow);
      st.bind(":last", Date::from_ymd(year, 12, 31).str());
      st.bind(":previous_first", Date::from_ymd(year - 1, 1, 1).str());
      if (!agency.empty()) st.bind(":agency", agency);
      ReportCase c;
      while (st.executeStep()) {
        c.id = st.getColumn(0).getInt64();
        c.number = st.getColumn(1).getString();
        c.workflow = st.getColumn(2).getString();
        c.agency = st.getColumn(3).getString();
        c.received_on = date_column(st.getColumn(4), c.id);
        c.closed_on.reset();
        if (!st.getColumn(5).isNull()) c.closed_on = date_column(st.getColumn(5), c.id);
        c.applicant_kind = st.getColumn(6).getString();
        c.determination = st.getColumn(7).getString();
        c.remedies.clear();
        c.fees.clear();
        if (!st.getColumn(8).isNull()) {
          try {
            remedies_and_fees_from_json(json::parse(st.getColumn(8).getString()), c.remedies,
                                        c.fees);
          } catch (const std::exception& error) {
            throw StoreError("case " + std::to_string(c.id) +
                             ": stored remedies and fees unreadable: " + error.what());
          }
        }
        fn(c);
      }
    });
  }

  std::optional<IdempotencyRecord> find_idempotent(const std::string& scope,
                                                   const std::string& key) const override {
    return read_cached(
        "find_idempotent",
        [&](sqlite::StatementCache& statements) -> std::optional<IdempotencyRecord> {
          auto st = statements.get(
              "SELECT fingerprint, status, body FROM idempotency_keys WHERE scope = ? AND key = ?");
          st->bind(1, scope);
          st->bind(2, key);
          if (!st->executeStep()) return std::nullopt;
          return IdempotencyRecord{scope, key, st->getColumn(0).getString(),
                                   st->getColumn(1).getInt(), st->getColumn(2).getString()};
        });
  }

  bool save_idempotent(const IdempotencyRecord& record) override {
    return write("save_idempotent", [&] {
      check_record(record);
      bool saved = insert_record(record);
      return saved;
    });
  }

  int purge_idempotent(Instant created_before, int limit) override {
    if (limit < 1) throw StoreError("purge_idempotent: limit must be at least 1");
    // created_at is written as UTC "YYYY-MM-DDTHH:MM:SSZ", which sorts in time order as text,
    // so idempotency_keys_by_created finds the oldest rows.
    const std::string before = format_instant(created_before, 0);
    return write("purge_idempotent", [&] {
      auto st = statements_.get(
          "DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys"
          " WHERE created_at < ? ORDER BY created_at LIMIT ?)");
      st->bind(1, before);
      st->bind(2, limit);
      return st->exec();
    });
  }

  std::vector<std::pair<std::string, int64_t>> open_cases_by_state() const override {
    return read("open_cases_by_state", [&](SQLite::Database& db) {
      // "Open" is decided by closed_on IS NULL, the same rule as CaseFilter::open_only, rather than
      // by the state's name: which states are open belongs to the workflow definition, which the
      // store does not know, while closing a case always sets closed_on.
      SQLite::Statement st(db,
                           "SELECT state, COUNT(*) FROM cases WHERE closed_on IS NULL"
                           " GROUP BY state ORDER BY state");
      std::vector<std::pair<std::string, int64_t>> out;
      while (st.executeStep()) {
        out.emplace_back(st.getColumn(0).getString(), st.getColumn(1).getInt64());
      }
      return out;
    });
  }

  int64_t overdue_cases(Date today) const override {
    return read("overdue_cases", [&](SQLite::Database& db) {
      // A case with two overdue clocks is one overdue case.
      SQLite::Statement st(db,
                           "SELECT COUNT(DISTINCT case_id) FROM deadlines"
                           " WHERE status IN ('running', 'paused') AND due_on < ?");
      st.bind(1, today.str());
      st.executeStep();
      return st.getColumn(0).getInt64();
    });
  }

  int64_t outbox_backlog() const override {
    return read("outbox_backlog", [&](SQLite::Database& db) {
      // Named by what is finished, so a status added later counts as backlog until it is listed.
      return db.execAndGet("SELECT COUNT(*) FROM outbox WHERE status NOT IN ('delivered', 'dead')")
          .getInt64();
    });
  }

  CommitFigures commit_figures() const override {
    const sqlite::GroupCommit::Totals totals = commit_.totals();
    return {int64_t(totals.groups), int64_t(totals.writes)};
  }

  void save_calendar_years(const std::vector<CalendarYear>& years) override {
    write("save_calendar_years", [&] {
      SQLite::Statement st(db_,
                           "INSERT INTO calendar_years(year, doc) VALUES(?, ?)"
                           " ON CONFLICT(year) DO UPDATE SET doc = excluded.doc");
      for (const CalendarYear& y : years) {
        st.bind(1, y.year);
        st.bind(2, json::serialize(calendar_year_to_json(y)));
        st.exec();
        st.reset();
      }
    });
  }

  std::vector<CalendarYear> calendar_years() const override {
    return read("calendar_years", [&](SQLite::Database& db) {
      SQLite::Statement st(db, "SELECT year, doc FROM calendar_years ORDER BY year");
      std::vector<CalendarYear> out;
      while (st.executeStep()) {
        try {
          out.push_back(calendar_year_from_json(st.getColumn(1).getString()));
        } catch (const std::exception& error) {
          throw StoreError("calendar year " + st.getColumn(0).getString() +
                           " unreadable: " + error.what());
        }
      }
      return out;
    });
  }

  AuditReport verify_audit(const std::vector<AuditAnchor>& anchors) const override {
    return read("verify_audit", [&](SQLite::Database& db) {
      // One read transaction: a consistent snapshot even while other processes write (inside a
      // batch or a read_together() scope, the one already open).
      std::optional<SQLite::Transaction> tx;
      if (sqlite3_get_autocommit(db.getHandle()) != 0)
        tx.emplace(db, SQLite::TransactionBehavior::DEFERRED);
      ChainVerifier verifier;
      for (const AuditAnchor& anchor : anchors) verifier.expect_anchor(anchor);
      std::set<CaseId> cases_with_events;
      SQLite::Statement events(db,
                               "SELECT global_seq, case_id, seq, type, body, prev_hash, hash,"
                               " global_prev_hash, global_hash FROM events ORDER BY global_seq");
      while (events.executeStep()) {
        Event e;
        e.global_seq = events.getColumn(0).getInt64();
        e.case_id = events.getColumn(1).getInt64();
        e.seq = events.getColumn(2).getInt64();
        e.type = events.getColumn(3).getString();
        e.prev_hash = events.getColumn(5).getString();
        e.hash = events.getColumn(6).getString();
        e.global_prev_hash = events.getColumn(7).getString();
        e.global_hash = events.getColumn(8).getString();
        verifier.feed(e, events.getColumn(4).getString());
        cases_with_events.insert(e.case_id);
      }
      verifier.end_of_log();
      AuditReport report;
      SQLite::Statement cases(db, "SELECT id, version FROM cases ORDER BY id");
      while (cases.executeStep()) {
        CaseId id = cases.getColumn(0).getInt64();
        verifier.expect_case_version(id, cases.getColumn(1).getInt64());
        cases_with_events.erase(id);
        ++report.cases_checked;
      }
      report.first_break = verifier.first_break();
      // Events whose case row is gone: the chains may be intact, the case is not.
      if (!report.first_break && !cases_with_events.empty()) {
        CaseId orphan = *cases_with_events.begin();
        report.first_break = ChainBreak{0, orphan, 0, "events exist but the case row is missing"};
      }
      report.ok = !report.first_break;
      report.events_checked = verifier.events_checked();
      report.anchors_matched = verifier.anchors_matched();
      report.head_seq = verifier.head_seq();
      report.head_hash = verifier.head_hash();
      if (tx) tx->commit();
      return report;
    });
  }

  // --- issue #4: staff contacts, timers, reminders, subscriptions, outbox ----------------------

  void set_user_contacts(const User& user) override {
    write("set_user_contacts", [&] {
      SQLite::Statement st(db_,
                           "UPDATE users SET mobile = ?, wecom_userid = ?, dingtalk_userid = ?,"
                           " feishu_user_id = ? WHERE id = ?");
      st.bind(1, user.mobile);
      st.bind(2, user.wecom_userid);
      st.bind(3, user.dingtalk_userid);
      st.bind(4, user.feishu_user_id);
      st.bind(5, user.id);
      if (st.exec() == 0) throw StoreError("no user " + std::to_string(user.id));
    });
  }

  // --- issue #7: logins, passwords, sessions (SQL in session_rows.cc) -------------------------

  void set_login_password(int64_t user_id, const std::optional<std::string>& login,
                          const std::optional<std::string>& password_hash) override {
    write("set_login_password",
          [&] { sqlite::set_login_password(db_, user_id, login, password_hash); });
  }

  std::optional<Credentials> credentials_by_login(const std::string& login) const override {
    return read("credentials_by_login", [&](SQLite::Database& db) -> std::optional<Credentials> {
      SQLite::Statement st(db, std::string(kUserColumns) +
                                   ", COALESCE(u.password_hash, '') FROM users u"
                                   " WHERE u.login = ? COLLATE NOCASE");
      st.bind(1, login);
      if (!st.executeStep()) return std::nullopt;
      return Credentials{user_from(st), st.getColumn(kUserColumnCount).getString()};
    });
  }

  std::optional<Credentials> credentials(int64_t user_id) const override {
    return read("credentials", [&](SQLite::Database& db) -> std::optional<Credentials> {
      SQLite::Statement st(db, std::string(kUserColumns) +
                                   ", COALESCE(u.password_hash, '') FROM users u WHERE u.id = ?");
      st.bind(1, user_id);
      if (!st.executeStep()) return std::nullopt;
      return Credentials{user_from(st), st.getColumn(kUserColumnCount).getString()};
    });
  }

  SessionRecord create_session(const std::string& token_hash,
                               const SessionRecord& session) override {
    return write("create_session",
                 [&] { return sqlite::insert_session(db_, token_hash, session); });
  }

  std::optional<SessionLookup> find_session(const std::string& token_hash) const override {
    return read("find_session", [&](SQLite::Database& db) -> std::optional<SessionLookup> {
      std::optional<SessionRecord> session = sqlite::find_session(db, token_hash);
      if (!session) return std::nullopt;
      SQLite::Statement st(
          db, std::string(kUserColumns) + " FROM users u WHERE u.id = ? AND u.active = 1");
      st.bind(1, session->user_id);
      if (!st.executeStep()) return std::nullopt;
      return SessionLookup{*session, user_from(st)};
    });
  }

  void touch_session(int64_t session_id, Instant last_seen_at) override {
    write("touch_session", [&] { sqlite::touch_session(db_, session_id, last_seen_at); });
  }

  bool delete_session(const std::string& token_hash) override {
    return write("delete_session", [&] { return sqlite::delete_session(db_, token_hash); });
  }

  int delete_user_sessions(int64_t user_id) override {
    return write("delete_user_sessions",
                 [&] { return sqlite::delete_user_sessions(db_, user_id); });
  }

  int purge_sessions(Instant expired_by, Instant idle_before) override {
    return write("purge_sessions",
                 [&] { return sqlite::purge_sessions(db_, expired_by, idle_before); });
  }

  void set_case_write_hook(CaseWriteHook hook) override {
    std::lock_guard lock(hooks_mutex_);
    hook_ = hook ? std::make_shared<const CaseWriteHook>(std::move(hook)) : nullptr;
  }

  void set_case_written_observer(CaseWrittenObserver observer) override {
    std::lock_guard lock(hooks_mutex_);
    observer_ =
        observer ? std::make_shared<const CaseWrittenObserver>(std::move(observer)) : nullptr;
  }

  std::optional<Instant> next_timer_at() const override {
    return read("next_timer_at", [&](SQLite::Database& db) { return sqlite::next_timer_at(db); });
  }

  std::vector<CaseId> cases_with_due_timers(Instant now, int limit) const override {
    return read("cases_with_due_timers", [&](SQLite::Database& db) {
      return sqlite::cases_with_due_timers(db, now, limit);
    });
  }

  std::set<std::string> sent_reminders(CaseId id) const override {
    return read_cached("sent_reminders", [&](sqlite::StatementCache& statements) {
      return sqlite::ledger_keys(statements, id);
    });
  }

  std::vector<PlannedTimer> pending_timers(CaseId id) const override {
    return read("pending_timers",
                [&](SQLite::Database& db) { return sqlite::pending_timers(db, id); });
  }

  int record_reminders(const ReminderFiring& firing) override {
    return write("record_reminders", [&] {
      std::string agency = case_agency_at(firing.case_id, firing.expected_version);
      // Read once, and only when a reminder is new; matched like a case write's notifications.
      std::optional<std::vector<Subscription>> candidates;
      int added = 0;
      for (const ReminderFiring::Sent& sent : firing.reminders) {
        // A key already in the ledger was sent before (by another process, or before a crash
        // after the commit): its notification is not queued again.
        if (!sqlite::insert_ledger_key(db_, sent.ledger_key, firing.case_id, firing.fired_at)) {
          continue;
        }
        ++added;
        if (!candidates) candidates = sqlite::agency_subscriptions(statements_, agency);
        sqlite::fan_out(statements_, sent.notification, *candidates, agency,
                        {firing.case_id, std::nullopt, "r:" + sent.ledger_key, firing.fired_at});
      }
      sqlite::mark_timers_fired(db_, firing.case_id, firing.fired_at);
      sqlite::replace_pending_timers(statements_, firing.case_id, firing.timers);
      return added;
    });
  }

  void replace_timers(CaseId id, int64_t expected_version,
                      const std::vector<PlannedTimer>& timers) override {
    write("replace_timers", [&] {
      case_agency_at(id, expected_version);
      sqlite::replace_pending_timers(statements_, id, timers);
    });
  }

  Subscription add_subscription(const Subscription& subscription) override {
    return write("add_subscription", [&] {
      Subscription stored = subscription;
      stored.created_at = now();
      stored = sqlite::insert_subscription(db_, stored);
      return stored;
    });
  }

  std::optional<Subscription> find_subscription(int64_t id) const override {
    return read("find_subscription",
                [&](SQLite::Database& db) { return sqlite::find_subscription(db, id); });
  }

  std::vector<Subscription> subscriptions() const override {
    return read("subscriptions",
                [&](SQLite::Database& db) { return sqlite::all_subscriptions(db); });
  }

  bool update_subscription(const Subscription& subscription) override {
    return write("update_subscription", [&] {
      bool updated = sqlite::update_subscription(db_, subscription);
      return updated;
    });
  }

  bool remove_subscription(int64_t id) override {
    return write("remove_subscription", [&] {
      bool removed = sqlite::delete_subscription(db_, id);
      return removed;
    });
  }

  OutboxItem enqueue(int64_t subscription_id, CaseId case_id, const Notification& notification,
                     Instant now) override {
    return write("enqueue", [&] {
      if (!sqlite::find_subscription(db_, subscription_id)) {
        throw StoreError("no subscription " + std::to_string(subscription_id));
      }
      if (case_id != 0 && !case_number(case_id)) {
        throw StoreError("no case " + std::to_string(case_id));
      }
      // No source: a message queued by hand is a new message every time (outbox_rows.cc).
      OutboxItem item = sqlite::insert_outbox(statements_, subscription_id, notification,
                                              {case_id, std::nullopt, "", now}, now);
      return item;
    });
  }

  std::vector<OutboxItem> claim_outbox(Instant now, Instant lease_until, int limit,
                                       const std::vector<int64_t>& skip) override {
    // The dispatcher asks after every write that planned a notification, most of which no
    // subscription wants: a look on a reading connection spares those a write and its commit.
    if (limit <= 0) return {};
    bool due = read_cached("claim_outbox", [&](sqlite::StatementCache& statements) {
      std::optional<Instant> next = sqlite::next_outbox_at(statements, skip);
      return next && *next <= now;
    });
    if (!due) return {};
    return write("claim_outbox", [&] {
      std::vector<OutboxItem> claimed =
          sqlite::claim_outbox(statements_, now, lease_until, limit, skip);
      return claimed;
    });
  }

  void mark_delivered(int64_t id, int attempts, Instant at) override {
    write("mark_delivered", [&] { sqlite::mark_delivered(db_, id, attempts, at); });
  }

  void mark_retry(int64_t id, int attempts, Instant next_attempt,
                  const std::string& error) override {
    write("mark_retry", [&] { sqlite::mark_retry(db_, id, attempts, next_attempt, error); });
  }

  void mark_dead(int64_t id, int attempts, const std::string& error) override {
    write("mark_dead", [&] { sqlite::mark_dead(db_, id, attempts, error); });
  }

  bool replay(int64_t id, Instant now) override {
    return write("replay", [&] { return sqlite::replay(db_, id, now); });
  }

  std::optional<OutboxItem> find_outbox(int64_t id) const override {
    return read("find_outbox", [&](SQLite::Database& db) { return sqlite::find_outbox(db, id); });
  }

  std::vector<OutboxItem> list_outbox(const OutboxFilter& filter) const override {
    return read("list_outbox",
                [&](SQLite::Database& db) { return sqlite::list_outbox(db, filter); });
  }

  std::optional<Instant> next_outbox_at(const std::vector<int64_t>& skip) const override {
    return read_cached("next_outbox_at", [&](sqlite::StatementCache& statements) {
      return sqlite::next_outbox_at(statements, skip);
    });
  }

 private:
  // Runs `f` on the writing connection inside a transaction it may share with concurrent writers
  // (group commit); returns what `f` returns once that transaction committed.
  template <class F>
  auto write(const char* what, F&& f) -> decltype(f()) {
    if (batch_owner_ == this) return guarded(what, [&] { return in_savepoint(f); });
    return guarded(what, [&]() -> decltype(f()) {
      if constexpr (std::is_void_v<decltype(f())>) {
        commit_.run(f);
      } else {
        std::optional<decltype(f())> result;
        commit_.run([&] { result.emplace(f()); });
        return std::move(*result);
      }
    });
  }

  // Inside a batch (on its thread): `f` in a savepoint of the batch's transaction, which the
  // commit group already holds, so that a failing write rolls back alone.
  template <class F>
  auto in_savepoint(F& f) -> decltype(f()) {
    if (batch_lost_) throw StoreError("the batch's transaction was rolled back by an error");
    db_.exec("SAVEPOINT batch_write");
    try {
      if constexpr (std::is_void_v<decltype(f())>) {
        f();
        db_.exec("RELEASE batch_write");
      } else {
        auto result = f();
        db_.exec("RELEASE batch_write");
        return result;
      }
    } catch (...) {
      // Some errors (a full disk, an I/O error) make SQLite abandon the whole transaction: then
      // the batch is lost, and later calls must not write outside it.
      if (sqlite3_get_autocommit(db_.getHandle()) != 0) {
        batch_lost_ = true;
        throw;
      }
      db_.exec("ROLLBACK TO batch_write");
      db_.exec("RELEASE batch_write");
      throw;
    }
  }

  // read() for the hot paths: `f` gets the connection's prepared statements (cache.db() is the
  // connection).
  template <class F>
  auto read_cached(const char* what, F&& f) const
      -> decltype(f(std::declval<sqlite::StatementCache&>())) {
    if (batch_owner_ == this) return guarded(what, [&] { return f(statements_); });
    if (read_scope_.store == this)
      return guarded(what, [&] { return f(read_scope_.lease->statements()); });
    return guarded(what, [&] {
      sqlite::ReadPool::Lease lease = readers_.acquire();
      return f(lease.statements());
    });
  }

  // Runs `f` with a reading connection (see ReadPool); inside a batch, with the writing
  // connection, so the batch sees its own writes.
  template <class F>
  auto read(const char* what, F&& f) const -> decltype(f(std::declval<SQLite::Database&>())) {
    return read_cached(what,
                       [&](sqlite::StatementCache& statements) { return f(statements.db()); });
  }

  // The case's agency, once it is known to be still at `expected_version` (inside the caller's
  // write transaction, so it cannot move before the commit).
  std::string case_agency_at(CaseId id, int64_t expected_version) {
    SQLite::Statement st(db_, "SELECT version, agency FROM cases WHERE id = ?");
    st.bind(1, id);
    if (!st.executeStep()) throw StoreError("no case " + std::to_string(id));
    int64_t version = st.getColumn(0).getInt64();
    if (version != expected_version) throw VersionConflict(id, version);
    return st.getColumn(1).getString();
  }

  // Active staff of one agency, for @-mentions. District-wide users without an agency are not
  // included: a robot message about an agency's case goes to that agency's people.
  static std::vector<User> agency_users(sqlite::StatementCache& statements,
                                        const std::string& agency) {
    auto st = statements.get(std::string(kUserColumns) +
                             " FROM users u WHERE u.agency = ? AND u.active = 1 ORDER BY u.id");
    st->bind(1, agency);
    std::vector<User> out;
    while (st->executeStep()) out.push_back(user_from(*st));
    return out;
  }

  std::shared_ptr<const CaseWriteHook> current_hook() const {
    std::lock_guard lock(hooks_mutex_);
    return hook_;
  }

  // The part of the write hook's inputs that is the agency's, not the case's.
  struct AgencyInputs {
    std::vector<User> staff;
    std::optional<Agency> agency;
    std::vector<Subscription> candidates;  // agency_subscriptions: who may want a notification
  };

  // What the write hook plans from, read in one snapshot, with the revision of the agencies,
  // staff and subscriptions it was read at (migration 7 bumps it on every change to them).
  struct PlanInputs {
    int64_t revision = 0;
    std::set<std::string> sent;
    std::shared_ptr<const AgencyInputs> of_agency;

    CaseWriteContext context() const {
      return CaseWriteContext{sent, of_agency->staff, of_agency->agency, of_agency->candidates};
    }
  };

  static int64_t plan_inputs_revision(sqlite::StatementCache& statements) {
    auto st = statements.get("SELECT revision FROM plan_inputs WHERE id = 1");
    return st->executeStep() ? st->getColumn(0).getInt64() : 0;
  }

  // `committed_view`: the snapshot holds only committed data (a reading transaction, not the
  // writer's, which may hold changes that roll back). Only such a read is kept for reuse, and
  // only such a read may reuse one: what an agency's staff, row and subscriptions were at a
  // committed revision is what reading them at that revision again gives, since every change to
  // them bumps it. It saves three queries per case write.
  PlanInputs read_plan_inputs(sqlite::StatementCache& statements, CaseId id,
                              const std::string& agency, bool committed_view = false) const {
    PlanInputs inputs;
    inputs.revision = plan_inputs_revision(statements);
    inputs.sent = sqlite::ledger_keys(statements, id);
    if (committed_view) {
      std::lock_guard lock(agency_inputs_mutex_);
      auto kept = agency_inputs_.find(agency);
      if (kept != agency_inputs_.end() && kept->second.first == inputs.revision) {
        inputs.of_agency = kept->second.second;
        return inputs;
      }
    }
    auto read = std::make_shared<AgencyInputs>();
    read->staff = agency_users(statements, agency);
    read->agency = agency_row(statements, agency);
    read->candidates = sqlite::agency_subscriptions(statements, agency);
    inputs.of_agency = read;
    if (committed_view) {
      std::lock_guard lock(agency_inputs_mutex_);
      auto& kept = agency_inputs_[agency];
      if (kept.first <= inputs.revision) kept = {inputs.revision, std::move(read)};
    }
    return inputs;
  }

  // append_event's work outside the commit group.
  struct PreparedAppend {
    Case stored;                // the new case, with its stored number
    std::string agency;         // as stored (identity columns never change)
    std::string doc;            // its document, serialised
    IndexedColumns before;      // its indexed columns as stored at the expected version
    IndexedColumns after;       // and as this write stores them
    DeadlineChanges deadlines;  // what the write changes in its deadline rows
    std::vector<DeadlineView> deadline_rows;  // the case's deadline rows once written
    std::shared_ptr<const CaseWriteHook> hook;
    PlanInputs inputs;  // what the hook planned from
    CaseWriteEffects effects;
  };

  // What a case's rows hold at one version, as its last write through this store left them:
  // everything prepare_append would otherwise read back before the case's next write. Kept in
  // `written_cases_` once that write committed. Only ever used for a write that expects this
  // very version, and that write's transaction still checks the version (the UPDATE's WHERE):
  // another process's write in between makes it a conflict, never a stale row. Every change to
  // a case's row, index columns, events or deadlines comes with a new version (append and
  // create only; no case is ever deleted, so no id is taken twice).
  struct CaseAtVersion {
    int64_t version = 0;
    std::string number;
    std::string agency;
    IndexedColumns columns;
    std::string last_hash;  // of the event at `version`: the next one chains to it
    std::vector<DeadlineView> deadline_rows;
  };

  // An append_event_async write, shared by its work and its callback (both run on the
  // committing thread).
  struct PendingAppend {
    Event event;
    PreparedAppend prepared;
    IdempotencyBuilder remember;
    Committed committed;
  };

  // Reads, in one snapshot on a reading connection, what the write needs besides the lock: the
  // case's number and indexed columns, its last event's hash, its deadline rows (to write only
  // what changes) and the hook's inputs — or, `from_written_cases`, takes all but the hook's
  // inputs from this store's last write of the case when that left it at `expected_version`.
  // Then seals the event into the case's chain, serialises the case and plans the hook's
  // effects. A case read past `expected_version` fails here, before it waits for a group; one
  // remembered at it but moved on by another writer fails in its group.
  PreparedAppend prepare_append(const Case& next, Event& event, int64_t expected_version,
                                const std::vector<DeadlineView>& deadlines,
                                bool from_written_cases = false) {
    PreparedAppend prepared;
    prepared.hook = current_hook();
    prepared.deadline_rows = deadlines;
    std::string case_prev_hash;
    std::shared_ptr<const CaseAtVersion> known;
    if (from_written_cases) {
      if (auto found = written_cases_.find(next.id)) known = std::move(*found);
      if (known && known->version != expected_version) known = nullptr;
    }
    if (known) {
      prepared.stored = next;
      prepared.stored.number = known->number;
      prepared.agency = known->agency;
      prepared.before = known->columns;
      case_prev_hash = known->last_hash;
      prepared.deadlines = deadline_changes(known->deadline_rows, deadlines);
      // The hook's inputs change without the case (staff, subscriptions, a reminder sent), so
      // they are read as ever: the plan is made from them once, not again inside the commit.
      if (prepared.hook) {
        read_cached("append_event", [&](sqlite::StatementCache& statements) {
          // One snapshot, as in read_prepared_append: what is kept per revision must all be
          // of that revision.
          std::optional<SQLite::Transaction> snapshot;
          if (sqlite3_get_autocommit(statements.db().getHandle()) != 0)
            snapshot.emplace(statements.db(), SQLite::TransactionBehavior::DEFERRED);
          prepared.inputs = read_plan_inputs(statements, next.id, prepared.agency,
                                             snapshot.has_value() || read_scope_.store == this);
          if (snapshot) snapshot->commit();
        });
      }
    } else {
      read_prepared_append(prepared, case_prev_hash, next, expected_version, deadlines);
    }
    prepared.after = indexed_columns(prepared.stored);
    seal_in_case(event, case_prev_hash);
    prepared.doc = case_document(prepared.stored);
    if (prepared.hook) {
      prepared.effects = (*prepared.hook)(prepared.stored, event, prepared.inputs.context());
    }
    return prepared;
  }

  // prepare_append's reads, for a case this store has not just written.
  void read_prepared_append(PreparedAppend& prepared, std::string& case_prev_hash, const Case& next,
                            int64_t expected_version, const std::vector<DeadlineView>& deadlines) {
    read_cached("append_event", [&](sqlite::StatementCache& statements) {
      SQLite::Database& db = statements.db();
      // Inside a batch the writer's transaction already is one snapshot.
      std::optional<SQLite::Transaction> snapshot;
      if (sqlite3_get_autocommit(db.getHandle()) != 0) {
        snapshot.emplace(db, SQLite::TransactionBehavior::DEFERRED);
      }
      auto row = statements.get(
          "SELECT number, version, agency, state, closed_on, assignee, applicant_kind,"
          " determination, remedies_fees FROM cases WHERE id = ?");
      row->bind(1, next.id);
      if (!row->executeStep()) throw StoreError("no case " + std::to_string(next.id));
      const int64_t version = row->getColumn(1).getInt64();
      if (version != expected_version) throw VersionConflict(next.id, version);
      prepared.stored = next;
      // Identity columns never change; the stored document keeps them consistent.
      prepared.stored.number = row->getColumn(0).getString();
      prepared.agency = row->getColumn(2).getString();
      const std::string& agency = prepared.agency;
      IndexedColumns& before = prepared.before;
      before.state = row->getColumn(3).getString();
      if (!row->getColumn(4).isNull()) before.closed_on = row->getColumn(4).getString();
      before.assignee = row->getColumn(5).getString();
      before.applicant_kind = row->getColumn(6).getString();
      before.determination = row->getColumn(7).getString();
      if (!row->getColumn(8).isNull()) before.remedies_fees = row->getColumn(8).getString();
      row->reset();  // the snapshot commits below while these leases are still held

      auto hash = statements.get("SELECT hash FROM events WHERE case_id = ? AND seq = ?");
      hash->bind(1, next.id);
      hash->bind(2, expected_version);
      if (!hash->executeStep()) {
        throw StoreError("case " + std::to_string(next.id) + " has no event " +
                         std::to_string(expected_version));
      }
      case_prev_hash = hash->getColumn(0).getString();
      hash->reset();

      prepared.deadlines = deadline_changes(statements, next.id, deadlines);
      if (prepared.hook)
        prepared.inputs = read_plan_inputs(statements, next.id, agency,
                                           snapshot.has_value() || read_scope_.store == this);
      if (snapshot) snapshot->commit();
    });
  }

  // Whether `candidate` is older than the entry `held` (a sync write's put can come after a
  // later async write's): then the entry stays.
  static bool older_version(const std::shared_ptr<const CaseAtVersion>& held,
                            const std::shared_ptr<const CaseAtVersion>& candidate) {
    return candidate->version < held->version;
  }

  // After a committed write of `stored` (its last event hashed `last_hash`): what its rows
  // now hold.
  void remember_case(const Case& stored, const std::string& agency, const IndexedColumns& columns,
                     const std::string& last_hash, const std::vector<DeadlineView>& deadline_rows) {
    written_cases_.put(
        stored.id,
        std::make_shared<const CaseAtVersion>(CaseAtVersion{stored.version, stored.number, agency,
                                                            columns, last_hash, deadline_rows}),
        older_version);
  }

  void remember_written(const PreparedAppend& prepared, const Event& event) {
    remember_case(prepared.stored, prepared.agency, prepared.after, event.hash,
                  prepared.deadline_rows);
  }

  static void check_append(const Case& next, Event& event, int64_t expected_version) {
    if (event.case_id == 0) event.case_id = next.id;
    if (event.case_id != next.id) throw StoreError("event and case name different cases");
    if (event.seq != expected_version + 1 || next.version != event.seq) {
      throw StoreError("event seq " + std::to_string(event.seq) + " and case version " +
                       std::to_string(next.version) + " must both be " +
                       std::to_string(expected_version + 1));
    }
  }

  // append_event's work inside its commit group: the case row (if still at the expected
  // version), the event, the deadline rows, the planned effects and the remembered response.
  void write_append(PreparedAppend& prepared, Event& event, const IdempotencyBuilder& remember) {
    const Case& stored = prepared.stored;
    const int64_t expected_version = stored.version - 1;
    // Only the indexed columns that changed are set: SQLite rewrites a row's entry in every
    // index holding a column of the SET list, whether its value changed or not.
    const IndexedColumns& after = prepared.after;
    const IndexedColumns& before = prepared.before;
    const bool state = after.state != before.state;
    const bool closed_on = after.closed_on != before.closed_on;
    const bool assignee = after.assignee != before.assignee;
    const bool report = after.applicant_kind != before.applicant_kind ||
                        after.determination != before.determination ||
                        after.remedies_fees != before.remedies_fees;
    // The search columns follow the document, in case an action corrects the registration.
    std::string sql =
        "UPDATE cases SET version = :version, doc = :doc, updated_at = :updated_at,"
        " applicant_name = :applicant_name, request_description = :request_description";
    if (state) sql += ", state = :state";
    if (closed_on) sql += ", closed_on = :closed_on";
    if (assignee) sql += ", assignee = :assignee";
    if (report) {
      sql +=
          ", applicant_kind = :applicant_kind, determination = :determination,"
          " remedies_fees = :remedies_fees";
    }
    sql += " WHERE id = :id AND version = :expected";
    auto st = statements_.get(sql);
    st->bind(":version", stored.version);
    st->bind(":doc", prepared.doc);
    st->bind(":updated_at", format_instant(stored.updated_at, 0));
    st->bind(":applicant_name", stored.registration.applicant.name);
    st->bind(":request_description", stored.registration.request.description);
    if (state) st->bind(":state", after.state);
    if (closed_on) bind_optional(*st, st->getIndex(":closed_on"), after.closed_on);
    if (assignee) st->bind(":assignee", after.assignee);
    if (report) {
      st->bind(":applicant_kind", after.applicant_kind);
      st->bind(":determination", after.determination);
      bind_optional(*st, st->getIndex(":remedies_fees"), after.remedies_fees);
    }
    st->bind(":id", stored.id);
    st->bind(":expected", expected_version);
    if (st->exec() == 0) {
      SQLite::Statement version(db_, "SELECT version FROM cases WHERE id = ?");
      version.bind(1, stored.id);
      if (!version.executeStep()) throw StoreError("no case " + std::to_string(stored.id));
      throw VersionConflict(stored.id, version.getColumn(0).getInt64());
    }
    insert_event(event);
    write_deadlines(stored.id, prepared.deadlines);
    if (prepared.hook) write_planned_effects(prepared, event);
    if (remember) remember_in_transaction(remember(stored));  // see create_case
  }

  // Inside append_event's transaction: plans again if the hook's inputs changed since they were
  // read (a reminder was recorded for the case, or staff, an agency or a subscription changed),
  // then writes the effects.
  void write_planned_effects(PreparedAppend& prepared, const Event& event) {
    const Case& stored = prepared.stored;
    if (plan_inputs_revision(statements_) != prepared.inputs.revision ||
        sqlite::ledger_keys(statements_, stored.id) != prepared.inputs.sent) {
      prepared.inputs = read_plan_inputs(statements_, stored.id, stored.agency);
      prepared.effects = (*prepared.hook)(stored, event, prepared.inputs.context());
    }
    write_effects(stored, event, prepared.effects, prepared.inputs.of_agency->candidates);
  }

  // Writes what the hook decided: the case's new pending timers and its notifications, fanned
  // out to the candidates that want them. Inside the caller's write transaction, after the
  // event (sealed, so its hash and global_seq are known); if this throws, the whole case write
  // rolls back.
  void write_effects(const Case& stored, const Event& event, const CaseWriteEffects& effects,
                     const std::vector<Subscription>& candidates) {
    sqlite::replace_pending_timers(statements_, stored.id, effects.timers);
    if (effects.notifications.empty() || candidates.empty()) return;
    sqlite::OutboxOrigin origin{stored.id, event.global_seq, "", event.recorded_at};
    for (size_t i = 0; i < effects.notifications.size(); ++i) {
      // The event hash names this write; the index tells its notifications apart.
      origin.source = "e:" + event.hash + ":" + std::to_string(i);
      sqlite::fan_out(statements_, effects.notifications[i], candidates, stored.agency, origin);
    }
  }

  // A case write committed (inside a batch: will have, once the batch commits).
  void written(CaseWriteEffects effects) {
    if (batch_owner_ == this) {
      batch_written_.push_back(std::move(effects));
      return;
    }
    notify_written(effects);
  }

  void notify_written(const CaseWriteEffects& effects) {
    std::shared_ptr<const CaseWrittenObserver> observer;
    {
      std::lock_guard lock(hooks_mutex_);
      observer = observer_;
    }
    if (!observer) return;
    // The write has committed, so its caller must hear that it succeeded whatever the observer
    // does (observers only wake loops, which also look on their own schedule).
    try {
      (*observer)(effects);
    } catch (...) {
    }
  }

  static constexpr std::chrono::seconds kTokenTouchInterval{60};
  static constexpr int kUserColumnCount = 11;
  static constexpr const char* kUserColumns =
      "SELECT u.id, u.name, u.role, COALESCE(u.agency, ''), u.scope_all, u.active, u.mobile,"
      " u.wecom_userid, u.dingtalk_userid, u.feishu_user_id, COALESCE(u.login, '')";

  static StoreError store_error(const char* what, const SQLite::Exception& e) {
    return StoreError(std::string("sqlite ") + what + ": " + e.what());
  }

  // Runs `f`, turning SQLite's own exceptions into StoreError (ours pass through unchanged).
  template <class F>
  static auto guarded(const char* what, F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const SQLite::Exception& e) {
      throw store_error(what, e);
    }
  }

  // guarded()'s mapping for an error that is passed on rather than thrown.
  static std::exception_ptr as_store_error(std::exception_ptr error, const char* what) {
    try {
      std::rethrow_exception(error);
    } catch (const SQLite::Exception& e) {
      return std::make_exception_ptr(store_error(what, e));
    } catch (...) {
      return error;
    }
  }

  static User user_from(SQLite::Statement& st) {
    User u;
    u.id = st.getColumn(0).getInt64();
    u.name = st.getColumn(1).getString();
    u.role = st.getColumn(2).getString();
    u.agency = st.getColumn(3).getString();
    u.scope_all = st.getColumn(4).getInt() != 0;
    u.active = st.getColumn(5).getInt() != 0;
    u.mobile = st.getColumn(6).getString();
    u.wecom_userid = st.getColumn(7).getString();
    u.dingtalk_userid = st.getColumn(8).getString();
    u.feishu_user_id = st.getColumn(9).getString();
    u.login = st.getColumn(10).getString();
    return u;
  }

  // The events of case `id` in order, with their stored bodies and chain fields.
  static std::vector<Event> events_of(sqlite::StatementCache& statements, CaseId id,
                                      EventDecoding decoding = EventDecoding::full) {
    auto st = statements.get(
        "SELECT body, prev_hash, hash, global_seq, global_prev_hash, global_hash, seq"
        " FROM events WHERE case_id = ? ORDER BY seq");
    st->bind(1, id);
    std::vector<Event> out;
    while (st->executeStep()) {
      Event e;
      std::string body = st->getColumn(0).getString();
      if (decoding == EventDecoding::full) {
        try {
          e = event_from_text(body);
        } catch (const std::exception& error) {
          throw StoreError("case " + std::to_string(id) +
                           ": stored event unreadable: " + error.what());
        }
      } else {
        e.case_id = id;
        e.seq = st->getColumn(6).getInt64();
        // Undecoded, a body is handed over as stored (a tampered one shows in `audit verify`
        // and in the export's own verification); an empty one would be rebuilt from nothing.
        if (body.empty())
          throw StoreError("case " + std::to_string(id) + ": stored event " +
                           std::to_string(e.seq) + " has an empty body");
      }
      e.body = std::move(body);
      e.prev_hash = st->getColumn(1).getString();
      e.hash = st->getColumn(2).getString();
      e.global_seq = st->getColumn(3).getInt64();
      e.global_prev_hash = st->getColumn(4).getString();
      e.global_hash = st->getColumn(5).getString();
      out.push_back(std::move(e));
    }
    return out;
  }

  static Case case_from_doc(CaseId id, const std::string& doc) {
    try {
      return case_from_text(doc);
    } catch (const std::exception& error) {
      throw StoreError("case " + std::to_string(id) +
                       ": stored document unreadable: " + error.what());
    }
  }

  // The agency row through `statements` (a reading connection's, or the writer's inside a write).
  static std::optional<Agency> agency_row(sqlite::StatementCache& statements,
                                          const std::string& code) {
    auto st = statements.get("SELECT code, name, short_name FROM agencies WHERE code = ?");
    st->bind(1, code);
    if (!st->executeStep()) return std::nullopt;
    return Agency{st->getColumn(0).getString(), st->getColumn(1).getString(),
                  st->getColumn(2).getString()};
  }

  // On the writing connection, inside a write.
  std::optional<Agency> agency_row(const std::string& code) const {
    return agency_row(statements_, code);
  }

  // Filters, sorts and pages the cases. Only fixed clauses are appended to the SQL; every value
  // goes through a named parameter.
  // `scan_by_id`: read the cases in id order (rowid range and scan, no index on the case
  // columns), for walks over every matching case; see list_cases.
  static CasePage run_query(SQLite::Database& db, const CaseFilter& filter,
                            bool scan_by_id = false) {
    SortOrder order = sort_order(filter.sort);
    std::optional<Cursor> cursor;
    if (!filter.cursor.empty()) cursor = decode_cursor(filter.cursor, filter.sort, order);
    if ((filter.after_id != 0 || filter.until_id != 0) && order != SortOrder::id) {
      throw StoreError("after_id and until_id page only sort 'id'; use the cursor");
    }

    // The earliest due date of a running or paused deadline, computed only when sorting by it.
    std::string sql =
        "SELECT id, doc, received_on, due FROM (SELECT c.id AS id, c.doc AS doc,"
        " c.received_on AS received_on, ";
    sql += order == SortOrder::due_on
               ? "(SELECT MIN(d.due_on) FROM deadlines d WHERE d.case_id = c.id"
                 " AND d.status IN ('running', 'paused'))"
               : "NULL";
    sql += scan_by_id ? " AS due FROM cases c NOT INDEXED WHERE 1" : " AS due FROM cases c WHERE 1";
    if (filter.state) sql += " AND c.state = :state";
    if (filter.agency) sql += " AND c.agency = :agency";
    if (filter.workflow) sql += " AND c.workflow = :workflow";
    if (filter.assignee) sql += " AND c.assignee = :assignee";
    if (filter.open_only) sql += " AND c.closed_on IS NULL";
    if (filter.received_from) sql += " AND c.received_on >= :received_from";
    if (filter.received_to) sql += " AND c.received_on <= :received_to";
    // A NULL closed_on fails both comparisons: open cases are outside any closed range.
    if (filter.closed_from) sql += " AND c.closed_on >= :closed_from";
    if (filter.closed_to) sql += " AND c.closed_on <= :closed_to";
    if (filter.after_id != 0) sql += " AND c.id > :after_id";
    if (filter.until_id != 0) sql += " AND c.id <= :until_id";
    // The cases with a deadline due by then are few beside all cases (closed ones have none
    // running), so the set is built first from deadlines_open_by_due and the cases looked up
    // by id; SQLite keeps the set ordered, so sorting by id needs no sort step. A per-case
    // EXISTS probe would instead walk every case row until the page is full.
    if (filter.overdue_on) {
      sql +=
          " AND c.id IN (SELECT d.case_id FROM deadlines d"
          " WHERE d.status IN ('running', 'paused') AND d.due_on < :overdue_on)";
    }
    if (filter.due_on_or_before) {
      sql +=
          " AND c.id IN (SELECT d.case_id FROM deadlines d"
          " WHERE d.status IN ('running', 'paused') AND d.due_on <= :due_by)";
    }
    if (!filter.text.empty()) {
      sql +=
          " AND (c.applicant_name LIKE :text ESCAPE '\\'"
          " OR c.request_description LIKE :text ESCAPE '\\'"
          " OR c.number LIKE :text ESCAPE '\\')";
    }
    sql += ") WHERE 1";
    // Keyset: rows strictly after the cursor's (key, id) in this order.
    if (cursor) {
      switch (order) {
        case SortOrder::id:
          sql += " AND id > :cursor_id";
          break;
        case SortOrder::id_desc:
          sql += " AND id < :cursor_id";
          break;
        case SortOrder::received_on:
          sql += " AND (received_on, id) > (:cursor_key, :cursor_id)";
          break;
        case SortOrder::received_on_desc:
          sql += " AND (received_on, id) < (:cursor_key, :cursor_id)";
          break;
        case SortOrder::due_on:
          // Cases without a due date come last, by id.
          sql += cursor->key.empty()
                     ? " AND due IS NULL AND id > :cursor_id"
                     : " AND ((due, id) > (:cursor_key, :cursor_id) OR due IS NULL)";
          break;
      }
    }
    switch (order) {
      case SortOrder::id:
        sql += " ORDER BY id";
        break;
      case SortOrder::id_desc:
        sql += " ORDER BY id DESC";
        break;
      case SortOrder::received_on:
        sql += " ORDER BY received_on, id";
        break;
      case SortOrder::received_on_desc:
        sql += " ORDER BY received_on DESC, id DESC";
        break;
      case SortOrder::due_on:
        sql += " ORDER BY due IS NULL, due, id";
        break;
    }
    // One row more than asked tells whether another page exists.
    sql += " LIMIT :limit";

    SQLite::Statement st(db, sql);
    if (filter.state) st.bind(":state", *filter.state);
    if (filter.agency) st.bind(":agency", *filter.agency);
    if (filter.workflow) st.bind(":workflow", *filter.workflow);
    if (filter.assignee) st.bind(":assignee", *filter.assignee);
    if (filter.after_id != 0) st.bind(":after_id", filter.after_id);
    if (filter.until_id != 0) st.bind(":until_id", filter.until_id);
    if (filter.overdue_on) st.bind(":overdue_on", filter.overdue_on->str());
    if (filter.due_on_or_before) st.bind(":due_by", filter.due_on_or_before->str());
    if (!filter.text.empty()) st.bind(":text", contains_pattern(filter.text));
    if (filter.received_from) st.bind(":received_from", filter.received_from->str());
    if (filter.received_to) st.bind(":received_to", filter.received_to->str());
    if (filter.closed_from) st.bind(":closed_from", filter.closed_from->str());
    if (filter.closed_to) st.bind(":closed_to", filter.closed_to->str());
    if (cursor) {
      st.bind(":cursor_id", cursor->id);
      if (!cursor->key.empty()) st.bind(":cursor_key", cursor->key);
    }
    st.bind(":limit", static_cast<int64_t>(filter.limit) + 1);

    CasePage page;
    Cursor last{filter.sort, "", 0};
    while (st.executeStep()) {
      if (page.cases.size() == static_cast<size_t>(filter.limit)) {
        page.next_cursor = encode_cursor(last);
        break;
      }
      last.id = st.getColumn(0).getInt64();
      page.cases.push_back(case_from_doc(last.id, st.getColumn(1).getString()));
      if (order == SortOrder::received_on || order == SortOrder::received_on_desc) {
        last.key = st.getColumn(2).getString();
      } else if (order == SortOrder::due_on) {
        last.key = st.getColumn(3).isNull() ? "" : st.getColumn(3).getString();
      }
    }
    return page;
  }

  static void check_record(const IdempotencyRecord& record) {
    if (record.scope.empty() || record.key.empty()) {
      throw StoreError("an idempotency record needs a scope and a key");
    }
  }

  // Statements below live only inside their helper, so none is still stepping at COMMIT.

  // False when (scope, key) is already taken; the stored record is left as it was.
  bool insert_record(const IdempotencyRecord& record) {
    auto st = statements_.get(
        "INSERT INTO idempotency_keys(scope, key, fingerprint, status, body, created_at)"
        " VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(scope, key) DO NOTHING");
    st->bind(1, record.scope);
    st->bind(2, record.key);
    st->bind(3, record.fingerprint);
    st->bind(4, record.status);
    st->bind(5, record.body);
    st->bind(6, now_text());
    return st->exec() == 1;
  }

  // Inside a case write: a taken key aborts the whole write (the caller's transaction rolls back
  // as the exception leaves it), so an action is never stored without its remembered response.
  void remember_in_transaction(const IdempotencyRecord& record) {
    check_record(record);
    if (!insert_record(record)) {
      throw IdempotencyConflict("idempotency key '" + record.key + "' of " + record.scope +
                                " is already used");
    }
  }

  // The next case serial for an agency and year (1, 2, …), counted in case_counters.
  int64_t next_serial(const std::string& agency, int year) {
    auto st = statements_.get(
        "INSERT INTO case_counters(agency, year, last) VALUES(?, ?, 1)"
        " ON CONFLICT(agency, year) DO UPDATE SET last = last + 1 RETURNING last");
    st->bind(1, agency);
    st->bind(2, year);
    st->executeStep();
    return st->getColumn(0).getInt64();
  }

  std::optional<std::string> case_number(CaseId id) {
    auto st = statements_.get("SELECT number FROM cases WHERE id = ?");
    st->bind(1, id);
    if (!st->executeStep()) return std::nullopt;
    return st->getColumn(0).getString();
  }

  // Seals `event`, already sealed into its case's chain (seal_in_case), after the log's head,
  // then stores it. Must run inside the caller's write transaction.
  void insert_event(Event& event) {
    int64_t global_seq = 0;
    std::string global_prev = genesis_hash();
    {
      auto head = statements_.get(
          "SELECT global_seq, global_hash FROM events ORDER BY global_seq DESC LIMIT 1");
      if (head->executeStep()) {
        global_seq = head->getColumn(0).getInt64();
        global_prev = head->getColumn(1).getString();
      }
    }
    seal_in_log(event, global_seq + 1, global_prev);

    auto st = statements_.get(
        "INSERT INTO events(global_seq, case_id, seq, type, on_date, recorded_at, actor, body,"
        " prev_hash, hash, global_prev_hash, global_hash) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?)");
    st->bind(1, event.global_seq);
    st->bind(2, event.case_id);
    st->bind(3, event.seq);
    st->bind(4, event.type);
    bind_optional(*st, 5, date_text(event.on));
    st->bind(6, format_instant(event.recorded_at, 0));
    st->bind(7, event.actor);
    st->bind(8, event.body);
    st->bind(9, event.prev_hash);
    st->bind(10, event.hash);
    st->bind(11, event.global_prev_hash);
    st->bind(12, event.global_hash);
    st->exec();
  }

  // Each stored deadline row of a case: its kind, and whether it already equals the wanted row
  // of that kind (false when none is wanted).
  using StoredDeadlines = std::vector<std::pair<std::string, bool>>;

  static const DeadlineView* wanted_deadline(const std::vector<DeadlineView>& deadlines,
                                             const std::string& kind) {
    auto wanted = std::find_if(deadlines.begin(), deadlines.end(),
                               [&](const DeadlineView& d) { return d.kind == kind; });
    return wanted == deadlines.end() ? nullptr : &*wanted;
  }

  // What turns the stored rows into `deadlines`: the kinds no longer wanted go, and the wanted
  // rows not already stored as they are get written.
  static DeadlineChanges deadline_changes(const StoredDeadlines& stored,
                                          const std::vector<DeadlineView>& deadlines) {
    DeadlineChanges changes;
    std::vector<bool> kept(deadlines.size(), false);
    for (const auto& [kind, same] : stored) {
      const DeadlineView* wanted = wanted_deadline(deadlines, kind);
      if (wanted == nullptr)
        changes.gone.push_back(kind);
      else
        kept[wanted - deadlines.data()] = same;
    }
    for (size_t i = 0; i < deadlines.size(); ++i) {
      if (!kept[i]) changes.written.push_back(deadlines[i]);
    }
    return changes;
  }

  // Compares `deadlines` with the rows a case's last write left (CaseAtVersion).
  static DeadlineChanges deadline_changes(const std::vector<DeadlineView>& rows,
                                          const std::vector<DeadlineView>& deadlines) {
    StoredDeadlines stored;
    for (const DeadlineView& row : rows) {
      const DeadlineView* wanted = wanted_deadline(deadlines, row.kind);
      stored.emplace_back(
          row.kind, wanted != nullptr && wanted->due_on == row.due_on &&
                        wanted->status == row.status && wanted->remaining_wd == row.remaining_wd &&
                        wanted->provisional == row.provisional && wanted->epoch == row.epoch);
    }
    return deadline_changes(stored, deadlines);
  }

  // Compares `deadlines` with the case's rows as `statements` sees them. Only case writes write
  // deadline rows, and each moves the case's version, so rows read at the expected version are
  // still the rows when that write's version check passes.
  static DeadlineChanges deadline_changes(sqlite::StatementCache& statements, CaseId id,
                                          const std::vector<DeadlineView>& deadlines) {
    StoredDeadlines stored;
    auto st = statements.get(
        "SELECT kind, due_on, status, remaining_wd, provisional, epoch FROM deadlines"
        " WHERE case_id = ?");
    st->bind(1, id);
    while (st->executeStep()) {
      std::string kind = st->getColumn(0).getString();
      const DeadlineView* d = wanted_deadline(deadlines, kind);
      bool same = false;
      if (d != nullptr) {
        const std::optional<std::string> due_on = date_text(d->due_on);
        same = (st->getColumn(1).isNull() ? !due_on : due_on == st->getColumn(1).getString()) &&
               st->getColumn(2).getString() == to_string(d->status) &&
               (st->getColumn(3).isNull() ? !d->remaining_wd
                                          : d->remaining_wd == st->getColumn(3).getInt()) &&
               (st->getColumn(4).getInt() != 0) == d->provisional &&
               st->getColumn(5).getInt() == d->epoch;
      }
      stored.emplace_back(std::move(kind), same);
    }
    return deadline_changes(stored, deadlines);
  }

  // Inside the write transaction.
  void write_deadlines(CaseId id, const DeadlineChanges& changes) {
    for (const std::string& kind : changes.gone) {
      auto remove = statements_.get("DELETE FROM deadlines WHERE case_id = ? AND kind = ?");
      remove->bind(1, id);
      remove->bind(2, kind);
      remove->exec();
    }
    if (changes.written.empty()) return;
    auto st = statements_.get(
        "INSERT INTO deadlines(case_id, kind, due_on, status, remaining_wd, provisional, epoch)"
        " VALUES(?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(case_id, kind) DO UPDATE SET due_on = excluded.due_on,"
        " status = excluded.status, remaining_wd = excluded.remaining_wd,"
        " provisional = excluded.provisional, epoch = excluded.epoch");
    for (const DeadlineView& d : changes.written) {
      st->bind(1, id);
      st->bind(2, d.kind);
      bind_optional(*st, 3, date_text(d.due_on));
      st->bind(4, to_string(d.status));
      if (d.remaining_wd) {
        st->bind(5, *d.remaining_wd);
      } else {
        st->bind(5);
      }
      st->bind(6, d.provisional ? 1 : 0);
      st->bind(7, d.epoch);
      st->exec();
      st->reset();
    }
  }

  // The time the rows' own timestamps record (created, last used); the system clock by default.
  Instant now() const {
    if (clock_) return clock_->now().at;
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  }
  std::string now_text() const { return format_instant(now(), 0); }

  const TimeSource* const clock_;
  // The one writing connection. db_mutex_ is held while a commit group uses it, and by readers
  // of an in-memory database, which has no other connection.
  mutable SQLite::Database db_;
  mutable std::mutex db_mutex_;
  // Statements prepared on db_; used by whoever holds db_mutex_ (the committing thread).
  mutable sqlite::StatementCache statements_{db_};
  mutable sqlite::ReadPool readers_;
  // Set at start-up and read by every case write, on its own thread.
  mutable std::mutex hooks_mutex_;
  std::shared_ptr<const CaseWriteHook> hook_;            // guarded by hooks_mutex_
  std::shared_ptr<const CaseWrittenObserver> observer_;  // guarded by hooks_mutex_
  std::vector<CaseWriteEffects> batch_written_;  // the running batch's; guarded by db_mutex_
  // Per agency: its plan inputs as read at a committed revision (read_plan_inputs).
  mutable std::mutex agency_inputs_mutex_;
  mutable std::map<std::string, std::pair<int64_t, std::shared_ptr<const AgencyInputs>>>
      agency_inputs_;
  // The cases this store wrote last, as their rows are now (CaseAtVersion).
  sqlite::RecentByCase<std::shared_ptr<const CaseAtVersion>> written_cases_{4096};
  // Tokens found lately, by sha256, with their users as read at a revision of auth_inputs
  // (migration 9: bumped by every change to api_tokens' owner, hash or revocation and to users),
  // so that a request whose token is known costs one row's read instead of the token's join.
  // last_used is what the store last wrote or queued for it (token_touches_).
  struct KnownToken {
    int64_t revision = 0;
    User user;
    std::optional<Instant> last_used;
  };
  static constexpr std::size_t kKnownTokensMax = 1024;  // then it starts over
  mutable std::mutex known_tokens_mutex_;
  mutable std::unordered_map<std::string, KnownToken> known_tokens_;
  // The store whose batch this thread is running, if any (see batch()).
  static thread_local const SqliteStore* batch_owner_;
  // The read_together() scope open on this thread, if any: its store and its connection.
  struct ReadScope {
    const SqliteStore* store = nullptr;
    sqlite::ReadPool::Lease* lease = nullptr;
  };
  static thread_local ReadScope read_scope_;
  bool batch_lost_ = false;  // guarded by db_mutex_
  // After everything its writes and their callbacks use: destroyed before them, it commits what
  // is still queued (and tells the callbacks) while the rest still works.
  sqlite::GroupCommit commit_{db_, db_mutex_};
  // Last, so it is destroyed first: its thread writes what is queued while the rest still works.
  mutable sqlite::TokenTouches token_touches_{[this](const sqlite::TokenTouches::Touches& touches) {
    write("token_touches", [&] {
      // Never backwards: two requests can queue their times in the other order.
      auto st = statements_.get(
          "UPDATE api_tokens SET last_used_at = :at WHERE token_hash = :hash"
          " AND (last_used_at IS NULL OR last_used_at < :at)");
      for (const auto& [token_hash, at] : touches) {
        st->bind(":at", at);
        st->bind(":hash", token_hash);
        st->exec();
        st->reset();
      }
    });
  }};
};

thread_local const SqliteStore* SqliteStore::batch_owner_ = nullptr;
thread_local SqliteStore::ReadScope SqliteStore::read_scope_;

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const SqliteOptions& options) {
  try {
    return std::make_unique<SqliteStore>(options);
  } catch (const SQLite::Exception& e) {
    throw StoreError("sqlite: cannot open '" + options.path + "': " + e.what());
  }
}

}  // namespace disclose
