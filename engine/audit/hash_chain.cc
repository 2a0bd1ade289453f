// The event log's hash chains (audit.h). A body is hashed exactly as stored, so verification
// needs no re-serialisation; canonical JSON only has to be stable when the body is first made.
#include <openssl/evp.h>

#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>
#include <vector>

#include "disclose/audit.h"
#include "disclose/case_json.h"
#include "disclose/json_text.h"

namespace disclose {
namespace json = boost::json;

namespace {

void write_canonical(const json::value& value, std::string& out);

void write_canonical(const json::object& object, std::string& out) {
  std::vector<const json::key_value_pair*> members;
  members.reserve(object.size());
  for (const json::key_value_pair& kv : object) members.push_back(&kv);
  // string_view compares with memcmp semantics: by unsigned bytes, as the header promises.
  std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
    return std::string_view(a->key()) < std::string_view(b->key());
  });
  out += '{';
  for (size_t i = 0; i < members.size(); ++i) {
    if (i) out += ',';
    JsonText(out).string(members[i]->key());  // escaped exactly as json::serialize does
    out += ':';
    write_canonical(members[i]->value(), out);
  }
  out += '}';
}

void write_canonical(const json::value& value, std::string& out) {
  switch (value.kind()) {
    case json::kind::object:
      write_canonical(value.get_object(), out);
      return;
    case json::kind::array: {
      const json::array& array = value.get_array();
      out += '[';
      for (size_t i = 0; i < array.size(); ++i) {
        if (i) out += ',';
        write_canonical(array[i], out);
      }
      out += ']';
      return;
    }
    case json::kind::string:
      JsonText(out).string(value.get_string());
      return;
    default:  // numbers, booleans, null: as json::serialize prints them
      out += json::serialize(value);
      return;
  }
}

std::string hex(const unsigned char* data, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0x0F];
  }
  return out;
}

}  // namespace

const std::string& genesis_hash() {
  static const std::string kGenesis(64, '0');
  return kGenesis;
}

std::string canonical_json(const json::value& value) {
  std::string out;
  write_canonical(value, out);
  return out;
}

// canonical_json(to_json(event)), written without building the tree (which would copy the
// input and effects): the members in byte order, as canonical form sorts them.
std::string event_body(const Event& event) {
  std::string out;
  out.reserve(256);
  bool first = true;
  auto key = [&](std::string_view name) {
    out += first ? '{' : ',';
    first = false;
    JsonText(out).string(name);
    out += ':';
  };
  auto text = [&](std::string_view value) { JsonText(out).string(value); };
  key("actor");
  text(event.actor);
  key("case_id");
  JsonText(out).number(event.case_id);
  key("effects");
  write_canonical(event.effects, out);
  key("from_state");
  text(event.from_state);
  key("input");
  write_canonical(event.input, out);
  if (event.on) {
    key("on");
    text(event.on->str());
  }
  key("recorded_at");
  text(format_instant(event.recorded_at, 0));
  key("seq");
  JsonText(out).number(event.seq);
  key("to_state");
  text(event.to_state);
  key("type");
  text(event.type);
  out += '}';
  return out;
}

std::string sha256_hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("sha256: OpenSSL digest failed");
  }
  return hex(digest, size);
}

std::string chain_hash(const std::string& prev_hash, const std::string& payload) {
  return sha256_hex(prev_hash + payload);
}

void seal_event(Event& event, const std::string& case_prev_hash, int64_t global_seq,
                const std::string& global_prev_hash) {
  seal_in_case(event, case_prev_hash);
  seal_in_log(event, global_seq, global_prev_hash);
}

void seal_in_case(Event& event, const std::string& case_prev_hash) {
  event.body = event_body(event);
  event.prev_hash = case_prev_hash;
  event.hash = chain_hash(case_prev_hash, event.body);
}

void seal_in_log(Event& event, int64_t global_seq, const std::string& global_prev_hash) {
  event.global_seq = global_seq;
  event.global_prev_hash = global_prev_hash;
  event.global_hash = chain_hash(global_prev_hash, event.hash);
}

std::string ChainBreak::str() const {
  std::string where = "global_seq " + std::to_string(global_seq);
  if (global_seq == 0 && case_id == 0)
    where = "the chain's start";
  else if (global_seq == 0)
    where = "case " + std::to_string(case_id);
  else if (case_id != 0)  // 0: a position with no event (an anchor past the log's end)
    where += " (case " + std::to_string(case_id) + " seq " + std::to_string(seq) + ")";
  return where + ": " + reason;
}

void ChainVerifier::fail(const Event& event, std::string reason) {
  if (first_break_) return;
  first_break_ = ChainBreak{event.global_seq, event.case_id, event.seq, std::move(reason)};
}

void ChainVerifier::feed(const Event& event, const std::string& body) {
  if (first_break_) return;
  ++events_checked_;

  // The stored columns (used for lookups and ordering) must say what the hashed body says.
  Event parsed;
  try {
    parsed = event_from_json(json::parse(body));
  } catch (const std::exception& e) {
    return fail(event, std::string("body is not a valid event: ") + e.what());
  }
  if (parsed.case_id != event.case_id) {
    return fail(event, "body names case " + std::to_string(parsed.case_id));
  }
  if (parsed.seq != event.seq) return fail(event, "body names seq " + std::to_string(parsed.seq));
  if (parsed.type != event.type) return fail(event, "body names type '" + parsed.type + "'");

  // The case's own chain.
  auto [head, inserted] = case_heads_.try_emplace(event.case_id, 0, genesis_hash());
  (void)inserted;
  auto& [last_seq, last_hash] = head->second;
  if (event.seq != last_seq + 1) {
    return fail(event, "case seq " + std::to_string(event.seq) + " follows " +
                           std::to_string(last_seq) + " (expected " + std::to_string(last_seq + 1) +
                           ")");
  }
  if (event.prev_hash != last_hash) {
    return fail(event, "prev_hash does not match the case's previous hash");
  }
  if (chain_hash(event.prev_hash, body) != event.hash) {
    return fail(event, "hash does not match the body (event edited)");
  }

  // The global chain.
  if (event.global_seq != global_seq_ + 1) {
    return fail(event, "global_seq " + std::to_string(event.global_seq) + " follows " +
                           std::to_string(global_seq_) + " (expected " +
                           std::to_string(global_seq_ + 1) + ")");
  }
  if (event.global_prev_hash != global_prev_) {
    return fail(event, "global_prev_hash does not match the previous global hash");
  }
  if (chain_hash(event.global_prev_hash, event.hash) != event.global_hash) {
    return fail(event, "global_hash does not match");
  }

  auto [anchor, anchors_end] = anchors_.equal_range(event.global_seq);
  for (; anchor != anchors_end; ++anchor) {
    if (anchor->second != event.global_hash) {
      return fail(event, "global_hash differs from the anchor " +
                             AuditAnchor{anchor->first, anchor->second}.str() +
                             " (the log was rewritten here or earlier, or the anchor is not from"
                             " this log)");
    }
    ++anchors_matched_;
  }

  last_seq = event.seq;
  last_hash = event.hash;
  global_seq_ = event.global_seq;
  global_prev_ = event.global_hash;
}

void ChainVerifier::expect_anchor(const AuditAnchor& anchor) {
  // Position 0 is the chain's start: an empty log's head, which only the genesis hash matches.
  if (anchor.global_seq == 0) {
    if (anchor.global_hash == genesis_hash()) {
      ++anchors_matched_;
    } else if (!first_break_) {
      first_break_ =
          ChainBreak{0, 0, 0, "the anchor " + anchor.str() + " is not the chain's start"};
    }
    return;
  }
  auto [same, end] = anchors_.equal_range(anchor.global_seq);
  for (; same != end; ++same)
    if (same->second == anchor.global_hash) return;  // given twice: checked and counted once
  anchors_.emplace(anchor.global_seq, anchor.global_hash);
}

void ChainVerifier::end_of_log() {
  if (first_break_) return;
  auto first_missing = anchors_.upper_bound(global_seq_);
  if (first_missing == anchors_.end()) return;
  first_break_ = ChainBreak{
      first_missing->first, 0, 0,
      "the log ends at global_seq " + std::to_string(global_seq_) + ", before the anchor " +
          AuditAnchor{first_missing->first, first_missing->second}.str() +
          " (events were removed from its end, or the anchor is not from this log)"};
}

std::string AuditAnchor::str() const {
  return std::to_string(global_seq) + ":" + global_hash;
}

std::optional<AuditAnchor> parse_audit_anchor(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 18) return std::nullopt;
  int64_t seq = 0;
  for (char c : text.substr(0, colon)) {
    if (c < '0' || c > '9') return std::nullopt;
    seq = seq * 10 + (c - '0');
  }
  std::string_view hash = text.substr(colon + 1);
  if (hash.size() != 64) return std::nullopt;
  std::string lower;
  lower.reserve(64);
  for (char c : hash) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
    lower += c;
  }
  return AuditAnchor{seq, lower};
}

void ChainVerifier::expect_case_version(CaseId case_id, int64_t version) {
  if (first_break_) return;
  auto it = case_heads_.find(case_id);
  int64_t last_seq = it == case_heads_.end() ? 0 : it->second.first;
  if (last_seq == version) return;
  Event where;
  where.case_id = case_id;
  where.seq = last_seq;
  fail(where, "case is at version " + std::to_string(version) + " but its last event is seq " +
                  std::to_string(last_seq) +
                  (last_seq < version ? " (events missing)" : " (case row behind its events)"));
}

}  // namespace disclose
