#include "disclose/audit.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "disclose/case_json.h"

namespace disclose {
namespace {
namespace json = boost::json;

TEST(CanonicalJson, SortsKeysByBytesWithoutWhitespace) {
  json::value v = json::parse(R"({"b": 1, "a": {"d": [3, {"z": true, "y": null}], "c": "x"},
                                  "B": -2.5, "é": "ü", "a_": []})");
  EXPECT_EQ(canonical_json(v),
            R"({"B":-2.5E0,"a":{"c":"x","d":[3,{"y":null,"z":true}]},"a_":[],"b":1,"é":"ü"})");
}

TEST(CanonicalJson, IsStableUnderInsertionOrderAndReparsing) {
  json::object one{{"seq", 1}, {"type", "register"}, {"input", {{"k", "v\n\"q\""}, {"a", 1}}}};
  json::object two;
  two["input"] = json::object{{"a", 1}, {"k", "v\n\"q\""}};
  two["type"] = "register";
  two["seq"] = 1;
  std::string text = canonical_json(one);
  EXPECT_EQ(text, canonical_json(two));
  EXPECT_EQ(canonical_json(json::parse(text)), text);
  EXPECT_EQ(text, R"({"input":{"a":1,"k":"v\n\"q\""},"seq":1,"type":"register"})");
}

// Keys and strings are escaped exactly as json::serialize escapes them (bodies hashed before
// the canonical writer printed them itself must come out the same): every byte value alone,
// quotes, backslashes, control characters and UTF-8, as keys and as values, nested.
TEST(CanonicalJson, EscapesEveryStringAsBoostSerialises) {
  std::vector<std::string> texts = {"",
                                    "plain",
                                    "quote \" and \\ back",
                                    "tab\tnew\nline",
                                    "申请人 张三",
                                    std::string("nul\0byte", 8),
                                    "\x7f\x1f\xe2\x80"};
  for (int byte = 0; byte < 256; ++byte) texts.emplace_back(1, static_cast<char>(byte));
  for (const std::string& text : texts) {
    const std::string quoted = json::serialize(json::string(text));
    json::object object;
    object[text] = json::array{json::string(text), 7, true, nullptr};
    EXPECT_EQ(canonical_json(object), "{" + quoted + ":[" + quoted + ",7,true,null]}")
        << "byte string of length " << text.size();
  }
}

// event_body writes the canonical form of to_json(event) itself; it must be that, byte for
// byte, whatever the event holds.
TEST(CanonicalJson, AnEventsBodyIsTheCanonicalFormOfItsJson) {
  Event e;
  EXPECT_EQ(event_body(e), canonical_json(to_json(e)));  // everything empty, no date
  e.case_id = 9007199254740993;
  e.seq = -4;
  e.type = "request_correction";
  e.actor = "u:\"7\"";
  e.recorded_at = *parse_instant("2025-03-03T09:30:15.250+08:00");
  e.on = *Date::parse("2025-03-03");
  e.from_state = "审核 review";
  e.to_state = std::string("to\0\x1f\x7f\xff", 6);
  e.input = {{"zeta", 1},
             {"alpha", json::array{"b", 2.5, nullptr, false}},
             {"中文", {{"y", "\n"}, {"x", -1}}},
             {"", json::object{}},
             {"Alpha", 18446744073709551615ull}};
  e.effects = {{"clocks", json::array{json::object{{"kind", "reply"}, {"due", "2025-04-01"}}}},
               {"assignee", "3"}};
  EXPECT_EQ(event_body(e), canonical_json(to_json(e)));
  e.on.reset();
  e.input = {};
  EXPECT_EQ(event_body(e), canonical_json(to_json(e)));
}

TEST(Hashing, Sha256AndChainHash) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(genesis_hash(), std::string(64, '0'));
  EXPECT_EQ(chain_hash(genesis_hash(), "payload"), sha256_hex(genesis_hash() + "payload"));
  EXPECT_NE(chain_hash(genesis_hash(), "payload"), chain_hash(genesis_hash(), "payloaD"));
}

// One stored row: the event with its chain fields and the body as kept.
struct Row {
  Event event;
  std::string body;
};

Event make_event(CaseId case_id, int64_t seq, const std::string& type) {
  Event e;
  e.case_id = case_id;
  e.seq = seq;
  e.type = type;
  e.actor = "u:1";
  e.recorded_at = *parse_instant("2025-03-03T01:00:00Z") + std::chrono::minutes(seq);
  e.on = *Date::parse("2025-03-03") + static_cast<int32_t>(seq);
  e.from_state = seq == 1 ? "" : "registered";
  e.to_state = "registered";
  e.input = {{"text", "note " + std::to_string(case_id) + "/" + std::to_string(seq)}};
  return e;
}

// Writes events as the store does: each sealed after its case's last hash and the global head.
class Log {
 public:
  // `text`, when given, replaces the event's note (to write a log that differs in one event).
  void append(CaseId case_id, const std::string& type = "note", const std::string& text = "") {
    int64_t seq = ++versions_[case_id];
    Event e = make_event(case_id, seq, type);
    if (!text.empty()) e.input["text"] = text;
    auto [it, fresh] = heads_.try_emplace(case_id, genesis_hash());
    (void)fresh;
    std::string global_prev = rows_.empty() ? genesis_hash() : rows_.back().event.global_hash;
    seal_event(e, it->second, static_cast<int64_t>(rows_.size()) + 1, global_prev);
    it->second = e.hash;
    rows_.push_back(Row{e, event_body(e)});
  }
  std::vector<Row>& rows() { return rows_; }
  std::map<CaseId, int64_t>& versions() { return versions_; }

 private:
  std::vector<Row> rows_;
  std::map<CaseId, int64_t> versions_;
  std::map<CaseId, std::string> heads_;
};

// Cases 1, 2 and 3 with interleaved events: 1.1 2.1 1.2 3.1 2.2 1.3 3.2 2.3. With `rewritten`,
// the 4th event (3.1) says something else and everything after it is sealed again, as someone
// with write access and this program's code could do.
Log sample_log(bool rewritten = false) {
  Log log;
  const CaseId order[] = {1, 2, 1, 3, 2, 1, 3, 2};
  for (int i = 0; i < 8; ++i)
    log.append(order[i], order[i] == 1 ? "note" : "contact",
               rewritten && i == 3 ? "a note nobody wrote" : "");
  return log;
}

ChainVerifier verify(const std::vector<Row>& rows, const std::map<CaseId, int64_t>& versions) {
  ChainVerifier v;
  for (const Row& r : rows) v.feed(r.event, r.body);
  for (const auto& [id, version] : versions) v.expect_case_version(id, version);
  return v;
}

// The first break must be at `global_seq` and its reason must contain `words`.
void expect_break(const ChainVerifier& v, int64_t global_seq, CaseId case_id,
                  const std::string& words) {
  ASSERT_FALSE(v.ok());
  const ChainBreak& b = *v.first_break();
  EXPECT_EQ(b.global_seq, global_seq) << b.str();
  EXPECT_EQ(b.case_id, case_id) << b.str();
  EXPECT_NE(b.reason.find(words), std::string::npos) << b.str();
}

TEST(Seal, BodyExcludesChainFieldsAndLinksBothChains) {
  Event e = make_event(7, 1, "register");
  std::string before = event_body(e);
  seal_event(e, genesis_hash(), 12, "ab");
  EXPECT_EQ(event_body(e), before);
  EXPECT_EQ(e.prev_hash, genesis_hash());
  EXPECT_EQ(e.hash, chain_hash(genesis_hash(), before));
  EXPECT_EQ(e.global_seq, 12);
  EXPECT_EQ(e.global_prev_hash, "ab");
  EXPECT_EQ(e.global_hash, chain_hash("ab", e.hash));
  EXPECT_EQ(before, canonical_json(to_json(e)));
}

TEST(ChainVerifier, ValidLogVerifies) {
  Log log = sample_log();
  ChainVerifier v = verify(log.rows(), log.versions());
  EXPECT_TRUE(v.ok()) << v.first_break()->str();
  EXPECT_EQ(v.events_checked(), 8);
  EXPECT_EQ(v.head_hash(), log.rows().back().event.global_hash);
}

TEST(ChainVerifier, EmptyLogHasGenesisHead) {
  ChainVerifier v;
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.head_hash(), genesis_hash());
  v.expect_case_version(1, 1);
  EXPECT_FALSE(v.ok());
}

TEST(ChainVerifier, AnAnchorCatchesARewriteTheChainAloneCannot) {
  Log original = sample_log();
  Log rewritten = sample_log(/*rewritten=*/true);
  // Consistently re-sealed, the rewritten log verifies on its own...
  ChainVerifier alone = verify(rewritten.rows(), rewritten.versions());
  ASSERT_TRUE(alone.ok()) << alone.first_break()->str();
  EXPECT_NE(alone.head_hash(), original.rows().back().event.global_hash);

  // ...but not against the head recorded before the rewrite.
  const AuditAnchor head{8, original.rows().back().event.global_hash};
  ChainVerifier anchored;
  anchored.expect_anchor(head);
  for (const Row& r : rewritten.rows()) anchored.feed(r.event, r.body);
  anchored.end_of_log();
  expect_break(anchored, 8, 2, "differs from the anchor " + head.str());

  // An anchor from before the rewritten event still holds: it proves the log up to there.
  ChainVerifier earlier;
  earlier.expect_anchor({3, original.rows()[2].event.global_hash});
  for (const Row& r : rewritten.rows()) earlier.feed(r.event, r.body);
  earlier.end_of_log();
  EXPECT_TRUE(earlier.ok()) << earlier.first_break()->str();
  EXPECT_EQ(earlier.anchors_matched(), 1);
}

TEST(ChainVerifier, AnAnchorPastTheEndCatchesACutTail) {
  Log log = sample_log();
  const AuditAnchor head{8, log.rows().back().event.global_hash};
  // The last event (2.3) removed and its case's version set back: consistent on its own.
  log.rows().pop_back();
  log.versions()[2] = 2;
  ChainVerifier alone = verify(log.rows(), log.versions());
  ASSERT_TRUE(alone.ok()) << alone.first_break()->str();

  ChainVerifier anchored;
  anchored.expect_anchor(head);
  for (const Row& r : log.rows()) anchored.feed(r.event, r.body);
  anchored.end_of_log();
  ASSERT_FALSE(anchored.ok());
  EXPECT_EQ(anchored.first_break()->global_seq, 8);
  EXPECT_EQ(anchored.first_break()->str(),
            "global_seq 8: the log ends at global_seq 7, before the anchor " + head.str() +
                " (events were removed from its end, or the anchor is not from this log)");

  // With several anchors past the end, the first is named.
  log.rows().pop_back();
  ChainVerifier two;
  two.expect_anchor(head);
  two.expect_anchor({7, std::string(64, 'a')});
  for (const Row& r : log.rows()) two.feed(r.event, r.body);
  two.end_of_log();
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.first_break()->global_seq, 7);
}

TEST(ChainVerifier, AnchorsGivenTwiceCountOnceAndTwoHashesAtOnePositionCannotBothHold) {
  Log log = sample_log();
  const AuditAnchor third{3, log.rows()[2].event.global_hash};
  ChainVerifier twice;
  twice.expect_anchor(third);
  twice.expect_anchor(third);
  for (const Row& r : log.rows()) twice.feed(r.event, r.body);
  twice.end_of_log();
  EXPECT_TRUE(twice.ok());
  EXPECT_EQ(twice.anchors_matched(), 1);

  ChainVerifier clash;
  clash.expect_anchor(third);
  clash.expect_anchor({3, std::string(64, 'b')});
  for (const Row& r : log.rows()) clash.feed(r.event, r.body);
  expect_break(clash, 3, 1, "differs from the anchor 3:bbbb");
}

TEST(ChainVerifier, AnEmptyLogsHeadIsAnAnchorOnlyTheGenesisHashMatches) {
  ChainVerifier empty;
  empty.expect_anchor({0, genesis_hash()});
  empty.end_of_log();
  EXPECT_TRUE(empty.ok());
  EXPECT_EQ(empty.anchors_matched(), 1);
  EXPECT_EQ(AuditAnchor({empty.head_seq(), empty.head_hash()}).str(), "0:" + genesis_hash());

  ChainVerifier wrong;
  wrong.expect_anchor({0, std::string(64, 'c')});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.first_break()->str().rfind("the chain's start: the anchor 0:cccc", 0), 0u)
      << wrong.first_break()->str();

  // An anchor on an empty log is a log cut to nothing.
  ChainVerifier cut;
  cut.expect_anchor({1, std::string(64, 'd')});
  cut.end_of_log();
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.first_break()->reason.find("ends at global_seq 0"), std::string::npos);
}

TEST(AuditAnchor, ParsesSeqColonHashAndRefusesAnythingElse) {
  const std::string hash(64, 'a');
  EXPECT_EQ(parse_audit_anchor("12:" + hash), (AuditAnchor{12, hash}));
  EXPECT_EQ(parse_audit_anchor("12:" + std::string(64, 'A')), (AuditAnchor{12, hash}));
  EXPECT_EQ(parse_audit_anchor("0:" + hash), (AuditAnchor{0, hash}));  // an empty log's head
  EXPECT_EQ(AuditAnchor({12, hash}).str(), "12:" + hash);
  for (const std::string& bad : std::vector<std::string>{
           "", "12", ":" + hash, "-1:" + hash, "1x:" + hash, "12:" + hash.substr(1),
           "12:" + hash + "0", "12:" + std::string(63, 'a') + "g", "1234567890123456789:" + hash,
           "12 :" + hash})
    EXPECT_FALSE(parse_audit_anchor(bad).has_value()) << bad;
}

TEST(ChainVerifier, DetectsEditedBody) {
  Log log = sample_log();
  Row& row = log.rows()[3];  // case 3 seq 1
  Event edited = row.event;
  edited.input["text"] = "something else";
  row.body = event_body(edited);
  expect_break(verify(log.rows(), log.versions()), 4, 3, "hash does not match the body");
}

TEST(ChainVerifier, DetectsBodyThatDisagreesWithItsColumns) {
  Log log = sample_log();
  log.rows()[2].event.type = "withdraw";
  expect_break(verify(log.rows(), log.versions()), 3, 1, "body names type");

  Log other = sample_log();
  other.rows()[2].body = "{not json";
  expect_break(verify(other.rows(), other.versions()), 3, 1, "not a valid event");
}

TEST(ChainVerifier, DetectsEditedHash) {
  Log log = sample_log();
  log.rows()[4].event.hash = sha256_hex("forged");
  expect_break(verify(log.rows(), log.versions()), 5, 2, "hash does not match");
}

TEST(ChainVerifier, DetectsEditedGlobalHash) {
  Log log = sample_log();
  log.rows()[4].event.global_hash = sha256_hex("forged");
  expect_break(verify(log.rows(), log.versions()), 5, 2, "global_hash does not match");
}

TEST(ChainVerifier, DetectsInsertedEvent) {
  Log log = sample_log();
  // A well-formed event for case 1 (seq 2), sealed against the real links before position 2.
  std::vector<Row>& rows = log.rows();
  Event forged = make_event(1, 2, "note");
  forged.input["text"] = "backdated";
  seal_event(forged, rows[0].event.hash, 2, rows[0].event.global_hash);
  rows.insert(rows.begin() + 1, Row{forged, event_body(forged)});
  // The forgery fits where it was put; the real event after it no longer does.
  expect_break(verify(rows, log.versions()), 2, 2, "global_seq 2 follows 2");
}

TEST(ChainVerifier, DetectsRemovedMiddleEvent) {
  Log log = sample_log();
  log.rows().erase(log.rows().begin() + 2);  // case 1 seq 2
  // Case 3's first event is next: its own chain is fine, the global one is not.
  expect_break(verify(log.rows(), log.versions()), 4, 3, "global_seq 4 follows 2");
}

TEST(ChainVerifier, DetectsRemovedEventWithinOneCase) {
  Log log;
  for (int i = 0; i < 3; ++i) log.append(5);
  log.rows().erase(log.rows().begin() + 1);
  expect_break(verify(log.rows(), log.versions()), 3, 5, "case seq 3 follows 1");
}

TEST(ChainVerifier, DetectsRemovedLastEventOfACase) {
  Log log = sample_log();
  log.rows().pop_back();  // case 2 seq 3, the newest event: both chains still look whole
  ChainVerifier v = verify(log.rows(), log.versions());
  ASSERT_FALSE(v.ok());
  const ChainBreak& b = *v.first_break();
  EXPECT_EQ(b.case_id, 2);
  EXPECT_EQ(b.seq, 2);
  EXPECT_NE(b.reason.find("version 3"), std::string::npos) << b.str();
  EXPECT_NE(b.reason.find("events missing"), std::string::npos) << b.str();
  EXPECT_NE(b.str().find("case 2"), std::string::npos);
}

TEST(ChainVerifier, DetectsReorderedEvents) {
  Log log = sample_log();
  std::swap(log.rows()[3], log.rows()[4]);  // 3.1 and 2.2 swap places
  expect_break(verify(log.rows(), log.versions()), 5, 2, "global_seq 5 follows 3");

  Log same_case;
  for (int i = 0; i < 3; ++i) same_case.append(9);
  std::swap(same_case.rows()[1], same_case.rows()[2]);
  expect_break(verify(same_case.rows(), same_case.versions()), 3, 9, "case seq 3 follows 1");
}

TEST(ChainVerifier, DetectsDeletedCase) {
  Log log = sample_log();
  std::vector<Row>& rows = log.rows();
  std::erase_if(rows, [](const Row& r) { return r.event.case_id == 3; });
  log.versions().erase(3);  // the case row is gone too
  // 2.2 (global 5) follows 1.2 (global 3): the case's own chains say nothing, the global one does.
  expect_break(verify(rows, log.versions()), 5, 2, "global_seq 5 follows 3");
}

TEST(ChainVerifier, DetectsRelinkedGlobalSequence) {
  // Deleting a case and renumbering global_seq over the gap still breaks the global hash link.
  Log log = sample_log();
  std::vector<Row>& rows = log.rows();
  std::erase_if(rows, [](const Row& r) { return r.event.case_id == 3; });
  for (size_t i = 3; i < rows.size(); ++i) rows[i].event.global_seq = static_cast<int64_t>(i) + 1;
  log.versions().erase(3);
  expect_break(verify(rows, log.versions()), 4, 2, "global_prev_hash");
}

TEST(ChainVerifier, KeepsOnlyTheFirstBreak) {
  Log log = sample_log();
  log.rows()[1].event.hash = "x";
  log.rows()[6].event.hash = "y";
  ChainVerifier v = verify(log.rows(), log.versions());
  expect_break(v, 2, 2, "hash does not match");
  EXPECT_EQ(v.events_checked(), 2);
  EXPECT_NE(v.first_break()->str().find("global_seq 2 (case 2 seq 1)"), std::string::npos);
}

}  // namespace
}  // namespace disclose
