#include "sqlite/migrations.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <chrono>
#include <iterator>
#include <string>

#include "disclose/date.h"
#include "disclose/store.h"

namespace disclose::sqlite {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Append only: a released migration is never edited, later changes get a new entry.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE agencies (
  code       TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  short_name TEXT NOT NULL
);

CREATE TABLE users (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  role       TEXT NOT NULL,
  agency     TEXT REFERENCES agencies(code),  -- NULL only for scope_all users
  scope_all  INTEGER NOT NULL DEFAULT 0,
  active     INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id),
  token_hash   TEXT NOT NULL UNIQUE,  -- sha256 hex; the token itself is never stored
  created_at   TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at   TEXT
);
CREATE INDEX api_tokens_by_user ON api_tokens(user_id);

CREATE TABLE case_counters (
  agency TEXT NOT NULL REFERENCES agencies(code),
  year   INTEGER NOT NULL,
  last   INTEGER NOT NULL,
  PRIMARY KEY (agency, year)
);

CREATE TABLE cases (
  id          INTEGER PRIMARY KEY,
  number      TEXT NOT NULL UNIQUE,
  workflow    TEXT NOT NULL,
  agency      TEXT NOT NULL REFERENCES agencies(code),
  state       TEXT NOT NULL,
  version     INTEGER NOT NULL,
  received_on TEXT NOT NULL,
  closed_on   TEXT,
  assignee    TEXT NOT NULL DEFAULT '',
  doc         TEXT NOT NULL,  -- the case JSON (case_json.h)
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE INDEX cases_by_agency_state ON cases(agency, state);
CREATE INDEX cases_by_assignee ON cases(assignee);
CREATE INDEX cases_by_received ON cases(received_on);

CREATE TABLE events (
  global_seq       INTEGER PRIMARY KEY,
  case_id          INTEGER NOT NULL REFERENCES cases(id),
  seq              INTEGER NOT NULL,
  type             TEXT NOT NULL,
  on_date          TEXT,
  recorded_at      TEXT NOT NULL,
  actor            TEXT NOT NULL,
  body             TEXT NOT NULL,  -- canonical JSON, hashed as stored
  prev_hash        TEXT NOT NULL,
  hash             TEXT NOT NULL,
  global_prev_hash TEXT NOT NULL,
  global_hash      TEXT NOT NULL,
  UNIQUE (case_id, seq)
);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: UPDATE refused');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
  SELECT RAISE(ABORT, 'events are append-only: DELETE refused');
END;

CREATE TABLE deadlines (
  case_id      INTEGER NOT NULL REFERENCES cases(id),
  kind         TEXT NOT NULL,
  due_on       TEXT,
  status       TEXT NOT NULL,
  remaining_wd INTEGER,  -- as of the write; readers recompute
  provisional  INTEGER NOT NULL DEFAULT 0,
  epoch        INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (case_id, kind)
);
CREATE INDEX deadlines_by_due ON deadlines(due_on, status);

CREATE TABLE calendar_years (
  year INTEGER PRIMARY KEY,
  doc  TEXT NOT NULL
);

-- Notifications written in the same transaction as their event, delivered later at least once.
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  created_at      TEXT NOT NULL,
  dedup_key       TEXT NOT NULL UNIQUE,  -- stable id sent with every attempt
  case_id         INTEGER REFERENCES cases(id),
  event_seq       INTEGER REFERENCES events(global_seq),
  topic           TEXT NOT NULL,  -- event type or reminder.*
  target          TEXT NOT NULL DEFAULT '',  -- subscription or recipient
  payload         TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error      TEXT,
  delivered_at    TEXT
);
CREATE INDEX outbox_pending ON outbox(status, next_attempt_at);
)sql"},

    // Case search, sorting and paging for the API; idempotent requests.
    {2, R"sql(
-- Searchable copies of fields that otherwise live only inside the case document, written with
-- the case row. Backfilled here from the documents already stored; the JSON paths are frozen
-- in this migration on purpose (it must keep meaning what it meant when it was released).
ALTER TABLE cases ADD COLUMN applicant_name TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN request_description TEXT NOT NULL DEFAULT '';
UPDATE cases SET
  applicant_name = COALESCE(json_extract(doc, '$.registration.applicant.name'), ''),
  request_description = COALESCE(json_extract(doc, '$.registration.request.description'), '');

-- Sorting by received_on pages through cases_by_received (its entries already end in the rowid,
-- which is the case id), and sorting by id uses the rowid itself. The text filter is a substring
-- LIKE, which no B-tree index can serve; it scans the case rows, as Chinese text has no word
-- boundaries to index by.

-- The due-date filters and sort look up a case's running or paused deadlines and their earliest
-- due date; this answers both from the index alone.
CREATE INDEX deadlines_by_case_status ON deadlines(case_id, status, due_on);

-- /metrics counts open cases by state on every scrape.
CREATE INDEX cases_open_by_state ON cases(state) WHERE closed_on IS NULL;

-- A response remembered under an Idempotency-Key, per caller (scope).
CREATE TABLE idempotency_keys (
  scope       TEXT NOT NULL,
  key         TEXT NOT NULL,
  fingerprint TEXT NOT NULL,  -- hash of method + path + body
  status      INTEGER NOT NULL,
  body        TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  PRIMARY KEY (scope, key)
);
-- Old keys will be expired by age.
CREATE INDEX idempotency_keys_by_created ON idempotency_keys(created_at);
)sql"},

    // Reminders and notifications to staff (issue #4).
    {3, R"sql(
-- For @-mentions in robot messages; '' when unknown.
ALTER TABLE users ADD COLUMN mobile TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN wecom_userid TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN dingtalk_userid TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN feishu_user_id TEXT NOT NULL DEFAULT '';

-- Who receives notifications. A subscription is removed together with its undelivered outbox
-- rows; its delivered rows stay as history with subscription_id set to NULL (the store does
-- that explicitly, so no ON DELETE action is declared).
CREATE TABLE subscriptions (
  id          INTEGER PRIMARY KEY,
  url         TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('webhook', 'wecom', 'dingtalk', 'feishu')),
  secret      TEXT NOT NULL DEFAULT '',
  agency      TEXT REFERENCES agencies(code),  -- NULL = cases of every agency
  events      TEXT NOT NULL DEFAULT '["*"]'     -- JSON array of types, "*" = all
              CHECK (json_valid(events) AND json_type(events) = 'array'),
  enabled     INTEGER NOT NULL DEFAULT 1,
  description TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL
);

-- When to look at a case again. fire_at is for people; fire_at_unix is what is compared and
-- sorted. A row stays once fired (fired_at set) so that planning the same occurrence at the same
-- time again does not arm it a second time; see timer_rows.cc.
CREATE TABLE timers (
  id           INTEGER PRIMARY KEY,
  case_id      INTEGER NOT NULL REFERENCES cases(id),
  purpose      TEXT NOT NULL CHECK (purpose IN ('reminder', 'expiry')),
  deadline     TEXT NOT NULL,
  epoch        INTEGER NOT NULL,
  offset_wd    INTEGER NOT NULL,
  fire_on      TEXT NOT NULL,  -- local date
  fire_at      TEXT NOT NULL,  -- UTC, RFC 3339
  fire_at_unix INTEGER NOT NULL,
  fired_at     TEXT,
  UNIQUE (case_id, purpose, deadline, epoch, offset_wd)
);
-- The scheduler asks for the earliest pending timer on every wake-up.
CREATE INDEX timers_pending ON timers(fire_at_unix) WHERE fired_at IS NULL;

-- Each reminder occurrence that was sent, once: "r:<case>:<deadline>:<epoch>:<offset>".
CREATE TABLE reminder_ledger (
  key     TEXT PRIMARY KEY,
  case_id INTEGER NOT NULL REFERENCES cases(id),
  sent_at TEXT NOT NULL
);
CREATE INDEX reminder_ledger_by_case ON reminder_ledger(case_id);

-- The outbox of migration 1, now one row per notification and subscription: dedup_key is the
-- message id, topic the notification type, payload the notification JSON (type, timestamp,
-- data). next_attempt_at is always written as UTC "YYYY-MM-DDTHH:MM:SSZ", which sorts in time
-- order as text, so the existing outbox_pending index serves the claim query.
ALTER TABLE outbox ADD COLUMN subscription_id INTEGER REFERENCES subscriptions(id);
ALTER TABLE outbox ADD COLUMN first_attempt_at TEXT;
CREATE INDEX outbox_by_subscription ON outbox(subscription_id);
CREATE INDEX outbox_by_case ON outbox(case_id);
)sql"},
    // Issue #7: staff sign in to the web console with a login and a password; a signed-in
    // browser holds a session cookie whose sha256 is all the database keeps (like api_tokens).
    {4, R"sql(
ALTER TABLE users ADD COLUMN login TEXT;          -- NULL until set; unique ignoring ASCII case
ALTER TABLE users ADD COLUMN password_hash TEXT;  -- "scrypt$…" (adapters/auth); NULL = none
CREATE UNIQUE INDEX users_by_login ON users(login COLLATE NOCASE);

CREATE TABLE sessions (
  id           INTEGER PRIMARY KEY,
  token_hash   TEXT NOT NULL UNIQUE,  -- sha256 hex of the cookie value; never the value
  user_id      INTEGER NOT NULL REFERENCES users(id),
  csrf_token   TEXT NOT NULL,         -- handed back to the page; worthless without the cookie
  created_at   TEXT NOT NULL,         -- UTC "YYYY-MM-DDTHH:MM:SSZ", sortable as text
  last_seen_at TEXT NOT NULL,
  expires_at   TEXT NOT NULL          -- absolute end (sign-in + 12 h)
);
CREATE INDEX sessions_by_user ON sessions(user_id);
)sql"},
    // Issue #6: the annual report of a database with a million cases reads these columns instead
    // of parsing every case document. Written with the case row, like applicant_name; backfilled
    // here with JSON paths frozen in this migration.
    {5, R"sql(
ALTER TABLE cases ADD COLUMN applicant_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN determination TEXT NOT NULL DEFAULT '';  -- the outcome's; '' none
-- {"remedies": [...], "fees": [...]} as in the document; NULL when the case has neither.
ALTER TABLE cases ADD COLUMN remedies_fees TEXT;
UPDATE cases SET
  applicant_kind = COALESCE(json_extract(doc, '$.registration.applicant.kind'), ''),
  determination = COALESCE(json_extract(doc, '$.outcome.determination'), ''),
  remedies_fees = CASE
    WHEN COALESCE(json_array_length(doc, '$.remedies'), 0) > 0
      OR COALESCE(json_array_length(doc, '$.fees'), 0) > 0
    THEN json_object('remedies', json(COALESCE(json_extract(doc, '$.remedies'), '[]')),
                     'fees', json(COALESCE(json_extract(doc, '$.fees'), '[]')))
  END;

-- Overdue means a running or paused deadline past its due date. Closed cases keep their
-- deadline rows (stopped or met), so over the years nearly every row is one that can never be
-- overdue; this index holds only the others, for the overdue count and list.
CREATE INDEX deadlines_open_by_due ON deadlines(due_on, case_id)
  WHERE status IN ('running', 'paused');
)sql"},
    // The columns of migration 5 sit after the case document in each row, so reading them from
    // the table walks every document's overflow pages. This index holds everything the annual
    // report reads (store.h for_each_report_case), so the report never touches the table.
    {6, R"sql(
CREATE INDEX cases_for_report ON cases(workflow, received_on, closed_on, agency, applicant_kind,
                                       determination, number, remedies_fees);
)sql"},
    // Issue #6: a case write plans its reminders and notifications before it joins a commit
    // group, from the agencies, staff and subscriptions it read then. Every change to those
    // tables, by this process or any other, bumps this one number, so the write checks its plan
    // with one read inside the transaction (sqlite_store.cc, append_event).
    {7, R"sql(
CREATE TABLE plan_inputs (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  revision INTEGER NOT NULL
);
INSERT INTO plan_inputs(id, revision) VALUES (1, 0);
CREATE TRIGGER agencies_inserted AFTER INSERT ON agencies
  BEGIN UPDATE plan_inputs SET revision = revision + 1; END;
CREATE TRIGGER agencies_updated AFTER UPDATE ON agencies
  BEGIN UPDATE plan_inputs SET revision = revision + 1; END;
CREATE TRIGGER agencies_deleted AFTER DELETE ON agencies
  BEGIN UPDATE plan_inputs SET revision = revision + 1; END;
CREATE TRIGGER users_inserted AFTER INSERT ON users
  BEGIN UPDATE plan_inputs SET revision = revision + 1; END;
CREATE TRIGGER users_updated AFTER UPDATE ON users
  BEGIN UPDATE plan_inputs SET revision = revision + 1; END;
CREATE TRIGGER users_deleted AFTER DELETE ON users
  BEGIN UPDATE plan_inputs SET revision = revision + 1; END;
CREATE TRIGGER subscriptions_inserted AFTER INSERT ON subscriptions
  BEGIN UPDATE plan_inputs SET revision = revision + 1; END;
CREATE TRIGGER subscriptions_updated AFTER UPDATE ON subscriptions
  BEGIN UPDATE plan_inputs SET revision = revision + 1; END;
CREATE TRIGGER subscriptions_deleted AFTER DELETE ON subscriptions
  BEGIN UPDATE plan_inputs SET revision = revision + 1; END;
)sql"},
    // Issue #6: every query of deadlines by date also asks for running or paused ones, which
    // deadlines_open_by_due (migration 5) answers; deadlines_by_due of migration 1 was read by
    // none of them after that, yet every deadline write still kept it up to date.
    {8, R"sql(
DROP INDEX IF EXISTS deadlines_by_due;
)sql"},
    // Issue #6: the store keeps the tokens it found, with their users, while this number stays;
    // every change that could change what a token finds bumps it, by any process (last_used_at
    // is not such a change: it is written behind requests). A later migration that rebuilds
    // users or api_tokens must create these triggers again (a test lists them).
    {9, R"sql(
CREATE TABLE auth_inputs (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  revision INTEGER NOT NULL
);
INSERT INTO auth_inputs(id, revision) VALUES (1, 0);
CREATE TRIGGER api_tokens_inserted_auth AFTER INSERT ON api_tokens
  BEGIN UPDATE auth_inputs SET revision = revision + 1; END;
CREATE TRIGGER api_tokens_updated_auth AFTER UPDATE OF id, user_id, token_hash, revoked_at
  ON api_tokens BEGIN UPDATE auth_inputs SET revision = revision + 1; END;
CREATE TRIGGER api_tokens_deleted_auth AFTER DELETE ON api_tokens
  BEGIN UPDATE auth_inputs SET revision = revision + 1; END;
CREATE TRIGGER users_inserted_auth AFTER INSERT ON users
  BEGIN UPDATE auth_inputs SET revision = revision + 1; END;
CREATE TRIGGER users_updated_auth AFTER UPDATE ON users
  BEGIN UPDATE auth_inputs SET revision = revision + 1; END;
CREATE TRIGGER users_deleted_auth AFTER DELETE ON users
  BEGIN UPDATE auth_inputs SET revision = revision + 1; END;
)sql"},
};

}  // namespace

int latest_schema_version() {
  return std::rbegin(kMigrations)->version;
}

void migrate(SQLite::Database& db) {
  migrate(db, latest_schema_version());
}

void migrate(SQLite::Database& db, int target_version) {
  if (target_version < 1 || target_version > latest_schema_version()) {
    throw StoreError("no schema version " + std::to_string(target_version));
  }
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
  int current = db.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").getInt();
  if (current > latest_schema_version()) {
    throw StoreError("database schema version " + std::to_string(current) +
                     " is newer than this program (" + std::to_string(latest_schema_version()) +
                     ")");
  }
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  for (const Migration& m : kMigrations) {
    if (m.version <= current || m.version > target_version) continue;
    db.exec(m.sql);
    SQLite::Statement record(db, "INSERT INTO schema_migrations(version, applied_at) VALUES(?, ?)");
    record.bind(1, m.version);
    record.bind(2, format_instant(now, 0));
    record.exec();
  }
  tx.commit();
}

}  // namespace disclose::sqlite
