// Bulk exports: 1,000 generated cases streamed to JSON Lines through the same code the CLI and
// the API use, verified line by line; every kind of tampering named; filters, CSV and masking.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>
#include <boost/json.hpp>

#include "disclose/bulk_export.h"
#include "report/report_service.h"
#include "report_fixture.h"

namespace disclose {
namespace {

namespace json = boost::json;
using fixture::CaseSpec;
using fixture::Step;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

VerifyResult verify_lines(const std::vector<std::string>& lines) {
  BulkExportVerifier verifier;
  for (const std::string& line : lines) verifier.add_line(line);
  return verifier.finish();
}

// Exports with `info` and returns the whole text; `pieces` counts the chunks.
std::string export_all(const Store& store, const Engine& engine, const BulkExportInfo& info,
                       int page_size = 100, int* pieces = nullptr) {
  BulkExportStream stream(store, engine, info, fixture::date("2025-06-30"), page_size);
  std::string out, chunk;
  int n = 0;
  while (stream.next(chunk)) {
    out += chunk;
    ++n;
  }
  if (pieces) *pieces = n;
  return out;
}

BulkExportInfo jsonl_info() {
  BulkExportInfo info;
  info.format = "jsonl";
  info.generated_at = fixture::moment("2025-06-30").at;
  return info;
}

// 1,000 cases over two agencies in six states (registered … archived); built once.
class ThousandCases : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new fixture::StoreFixture();
    const std::vector<std::string> states = {"registered", "review", "handling",
                                             "consulting", "closed", "archived"};
    for (int i = 0; i < 1000; ++i) {
      CaseSpec spec;
      spec.agency = i % 2 ? "fgw" : "zrzy";
      spec.steps = fixture::gov_info_path(states[i % states.size()]);
      db_->add(spec);
    }
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }
  static fixture::StoreFixture* db_;
};
fixture::StoreFixture* ThousandCases::db_ = nullptr;

TEST_F(ThousandCases, JsonLinesRoundTripVerifies) {
  auto started = std::chrono::steady_clock::now();
  int pieces = 0;
  std::string text = export_all(db_->store(), db_->engine(), jsonl_info(), 100, &pieces);
  auto exported = std::chrono::steady_clock::now();
  std::vector<std::string> lines = lines_of(text);
  ASSERT_EQ(lines.size(), 1002u);  // header, 1,000 cases, manifest
  // One piece for the header, one per page of 100, one (empty page) before the manifest.
  EXPECT_EQ(pieces, 1 + 10 + 1);
  VerifyResult r = verify_lines(lines);
  auto verified = std::chrono::steady_clock::now();
  EXPECT_TRUE(r.ok) << r.message;
  auto ms = [](auto a, auto b) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count();
  };
  std::cout << "[ measure ] export 1,000 cases: " << ms(started, exported)
            << " ms, verify: " << ms(exported, verified) << " ms, " << text.size() << " bytes\n";

  json::object manifest = json::parse(lines.back()).at("manifest").as_object();
  EXPECT_EQ(manifest.at("cases").as_int64(), 1000);
  EXPECT_EQ(manifest.at("events").as_int64(), r.events_checked);
  ChainHead head = db_->store().global_head();
  EXPECT_EQ(manifest.at("global_head").at("global_seq").as_int64(), head.global_seq);
  EXPECT_EQ(manifest.at("global_head").at("global_hash").as_string(), head.global_hash);
  EXPECT_EQ(manifest.at("events").as_int64(), head.global_seq);  // every event of the database
  EXPECT_EQ(manifest.at("generated_at").as_string(), "2025-06-30T02:00:00Z");
  EXPECT_EQ(manifest.at("format").as_string(), "disclose.cases-export");
  EXPECT_EQ(manifest.at("version").as_int64(), 1);
  EXPECT_TRUE(manifest.at("filters").at("agency").is_null());
  // Each case line is a single-case export that verifies on its own.
  EXPECT_TRUE(verify_case_export(json::parse(lines[500])).ok);
}

TEST_F(ThousandCases, TamperingInTheMiddleIsNamed) {
  std::vector<std::string> lines = lines_of(export_all(db_->store(), db_->engine(), jsonl_info()));
  ASSERT_EQ(lines.size(), 1002u);
  const size_t middle = 501;  // case 501
  json::object doc = json::parse(lines[middle]).as_object();
  const int64_t id = doc.at("case").at("id").as_int64();
  ASSERT_GE(doc.at("events").as_array().size(), 2u);

  {  // an edited event: its visible type no longer matches its hashed body
    json::object edited = doc;
    edited["events"].as_array()[1].as_object()["actor"] = "u:999";
    auto bad = lines;
    bad[middle] = json::serialize(edited);
    VerifyResult r = verify_lines(bad);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.message.find("line 502: case " + std::to_string(id) + ": event seq 2"),
              std::string::npos)
        << r.message;
    EXPECT_NE(r.message.find("actor"), std::string::npos) << r.message;
  }
  {  // an edited body (its hash no longer matches)
    json::object edited = doc;
    json::object& e = edited["events"].as_array()[1].as_object();
    std::string body(e["body"].as_string());
    body.replace(body.find("\"actor\":\""), 9, "\"actor\":\"X");
    e["body"] = body;
    auto bad = lines;
    bad[middle] = json::serialize(edited);
    VerifyResult r = verify_lines(bad);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.message.find("event seq 2"), std::string::npos) << r.message;
  }
  {  // an event removed
    json::object edited = doc;
    auto& events = edited["events"].as_array();
    events.erase(events.begin() + 1);
    auto bad = lines;
    bad[middle] = json::serialize(edited);
    VerifyResult r = verify_lines(bad);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.message.find("case " + std::to_string(id)), std::string::npos) << r.message;
  }
  {  // a whole case removed: the manifest's counts no longer match
    auto bad = lines;
    bad.erase(bad.begin() + middle);
    VerifyResult r = verify_lines(bad);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.message.find("manifest: cases is 1000 but 999"), std::string::npos) << r.message;
  }
  {  // a case duplicated, or two swapped
    auto bad = lines;
    bad.insert(bad.begin() + middle, lines[middle]);
    EXPECT_NE(
        verify_lines(bad).message.find("line 503: case " + std::to_string(id) + " after case"),
        std::string::npos);
    bad = lines;
    std::swap(bad[middle], bad[middle + 1]);
    EXPECT_NE(verify_lines(bad).message.find("cases must ascend"), std::string::npos);
  }
  {  // the global link of an event edited
    json::object edited = doc;
    edited["events"].as_array()[0].as_object()["global_hash"] = std::string(64, 'a');
    auto bad = lines;
    bad[middle] = json::serialize(edited);
    VerifyResult r = verify_lines(bad);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.message.find("global_hash"), std::string::npos) << r.message;
  }
  {  // cut short: no manifest
    auto bad = lines;
    bad.pop_back();
    VerifyResult r = verify_lines(bad);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.message.find("no manifest"), std::string::npos) << r.message;
  }
  {  // manifest filters changed after the fact
    json::object manifest = json::parse(lines.back()).as_object();
    manifest["manifest"].as_object()["filters"].as_object()["agency"] = "zrzy";
    auto bad = lines;
    bad.back() = json::serialize(manifest);
    EXPECT_NE(verify_lines(bad).message.find("'filters' differs"), std::string::npos);
  }
  {  // a global head older than some exported event
    json::object manifest = json::parse(lines.back()).as_object();
    manifest["manifest"].as_object()["global_head"].as_object()["global_seq"] = 10;
    auto bad = lines;
    bad.back() = json::serialize(manifest);
    EXPECT_NE(verify_lines(bad).message.find("is after the manifest's global head 10"),
              std::string::npos);
  }
}

// The bulk export reads events without decoding them (EventDecoding::sealed_only); each case
// line must still be exactly the single-case export of the fully read history.
TEST_F(ThousandCases, EachLineIsTheSingleCaseExportOfTheStoredHistory) {
  for (bool show_pii : {true, false}) {
    BulkExportInfo info = jsonl_info();
    info.show_pii = show_pii;
    ExportOptions options;
    options.show_pii = show_pii;
    std::vector<std::string> lines = lines_of(export_all(db_->store(), db_->engine(), info));
    ASSERT_EQ(lines.size(), 1002u);
    for (size_t i = 1; i + 1 < lines.size(); ++i) {
      CaseId id = json::parse(lines[i]).at("case").at("id").as_int64();
      std::optional<Case> stored = db_->store().load_case(id);
      ASSERT_TRUE(stored.has_value());
      std::string expected = export_case_text(db_->engine(), *stored, db_->store().history(id),
                                              fixture::date("2025-06-30"), options);
      ASSERT_EQ(lines[i], expected) << "case " << id << (show_pii ? "" : " (masked)");
    }
  }
}

// The CSV's columns come from the decoded events: its rows are the single-case CSV rows of the
// fully read history, case after case.
TEST_F(ThousandCases, CsvRowsAreTheSingleCaseRowsOfTheStoredHistory) {
  BulkExportInfo info = jsonl_info();
  info.format = "csv";
  info.filter.agency = "fgw";
  std::string expected = bulk_csv_header();
  for (const Case& c : db_->store().list_cases(bulk_case_filter(info.filter, 0, 0, 1000)))
    expected += case_csv_rows(db_->store().history(c.id), ExportOptions{},
                              {std::to_string(c.id), c.number});
  std::string text = export_all(db_->store(), db_->engine(), info);
  ASSERT_EQ(text.rfind(expected, 0), 0u);  // everything but the trailing manifest row
  EXPECT_EQ(text.substr(expected.size()).rfind("#manifest,", 0), 0u);
  EXPECT_NE(expected.find("submit_review"), std::string::npos);
}

// A stored body that is not canonical (a blank before its closing brace) cannot be spliced: the
// export decodes it, as the single-case export of the fully read history does.
TEST(BulkExportHandEdited, ANonCanonicalBodyIsDecodedAndExportedLikeTheSingleCaseExport) {
  fixture::StoreFixture db;
  CaseSpec spec;
  spec.steps = fixture::gov_info_path("handling");
  Case edited = db.add(spec);
  Case untouched = db.add(spec);
  {
    SQLite::Database sql(db.db_path(), SQLite::OPEN_READWRITE);
    SQLite::Statement triggers(sql, "SELECT name FROM sqlite_master WHERE type = 'trigger'");
    std::vector<std::string> names;
    while (triggers.executeStep()) names.push_back(triggers.getColumn(0).getString());
    for (const std::string& name : names) sql.exec("DROP TRIGGER \"" + name + "\"");
    SQLite::Statement edit(sql,
                           "UPDATE events SET body = substr(body, 1, length(body) - 1) || ' }'"
                           " WHERE case_id = ? AND seq = 2");
    edit.bind(1, edited.id);
    ASSERT_EQ(edit.exec(), 1);
  }
  std::vector<std::string> lines = lines_of(export_all(db.store(), db.engine(), jsonl_info()));
  ASSERT_EQ(lines.size(), 4u);
  for (const Case& c : {edited, untouched}) {
    std::string expected = export_case_text(db.engine(), c, db.store().history(c.id),
                                            fixture::date("2025-06-30"), ExportOptions{});
    EXPECT_EQ(lines[c.id == edited.id ? 1 : 2], expected) << "case " << c.id;
  }
  json::object second = json::parse(lines[1]).at("events").at(1).as_object();
  EXPECT_EQ(second.at("type").as_string(), "submit_review");
  const std::string body(second.at("body").as_string());
  EXPECT_TRUE(body.ends_with(" }")) << body;
}

TEST_F(ThousandCases, MaskedExportRedactsTheRegisteringEventAndStillVerifies) {
  BulkExportInfo info = jsonl_info();
  info.show_pii = false;
  info.filter.agency = "zrzy";
  std::string text = export_all(db_->store(), db_->engine(), info);
  EXPECT_EQ(text.find("370302199001011234"), std::string::npos);
  EXPECT_EQ(text.find("13800000000"), std::string::npos);
  std::vector<std::string> lines = lines_of(text);
  ASSERT_EQ(lines.size(), 502u);
  VerifyResult r = verify_lines(lines);
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.redacted, 500);  // one registering event per case
  json::object first = json::parse(lines[1]).as_object();
  EXPECT_EQ(first.at("pii").as_string(), "masked");
  EXPECT_TRUE(first.at("events").at(0).at("redacted").as_bool());
  EXPECT_EQ(first.at("case").at("registration").at("applicant").at("id_number").as_string(),
            "370302********1234");
}

TEST_F(ThousandCases, CsvHasOneRowPerEventAndATrailingManifest) {
  BulkExportInfo info = jsonl_info();
  info.format = "csv";
  info.filter.agency = "fgw";
  std::string text = export_all(db_->store(), db_->engine(), info);
  ASSERT_EQ(text.rfind("\xEF\xBB\xBF案件ID,案件编号,序号", 0), 0u);
  std::vector<std::string> lines = lines_of(text);
  const std::string& last = lines.back();
  ASSERT_EQ(last.rfind("#manifest,\"", 0), 0u) << last;
  // The manifest is the second field, CSV-quoted.
  std::string quoted = last.substr(std::string("#manifest,").size());
  quoted = quoted.substr(1, quoted.rfind('"') - 1);
  std::string manifest_text;
  for (size_t i = 0; i < quoted.size(); ++i) {
    manifest_text += quoted[i];
    if (quoted[i] == '"') ++i;
  }
  json::object manifest = json::parse(manifest_text).as_object();
  EXPECT_EQ(manifest.at("cases").as_int64(), 500);
  EXPECT_EQ(manifest.at("encoding").as_string(), "csv");
  EXPECT_EQ(static_cast<int64_t>(lines.size()), 1 + manifest.at("events").as_int64() + 1);
}

// Received and closed ranges select exactly the cases whose business dates fall inside.
TEST(BulkExportFilters, ReceivedAndClosedRanges) {
  fixture::StoreFixture db;
  CaseSpec a;  // received 03-03, closed 03-20
  a.steps = fixture::replied_path("2025-03-20");
  CaseSpec b;  // received 04-01, closed 05-06
  b.received_on = "2025-04-01";
  b.steps = fixture::replied_path("2025-05-06");
  CaseSpec c;  // received 04-15, open
  c.received_on = "2025-04-15";
  CaseSpec d = b;  // another agency
  d.agency = "fgw";
  int64_t ia = db.add(a).id, ib = db.add(b).id, ic = db.add(c).id, id = db.add(d).id;

  auto ids = [&](BulkExportFilter f) {
    BulkExportInfo info = jsonl_info();
    info.filter = f;
    std::vector<std::string> lines = lines_of(export_all(db.store(), db.engine(), info, 1));
    EXPECT_TRUE(verify_lines(lines).ok);
    std::set<int64_t> out;
    for (size_t i = 1; i + 1 < lines.size(); ++i)
      out.insert(json::parse(lines[i]).at("case").at("id").as_int64());
    return out;
  };
  using S = std::set<int64_t>;
  EXPECT_EQ(ids({}), (S{ia, ib, ic, id}));
  EXPECT_EQ(ids({"zrzy", {}, {}, {}, {}}), (S{ia, ib, ic}));
  EXPECT_EQ(ids({"", fixture::date("2025-04-01"), {}, {}, {}}), (S{ib, ic, id}));
  EXPECT_EQ(ids({"", {}, fixture::date("2025-04-01"), {}, {}}), (S{ia, ib, id}));
  EXPECT_EQ(ids({"", {}, {}, fixture::date("2025-03-20"), {}}), (S{ia, ib, id}));
  EXPECT_EQ(ids({"", {}, {}, {}, fixture::date("2025-03-20")}), (S{ia}));
  EXPECT_EQ(ids({"zrzy", {}, {}, fixture::date("2025-04-01"), fixture::date("2025-05-31")}),
            (S{ib}));
  EXPECT_EQ(ids({"", fixture::date("2026-01-01"), {}, {}, {}}), S{});
}

// Ids follow registration, not receipt: a case registered late (received earlier) sits beyond
// its neighbours in id order. A received range walks only the span of its ids, taken when the
// header is written: a case changed later appears as it then stands, one registered later not.
TEST(BulkExportFilters, AReceivedRangeWalksTheIdSpanTakenWithTheHeader) {
  fixture::StoreFixture db;
  auto received = [](const char* on) {
    CaseSpec spec;
    spec.received_on = on;
    return spec;
  };
  Case april_1 = db.add(received("2025-04-01"));
  Case march_1 = db.add(received("2025-03-01"));
  Case april_2 = db.add(received("2025-04-02"));
  Case march_2 = db.add(received("2025-03-02"));  // registered last, received early

  std::optional<CaseIdSpan> span =
      db.store().received_id_span(fixture::date("2025-03-01"), fixture::date("2025-03-02"));
  ASSERT_TRUE(span.has_value());
  EXPECT_EQ(span->first, march_1.id);
  EXPECT_EQ(span->last, march_2.id);
  EXPECT_FALSE(db.store().received_id_span(fixture::date("2025-05-01"), std::nullopt));

  BulkExportInfo info = jsonl_info();
  info.filter.received_from = fixture::date("2025-04-01");
  info.filter.received_to = fixture::date("2025-04-02");
  BulkExportStream stream(db.store(), db.engine(), info, fixture::date("2025-06-30"), 1);
  std::string text, chunk;
  ASSERT_TRUE(stream.next(chunk));  // the header: the span is fixed now
  text += chunk;
  CaseSpec later = received("2025-04-01");
  Case registered_later = db.add(later);
  Case changed = april_2;
  {
    const Engine& engine = db.engine();
    Moment now = fixture::moment("2025-06-30");
    auto next =
        engine.apply(changed, "submit_review", {}, fixture::actor("registrar", "zrzy"), now);
    ASSERT_TRUE(next.ok());
    db.store().append_event(next.value().next, next.value().event, changed.version,
                            engine.deadlines(next.value().next, now.today));
    changed = next.value().next;
  }
  while (stream.next(chunk)) text += chunk;

  std::vector<std::string> lines = lines_of(text);
  ASSERT_EQ(lines.size(), 4u) << text;
  EXPECT_TRUE(verify_lines(lines).ok) << verify_lines(lines).message;
  EXPECT_EQ(json::parse(lines[1]).at("case").at("id").as_int64(), april_1.id);
  json::value second = json::parse(lines[2]);
  EXPECT_EQ(second.at("case").at("id").as_int64(), april_2.id);
  EXPECT_EQ(second.at("case").at("state").as_string(), changed.state);
  EXPECT_EQ(second.at("events").as_array().size(), static_cast<size_t>(changed.version));
  EXPECT_NE(registered_later.id, april_2.id);

  // Backdated: the March range reaches past the April cases to the one registered last.
  BulkExportInfo march = jsonl_info();
  march.filter.received_from = fixture::date("2025-03-01");
  march.filter.received_to = fixture::date("2025-03-02");
  std::vector<std::string> march_lines = lines_of(export_all(db.store(), db.engine(), march, 1));
  ASSERT_EQ(march_lines.size(), 4u);
  EXPECT_EQ(json::parse(march_lines[1]).at("case").at("id").as_int64(), march_1.id);
  EXPECT_EQ(json::parse(march_lines[2]).at("case").at("id").as_int64(), march_2.id);
}

TEST(BulkExportVerifierTest, RefusesWhatIsNotABulkExport) {
  EXPECT_NE(verify_lines({}).message.find("no header"), std::string::npos);
  EXPECT_NE(verify_lines({"{\"manifest\": {}}"}).message.find("line 1: the first line"),
            std::string::npos);
  EXPECT_NE(verify_lines({"not json"}).message.find("line 1: not JSON"), std::string::npos);
  fixture::StoreFixture db;
  std::vector<std::string> lines = lines_of(export_all(db.store(), db.engine(), jsonl_info()));
  ASSERT_EQ(lines.size(), 2u);  // an empty database: header and manifest
  EXPECT_TRUE(verify_lines(lines).ok) << verify_lines(lines).message;
  lines.push_back("{}");
  EXPECT_NE(verify_lines(lines).message.find("line 3: content after the manifest"),
            std::string::npos);
}

}  // namespace
}  // namespace disclose
