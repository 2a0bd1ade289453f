// The tamper-evident event log. Each event is serialised canonically (keys sorted, no
// whitespace) and hash-chained twice: per case (hash = SHA-256(prev_hash ‖ body)) and globally
// (global_hash = SHA-256(global_prev_hash ‖ hash)), so an edited, inserted, removed or reordered
// event breaks a link, and a deleted case breaks the global chain.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "disclose/case.h"

namespace disclose {

// The hash before the first link of any chain: 64 zeros.
const std::string& genesis_hash();

// Canonical JSON: object keys sorted by their UTF-8 bytes, no insignificant whitespace.
std::string canonical_json(const boost::json::value& value);
// The canonical body of an event (everything but its chain fields).
std::string event_body(const Event& event);
// Lower-case hex SHA-256 of `prev_hash` followed by `payload`.
std::string chain_hash(const std::string& prev_hash, const std::string& payload);
std::string sha256_hex(const std::string& data);

// Fills the chain fields of `event` (body included) given the previous links.
void seal_event(Event& event, const std::string& case_prev_hash, int64_t global_seq,
                const std::string& global_prev_hash);
// seal_event in two steps: the case's chain (body, prev_hash, hash), which needs only the case's
// previous event, then the global chain, which needs the log's head and so the write lock.
void seal_in_case(Event& event, const std::string& case_prev_hash);
void seal_in_log(Event& event, int64_t global_seq, const std::string& global_prev_hash);

struct ChainBreak {
  int64_t global_seq = 0;
  CaseId case_id = 0;
  int64_t seq = 0;
  std::string reason;
  std::string str() const;
};

// A point of the global chain recorded outside the database ("global_seq:global_hash", as
// `disclose audit verify` prints its head). The chain alone cannot show that someone with write
// access rewrote it from some event on, re-hashing everything after, or cut its tail and fixed
// the case rows to match; an anchor kept elsewhere (a register, a report, a timestamping
// service) can: the event at that position must still be there with that hash.
struct AuditAnchor {
  int64_t global_seq = 0;
  std::string global_hash;  // 64 lower-case hex digits
  std::string str() const;  // "SEQ:HASH"
  friend bool operator==(const AuditAnchor&, const AuditAnchor&) = default;
};
// Parses "SEQ:HASH" (SEQ a whole number, 0 being an empty log's head; HASH 64 hex digits, either
// case); nullopt if not.
std::optional<AuditAnchor> parse_audit_anchor(std::string_view text);

// Verifies events fed in global order. Stops recording after the first break.
class ChainVerifier {
 public:
  // Each event fed at an anchor's position must carry the anchor's hash (call before feeding).
  // The same anchor given twice counts once.
  void expect_anchor(const AuditAnchor& anchor);
  // `body` is the stored canonical body; the event's fields must match it.
  void feed(const Event& event, const std::string& body);
  // Checks that a case's last event is `version` (detects removed trailing events).
  void expect_case_version(CaseId case_id, int64_t version);
  // After the last event: an anchor past it means the log was cut short (the first such is named).
  void end_of_log();
  bool ok() const { return !first_break_; }
  const std::optional<ChainBreak>& first_break() const { return first_break_; }
  int64_t events_checked() const { return events_checked_; }
  int64_t anchors_matched() const { return anchors_matched_; }
  int64_t head_seq() const { return global_seq_; }
  const std::string& head_hash() const { return global_prev_; }

 private:
  void fail(const Event& event, std::string reason);
  std::map<CaseId, std::pair<int64_t, std::string>> case_heads_;  // case → (seq, hash)
  std::multimap<int64_t, std::string> anchors_;                   // global_seq → global_hash
  std::string global_prev_ = genesis_hash();
  int64_t global_seq_ = 0;
  int64_t events_checked_ = 0;
  int64_t anchors_matched_ = 0;
  std::optional<ChainBreak> first_break_;
};

}  // namespace disclose
