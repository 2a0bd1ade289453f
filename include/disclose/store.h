// The Store port: durable agencies, users, cases and their append-only, hash-chained events.
// Every call that writes is atomic and durable when it returns; concurrent calls may share one
// transaction (group commit), each still all-or-nothing. Thread-safe. Implemented by
// adapters/sqlite.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "disclose/annual_report.h"
#include "disclose/audit.h"
#include "disclose/calendar.h"
#include "disclose/case.h"
#include "disclose/notification.h"
#include "disclose/reminders.h"

namespace disclose {

struct Agency {
  std::string code;        // e.g. zrzy
  std::string name;        // e.g. 区自然资源局
  std::string short_name;  // used in case numbers, e.g. 自然资源 (defaults to the code)
};

struct User {
  int64_t id = 0;
  std::string name;
  std::string role;  // registrar | handler | reviewer | supervisor | auditor | admin
  std::string agency;
  bool scope_all = false;
  bool active = true;
  // For @-mentions in robot messages (issue #4); "" when unknown.
  std::string mobile;
  std::string wecom_userid;
  std::string dingtalk_userid;
  std::string feishu_user_id;
  // Sign-in name for the web console (issue #7): unique ignoring ASCII case; "" when none.
  std::string login;
};

struct IssuedToken {
  int64_t id = 0;
  std::string token;  // shown once: "dsk_" + 64 hex digits
};

struct TokenInfo {
  int64_t id = 0;
  int64_t user_id = 0;
  Instant created_at{};
  std::optional<Instant> last_used_at;
  std::optional<Instant> revoked_at;
};

// A response remembered under an Idempotency-Key, so a retried request returns it again.
struct IdempotencyRecord {
  std::string scope;  // who sent it, e.g. "u:12": keys are per caller
  std::string key;    // the Idempotency-Key header
  std::string
      fingerprint;  // hash of method + path + body: the same key with another request is refused
  int status = 0;
  std::string body;
};

// Builds the response to remember from the case as stored (with its id and number), inside the
// writing transaction, so the action and its remembered response commit together. It runs under
// the store's lock: it must not call the store.
using IdempotencyBuilder = std::function<IdempotencyRecord(const Case& stored)>;

// What a case write brings with it, decided outside the store (timer planning and notification
// composition are domain rules) and written in the same transaction as the event.
struct CaseWriteEffects {
  // Replaces the case's pending (unfired) timers.
  std::vector<PlannedTimer> timers;
  // Queued once per enabled subscription that wants the type for the case's agency.
  std::vector<Notification> notifications;
};

// What the store read for the hook, in one snapshot.
struct CaseWriteContext {
  const std::set<std::string>& sent_reminders;  // the case's reminder ledger keys
  const std::vector<User>& agency_users;        // active users of the case's agency
  const std::optional<Agency>& agency;
  // The enabled subscriptions that take notifications of the case's agency (each may still
  // want only some types): a notification none of them wants need not be composed.
  const std::vector<Subscription>& subscriptions;
};

// Plans a case write's effects: a pure function of its arguments, which create_case and
// append_event call with the stored case (id and number assigned) and its event, sealed into the
// case's chain (body, prev_hash, hash). create_case calls it inside the transaction, under the
// store's lock, after the event is written. append_event calls it before the write joins a commit
// group, on the caller's thread (so concurrently with other writes' calls), where the event's
// place in the global chain (global_seq, global_prev_hash, global_hash) is not known yet; inside
// the transaction the store checks that the context it planned on is unchanged and calls it again
// if not. So it may be called more than once for one write, and must not call the store.
// Installed once at start-up (Store::set_case_write_hook); without one, case writes leave timers
// and the outbox alone.
using CaseWriteHook = std::function<CaseWriteEffects(const Case& stored, const Event& event,
                                                     const CaseWriteContext& context)>;

// Told, on the writer's thread and outside the store's lock, what a case write wrote once it has
// committed (for a write inside Store::batch, once the batch has): e.g. to wake the timer loop
// for an earlier timer, or the outbox dispatcher. It may read from the store; it may write to it
// except for append_event_async, whose observer runs on the store's committing thread and must
// be quick (a write from there is refused).
using CaseWrittenObserver = std::function<void(const CaseWriteEffects& written)>;

// Firing a case's due reminders: ledger keys, their notifications, the case's new timers.
struct ReminderFiring {
  CaseId case_id = 0;
  int64_t expected_version = 0;  // the case version the decision was made on
  struct Sent {
    std::string ledger_key;
    Notification notification;
  };
  std::vector<Sent> reminders;
  std::vector<PlannedTimer> timers;  // the case's pending timers afterwards
  Instant fired_at{};
};

enum class OutboxStatus { pending, delivered, dead };
const char* to_string(OutboxStatus status);
std::optional<OutboxStatus> outbox_status_from(std::string_view text);

// One notification for one subscription.
struct OutboxItem {
  int64_t id = 0;
  std::string message_id;  // stable across attempts: the webhook-id
  int64_t subscription_id = 0;
  CaseId case_id = 0;  // 0 when not about a case
  Notification notification;
  OutboxStatus status = OutboxStatus::pending;
  int attempts = 0;
  Instant created_at{};
  Instant next_attempt_at{};
  std::optional<Instant> first_attempt_at;
  std::optional<Instant> delivered_at;
  std::string last_error;
};

struct OutboxFilter {
  std::optional<OutboxStatus> status;
  std::optional<int64_t> subscription_id;
  std::optional<CaseId> case_id;
  int64_t after_id = 0;  // pagination: ids greater than this, ascending
  int limit = 100;
};

struct CaseFilter {
  std::optional<std::string> state;
  std::optional<std::string> agency;
  std::optional<std::string> workflow;
  std::optional<std::string> assignee;
  bool open_only = false;
  // Only cases with a running or paused deadline whose due date is before this day.
  std::optional<Date> overdue_on;
  // Only cases with a running or paused deadline due on or before this day.
  std::optional<Date> due_on_or_before;
  // Free text over applicant name, request description and case number (substring match).
  std::string text;
  // Business-date ranges, both ends inclusive: received_on, and closed_on (a case not closed is
  // outside any closed range). For the annual report's and the bulk export's periods.
  std::optional<Date> received_from;
  std::optional<Date> received_to;
  std::optional<Date> closed_from;
  std::optional<Date> closed_to;
  // "id" (default), "-id", "received_on", "-received_on" (ties by id descending), "due_on"
  // (earliest running or paused deadline first; cases without one last). `limit` must be > 0.
  std::string sort = "id";
  // Opaque keyset cursor from a previous CasePage; continues after its last case.
  std::string cursor;
  CaseId after_id = 0;  // pagination for sort "id": ids greater than this
  CaseId until_id = 0;  // with sort "id": only ids up to and including this (0 = no bound)
  int limit = 1000;
};

// A case with its history, read together (Store::case_histories).
struct CaseHistory {
  Case a_case;
  std::vector<Event> events;
};

// How much of each event Store::case_histories decodes.
enum class EventDecoding {
  full,  // every field, as history() gives them
  // case_id, seq, the stored body and the chain fields only; type, actor, input, effects and
  // the rest stay empty. For a caller that hands each body over as it is stored (the JSON Lines
  // export, masked or not), where decoding and freeing every event was ≈ 20 % of its CPU.
  // Such an event has an empty type; decode its body (event_from_text) when a field is needed.
  sealed_only,
};

// The smallest and largest id of a set of cases, both inclusive.
struct CaseIdSpan {
  CaseId first = 0;
  CaseId last = 0;
};

struct CasePage {
  std::vector<Case> cases;
  std::string next_cursor;  // "" when this was the last page
};

// The last link of the global chain: what a bulk export's manifest names.
struct ChainHead {
  int64_t global_seq = 0;   // 0 when there are no events
  std::string global_hash;  // the genesis hash when there are no events
};

struct AuditReport {
  bool ok = true;
  int64_t events_checked = 0;
  int64_t cases_checked = 0;
  int64_t anchors_matched = 0;
  std::optional<ChainBreak> first_break;
  int64_t head_seq = 0;  // the last event's global_seq (0: no events)
  std::string head_hash;
};

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Another writer moved the case first; nothing was written.
class VersionConflict : public StoreError {
 public:
  VersionConflict(CaseId id, int64_t current_version)
      : StoreError("case " + std::to_string(id) + " is at version " +
                   std::to_string(current_version)),
        case_id(id),
        current(current_version) {}
  CaseId case_id;
  int64_t current;
};

// The Idempotency-Key was taken meanwhile; the action and its record were rolled back.
class IdempotencyConflict : public StoreError {
 public:
  using StoreError::StoreError;
};

// --- Sign-in (issue #7) --------------------------------------------------------------------

// A user with the stored password hash ("" when no password was set).
struct Credentials {
  User user;
  std::string password_hash;
};

// A signed-in browser. The cookie value is known only to the browser; the store keys the row by
// its sha256.
struct SessionRecord {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string csrf_token;
  Instant created_at{};
  Instant last_seen_at{};
  Instant expires_at{};  // absolute end, whatever the activity
};

struct SessionLookup {
  SessionRecord session;
  User user;
};

// Another user already has this login; nothing was written.
class LoginTaken : public StoreError {
 public:
  explicit LoginTaken(const std::string& login)
      : StoreError("login '" + login + "' is taken by another user") {}
};

// While alive, a store's reads on the thread that opened it share one connection and one
// snapshot of the database (Store::read_together). Move-only; it must end on that thread.
class ReadTogether {
 public:
  ReadTogether() = default;  // opens nothing: reads go on one by one
  explicit ReadTogether(std::function<void()> end) : end_(std::move(end)) {}
  ReadTogether(ReadTogether&& other) noexcept : end_(std::exchange(other.end_, nullptr)) {}
  ReadTogether& operator=(ReadTogether&&) = delete;
  ReadTogether(const ReadTogether&) = delete;
  ~ReadTogether() {
    if (end_) end_();
  }

 private:
  std::function<void()> end_;
};

class Store {
 public:
  virtual ~Store() = default;

  // Until the returned scope ends, reads on this thread see one snapshot of the database (as
  // of the first of them) through one connection: a request's reads agree with each other and
  // start one read transaction instead of one each. Writes are not part of it: each checks
  // what it depends on when it commits. Keep it short and wait for no write while it lasts (it
  // holds a connection, and the log cannot be checkpointed past its snapshot meanwhile). It
  // must end on the thread that opened it, before the store is destroyed. Inside a scope
  // already open, or a batch, it adds nothing; so by default.
  virtual ReadTogether read_together() const { return {}; }

  // Throws StoreError on a duplicate code.
  virtual void add_agency(const Agency& agency) = 0;
  virtual std::optional<Agency> find_agency(const std::string& code) const = 0;
  virtual std::vector<Agency> agencies() const = 0;

  // Creates the user (with its login, when not empty); throws StoreError for an unknown agency
  // and LoginTaken for a login in use.
  virtual User add_user(const User& user) = 0;
  virtual std::optional<User> find_user(int64_t id) const = 0;
  virtual std::vector<User> users() const = 0;
  // Deactivated users keep their history but can no longer sign in or act.
  virtual void set_user_active(int64_t user_id, bool active) = 0;
  // Issues a new API token (256 random bits); only its hash is kept.
  virtual IssuedToken issue_token(int64_t user_id) = 0;
  virtual std::vector<TokenInfo> tokens(int64_t user_id) const = 0;
  // Returns false when the token does not exist, belongs to another user or was already revoked.
  virtual bool revoke_token(int64_t user_id, int64_t token_id) = 0;
  // Records the token's last-used time (to the minute: at most one write a minute per token;
  // the write may come after the call returns, but tokens() shows it); nullopt for unknown or
  // revoked tokens and inactive users.
  virtual std::optional<User> user_by_token(const std::string& token) = 0;

  // Stores a new case with its registering event and its deadline rows; assigns id, number
  // (YYYY-<agency short name>-NNNN, per agency per year of receipt) and chain fields.
  // Returns the stored case. Throws StoreError for an unknown agency.
  // With `remember`, its record is written in the same transaction.
  virtual Case create_case(Case a_case, Event event, const std::vector<DeadlineView>& deadlines,
                           const IdempotencyBuilder& remember = {}) = 0;
  // Appends one event, the new case and its deadline rows (replacing the old ones) in one
  // transaction, if the stored version is still `expected_version`; otherwise throws
  // VersionConflict and writes nothing. `event.seq` must be expected_version + 1.
  virtual void append_event(const Case& next, Event event, int64_t expected_version,
                            const std::vector<DeadlineView>& deadlines,
                            const IdempotencyBuilder& remember = {}) = 0;
  // Told the outcome of an asynchronous write: null once it has committed, else the error the
  // synchronous call would have thrown (StoreError, VersionConflict, IdempotencyConflict, …).
  // Called once, on the store's committing thread: it must be quick (the next commit waits for
  // it) and must not write to the store.
  using Committed = std::function<void(std::exception_ptr error)>;
  // append_event without waiting for the commit: the checks and reads that need no lock are
  // done here, and what they find wrong is thrown here (and `committed` is never called); else
  // the write is queued for a commit group and `committed` told how it ended. So a caller need
  // not park a thread per pending write. Not inside batch() (throws StoreError).
  virtual void append_event_async(const Case& next, Event event, int64_t expected_version,
                                  const std::vector<DeadlineView>& deadlines,
                                  IdempotencyBuilder remember, Committed committed) = 0;
  // Runs `writes` (this thread's calls to the store) in one transaction, committed once when it
  // returns: for bulk loads such as the data generator, where a commit per write would dominate.
  // A writing call inside that throws still rolls back alone (its own savepoint); an exception
  // out of `writes` rolls back the whole batch and is rethrown. Reads inside see the batch's own
  // writes. Other threads' writes wait until the batch has committed, so this is not for
  // request handling. Batches do not nest.
  virtual void batch(const std::function<void()>& writes) = 0;
  virtual std::optional<Case> load_case(CaseId id) const = 0;
  virtual std::vector<Event> history(CaseId id) const = 0;
  // The newest event of the global chain (cheap: one indexed row).
  virtual ChainHead global_head() const = 0;
  virtual std::vector<Case> list_cases(const CaseFilter& filter) const = 0;
  // One page of list_cases in id order (sort must be "id"), each case with its history, all
  // read in one snapshot: a case and its events agree, and the page costs one read
  // transaction rather than one per case. For the bulk export.
  virtual std::vector<CaseHistory> case_histories(const CaseFilter& filter,
                                                  EventDecoding decoding) const = 0;
  // The id span of the cases received from `from` to `to` (both inclusive; nullopt = open
  // end), or nullopt when there are none. Cheap (an index), so a walk over a date range in id
  // order (list_cases with after_id/until_id) can skip the table outside the span: ids follow
  // registration, so a range's cases sit close together whatever the table's size.
  virtual std::optional<CaseIdSpan> received_id_span(std::optional<Date> from,
                                                     std::optional<Date> to) const = 0;
  // The same filters with sorting and keyset pagination (filter.cursor / next_cursor).
  // Throws StoreError for an unknown sort or a malformed cursor.
  virtual CasePage query_cases(const CaseFilter& filter) const = 0;

  // Hands `fn`, one at a time, every case of `workflow` (and of `agency`, unless "") that can
  // count in the annual report of `year` or of the year before: received by 31 Dec of `year`
  // and not closed before 1 Jan of year−1, or with any remedy or fee (their own dates decide).
  // Kept in columns beside the case document, so no document is parsed. Oldest received first.
  virtual void for_each_report_case(const std::string& workflow, const std::string& agency,
                                    int year,
                                    const std::function<void(const ReportCase&)>& fn) const = 0;

  // A remembered response, or nullopt.
  virtual std::optional<IdempotencyRecord> find_idempotent(const std::string& scope,
                                                           const std::string& key) const = 0;
  // For requests that write no case event (users, tokens, agencies). Returns false when the key
  // was taken meanwhile (the caller then replays the stored record).
  virtual bool save_idempotent(const IdempotencyRecord& record) = 0;
  // Forgets at most `limit` (≥ 1) of the records remembered before `created_before`, oldest
  // first, in one write, and returns how many: a retry after that is a new request. The caller
  // repeats while it gets `limit` back, so a large backlog never holds the write lock for long.
  virtual int purge_idempotent(Instant created_before, int limit) = 0;

  // Figures for /metrics.
  virtual std::vector<std::pair<std::string, int64_t>> open_cases_by_state() const = 0;
  virtual int64_t overdue_cases(Date today) const = 0;
  virtual int64_t outbox_backlog() const = 0;
  // Since the store was opened: commit groups run (one transaction each) and the writes they
  // carried. Concurrent writes share a group, so writes / commits is the mean group size.
  struct CommitFigures {
    int64_t commits = 0;
    int64_t writes = 0;
  };
  virtual CommitFigures commit_figures() const = 0;

  // Calendar years imported at run time (they override the bundled files by year).
  virtual void save_calendar_years(const std::vector<CalendarYear>& years) = 0;
  virtual std::vector<CalendarYear> calendar_years() const = 0;

  // Walks every event in global order and every case; names the first broken link.
  // `anchors` (audit.h): positions of the global chain recorded elsewhere that must still hold.
  virtual AuditReport verify_audit(const std::vector<AuditAnchor>& anchors = {}) const = 0;

  // --- Staff contact details (issue #4) ---------------------------------------------------
  // Replaces mobile and messaging ids; throws StoreError for an unknown user.
  virtual void set_user_contacts(const User& user_with_contacts) = 0;

  // --- Sign-in and sessions (issue #7) ------------------------------------------------------
  // In one transaction: sets the login when given ("" removes it) and the password hash when
  // given; a new password hash ends every session of the user. Throws StoreError for an unknown
  // user and LoginTaken when another user has the login.
  virtual void set_login_password(int64_t user_id, const std::optional<std::string>& login,
                                  const std::optional<std::string>& password_hash) = 0;
  // Looked up ignoring ASCII case; inactive users are returned too (the caller refuses them).
  virtual std::optional<Credentials> credentials_by_login(const std::string& login) const = 0;
  virtual std::optional<Credentials> credentials(int64_t user_id) const = 0;
  // Stores a new session under the sha256 hex of its cookie value; returns it with its id.
  virtual SessionRecord create_session(const std::string& token_hash,
                                       const SessionRecord& session) = 0;
  // The session and its user, when both exist and the user is active. Expiry is the caller's
  // decision (it owns the clock and the policy).
  virtual std::optional<SessionLookup> find_session(const std::string& token_hash) const = 0;
  virtual void touch_session(int64_t session_id, Instant last_seen_at) = 0;
  // False when there was no such session.
  virtual bool delete_session(const std::string& token_hash) = 0;
  // Ends every session of the user; returns how many there were.
  virtual int delete_user_sessions(int64_t user_id) = 0;
  // Deletes sessions whose absolute end is at or before `expired_by` or that were last seen
  // before `idle_before`; returns how many.
  virtual int purge_sessions(Instant expired_by, Instant idle_before) = 0;

  // --- Timers and reminders (issue #4) ------------------------------------------------------
  virtual void set_case_write_hook(CaseWriteHook hook) = 0;
  virtual void set_case_written_observer(CaseWrittenObserver observer) = 0;
  // The earliest unfired timer, or nullopt when none is pending.
  virtual std::optional<Instant> next_timer_at() const = 0;
  // Cases with an unfired timer due at or before `now`, earliest first.
  virtual std::vector<CaseId> cases_with_due_timers(Instant now, int limit) const = 0;
  virtual std::set<std::string> sent_reminders(CaseId id) const = 0;
  virtual std::vector<PlannedTimer> pending_timers(CaseId id) const = 0;
  // In one transaction: records each ledger key not yet sent and queues its notification (a key
  // already in the ledger is skipped with its notification), marks the case's timers due by
  // fired_at as fired, and replaces its pending timers. Throws VersionConflict when the case
  // moved since expected_version (nothing written). Returns how many reminders were new.
  virtual int record_reminders(const ReminderFiring& firing) = 0;
  // Replaces a case's pending timers outside a case write (start-up replanning).
  virtual void replace_timers(CaseId id, int64_t expected_version,
                              const std::vector<PlannedTimer>& timers) = 0;

  // --- Subscriptions (issue #4) -------------------------------------------------------------
  // Assigns id and created_at. Throws StoreError for an unknown agency.
  virtual Subscription add_subscription(const Subscription& subscription) = 0;
  virtual std::optional<Subscription> find_subscription(int64_t id) const = 0;
  virtual std::vector<Subscription> subscriptions() const = 0;
  // Replaces every field but id and created_at; false when there is no such subscription.
  virtual bool update_subscription(const Subscription& subscription) = 0;
  // Deletes the subscription and its undelivered outbox rows; false when there is none.
  virtual bool remove_subscription(int64_t id) = 0;

  // --- Outbox (issue #4) --------------------------------------------------------------------
  // Queues a notification for one subscription outside a case write (e.g. a test message).
  virtual OutboxItem enqueue(int64_t subscription_id, CaseId case_id,
                             const Notification& notification, Instant now) = 0;
  // Pending rows due by `now`, oldest first, at most `limit`, leaving the rows of the
  // subscriptions in `skip` where they are (the caller has no room for them now). Each claimed
  // row's next_attempt_at moves to `lease_until` (and first_attempt_at is set), so a crash
  // mid-delivery retries it after the lease instead of losing it.
  virtual std::vector<OutboxItem> claim_outbox(Instant now, Instant lease_until, int limit,
                                               const std::vector<int64_t>& skip = {}) = 0;
  virtual void mark_delivered(int64_t id, int attempts, Instant at) = 0;
  virtual void mark_retry(int64_t id, int attempts, Instant next_attempt,
                          const std::string& error) = 0;
  virtual void mark_dead(int64_t id, int attempts, const std::string& error) = 0;
  // Dead → pending, due at `now`, attempts and first attempt reset; false unless it was dead.
  virtual bool replay(int64_t id, Instant now) = 0;
  virtual std::optional<OutboxItem> find_outbox(int64_t id) const = 0;
  virtual std::vector<OutboxItem> list_outbox(const OutboxFilter& filter) const = 0;
  // The earliest next_attempt_at of a pending row, not counting the rows of the subscriptions in
  // `skip` (the dispatcher sleeps until then).
  virtual std::optional<Instant> next_outbox_at(const std::vector<int64_t>& skip = {}) const = 0;
};

}  // namespace disclose
