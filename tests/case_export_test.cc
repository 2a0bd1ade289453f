// Case history exports: JSON with a verifiable per-case chain, CSV, printable HTML, and the CLI.
#include "disclose/case_export.h"
#include "disclose/escape.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "disclose/case_json.h"
#include "disclose/cli.h"
#include "engine_fixture.h"
#include "sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace disclose {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using fixture::Harness;

const char* const kDescription = "2024年某地块征收补偿方案, 含\"引号\" <script>alert(1)</script>";

class CaseExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = (dir_ / "disclose.db").string();
    store_ = open_sqlite_store({db_});
    store_->add_agency({"zrzy", "区自然资源局", "自然资源"});
    // Another case first, so this case's global_seq does not start at 1.
    create(fixture::registration());
    json::object doc = fixture::registration();
    doc["request"].as_object()["description"] = kDescription;
    case_ = create(doc);
    for (const fixture::Step& s : fixture::gov_info_path("closed")) {
      const Engine& engine = Harness::shared().engine();
      auto d = engine.apply(case_, s.action, s.input, fixture::actor(s.role), fixture::moment());
      ASSERT_TRUE(d.ok()) << s.action << ": " << fixture::describe(d);
      store_->append_event(d.value().next, d.value().event, case_.version,
                           engine.deadlines(d.value().next, fixture::date(fixture::kToday)));
      case_ = d.value().next;
    }
    case_ = *store_->load_case(case_.id);
    events_ = store_->history(case_.id);
    ASSERT_EQ(events_.size(), 6u);
  }
  void TearDown() override { store_.reset(); }

  Case create(const json::object& doc) {
    const Engine& engine = Harness::shared().engine();
    auto d = engine.register_case(doc, fixture::actor("registrar"), fixture::moment());
    EXPECT_TRUE(d.ok()) << fixture::describe(d);
    return store_->create_case(d.value().next, d.value().event,
                               engine.deadlines(d.value().next, fixture::date(fixture::kToday)));
  }

  json::object exported() {
    return export_case_json(Harness::shared().engine(), case_, events_,
                            fixture::date(fixture::kToday));
  }

  // The tampered document fails and names `seq` in its message.
  void expect_broken(const json::object& doc, int seq, const std::string& what) {
    VerifyResult r = verify_case_export(doc);
    EXPECT_FALSE(r.ok) << what;
    EXPECT_NE(r.message.find("seq " + std::to_string(seq)), std::string::npos)
        << what << ": " << r.message;
  }

  int cli(std::vector<std::string> args, std::string* out = nullptr) {
    std::vector<std::string> full = {
        "--db", db_, "--workflows", DISCLOSE_SOURCE_WORKFLOWS, "--now", fixture::kToday};
    full.insert(full.end(), args.begin(), args.end());
    std::istringstream in;
    std::ostringstream o, e;
    int status = cli::run(full, in, o, e);
    if (out) *out = o.str() + e.str();
    return status;
  }

  fixture::TempDir dir_;
  std::string db_;
  std::unique_ptr<Store> store_;
  Case case_;
  std::vector<Event> events_;
};

json::array& events_of(json::object& doc) {
  return doc["events"].as_array();
}

TEST_F(CaseExportTest, JsonIsCompleteAndVerifies) {
  json::object doc = exported();
  EXPECT_EQ(doc.at("format").as_string(), "disclose.case-export");
  EXPECT_EQ(doc.at("version").as_int64(), 1);
  EXPECT_EQ(doc.at("case").at("number").as_string(), case_.number);
  const json::array& events = doc.at("events").as_array();
  ASSERT_EQ(events.size(), 6u);
  for (size_t i = 0; i < events.size(); ++i) {
    const json::object& e = events[i].as_object();
    EXPECT_EQ(e.at("seq").as_int64(), static_cast<int64_t>(i + 1));
    EXPECT_EQ(e.at("body").as_string(), event_body(events_[i]));
    EXPECT_EQ(e.at("hash").as_string(), events_[i].hash);
    EXPECT_EQ(e.at("global_hash").as_string(), events_[i].global_hash);
    for (const char* key : {"actor", "recorded_at", "input", "from_state", "to_state", "effects",
                            "prev_hash", "global_seq", "global_prev_hash"})
      EXPECT_TRUE(e.contains(key)) << key;
  }
  EXPECT_GT(events[0].at("global_seq").as_int64(), 1);
  const json::object& v = doc.at("verification").as_object();
  EXPECT_EQ(v.at("algorithm").as_string(), "sha256(prev_hash || body)");
  EXPECT_EQ(v.at("genesis").as_string(), genesis_hash());
  EXPECT_EQ(v.at("head_hash").as_string(), events_.back().hash);
  bool explained = false;
  for (const auto& d : doc.at("deadlines").as_array())
    explained = explained || d.as_object().contains("explanation");
  EXPECT_TRUE(explained);

  VerifyResult r = verify_case_export(doc);
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.events_checked, 6);
  EXPECT_EQ(r.message, "ok: 6 events");
  // Survives a serialise/parse round trip.
  EXPECT_TRUE(verify_case_export(json::parse(json::serialize(doc))).ok);
}

// Events read from the store carry their stored body, and the export splices it; events
// without one (built in memory) go through the tree. Both give the same document, masked or not.
TEST_F(CaseExportTest, StoredBodiesAndDerivedBodiesExportAlike) {
  const Engine& engine = Harness::shared().engine();
  std::vector<Event> derived = events_;
  for (Event& e : derived) e.body.clear();
  for (bool show_pii : {true, false}) {
    ExportOptions options;
    options.show_pii = show_pii;
    int64_t redacted_stored = -1, redacted_derived = -1;
    std::string stored_text = export_case_text(
        engine, case_, events_, fixture::date(fixture::kToday), options, &redacted_stored);
    std::string derived_text = export_case_text(
        engine, case_, derived, fixture::date(fixture::kToday), options, &redacted_derived);
    EXPECT_EQ(json::parse(stored_text), json::parse(derived_text)) << "show_pii " << show_pii;
    EXPECT_EQ(redacted_stored, redacted_derived);
    // Masking hides the applicant's ID number, which only the registering event's body holds.
    EXPECT_EQ(redacted_stored, show_pii ? 0 : 1);
    EXPECT_TRUE(verify_case_export(json::parse(stored_text)).ok);
  }
}

// A stored body not in canonical form (here: blanks around it) cannot be spliced; the export
// still writes valid JSON, hands over those exact bytes and verifies against their hash.
TEST_F(CaseExportTest, ABodyWithBlanksAroundItStillExportsAndVerifies) {
  const std::string canonical = events_.back().body;
  ASSERT_EQ(canonical.back(), '}');
  const std::string inner_blank = canonical.substr(0, canonical.size() - 1) + " }";
  for (const std::string& odd : {" " + canonical + "\n", inner_blank}) {
    std::vector<Event> events = events_;
    Event& last = events.back();
    last.body = odd;
    last.hash = chain_hash(last.prev_hash, last.body);
    std::string text =
        export_case_text(Harness::shared().engine(), case_, events, fixture::date(fixture::kToday));
    json::value doc = json::parse(text);
    EXPECT_EQ(doc.at("events").as_array().back().at("body").as_string(), last.body);
    VerifyResult r = verify_case_export(doc);
    EXPECT_TRUE(r.ok) << r.message;
  }
}

// Bodies no store would hold (empty objects) still give valid JSON; verification then names
// what is missing.
TEST_F(CaseExportTest, AnEmptyBodyStillGivesValidJson) {
  for (const char* empty : {"{}", "{ }", "{\n}"}) {
    std::vector<Event> events = events_;
    events.back().body = empty;
    std::string text =
        export_case_text(Harness::shared().engine(), case_, events, fixture::date(fixture::kToday));
    json::value doc;
    ASSERT_NO_THROW(doc = json::parse(text)) << empty;
    EXPECT_FALSE(verify_case_export(doc).ok) << empty;
  }
}

TEST_F(CaseExportTest, DetectsEveryKindOfTampering) {
  {
    json::object doc = exported();
    json::object& e = events_of(doc)[2].as_object();  // accept
    std::string body(e["body"].as_string());
    auto at = body.find("u:2");
    ASSERT_NE(at, std::string::npos);
    body.replace(at, 3, "u:9");
    e["body"] = body;
    expect_broken(doc, 3, "input edited in the body");
  }
  {
    json::object doc = exported();
    events_of(doc)[2].as_object()["input"].as_object()["assignee"] = "u:9";
    expect_broken(doc, 3, "visible input edited");
  }
  {
    json::object doc = exported();
    events_of(doc)[3].as_object()["actor"] = "u:1";
    expect_broken(doc, 4, "visible actor edited");
  }
  {
    json::object doc = exported();
    std::string hash(events_of(doc)[1].as_object()["hash"].as_string());
    hash[0] = hash[0] == 'a' ? 'b' : 'a';
    events_of(doc)[1].as_object()["hash"] = hash;
    expect_broken(doc, 2, "hash edited");
  }
  {
    json::object doc = exported();
    json::value copy = events_of(doc)[2];
    events_of(doc).insert(events_of(doc).begin() + 3, copy);
    expect_broken(doc, 3, "event copy inserted");
  }
  {
    json::object doc = exported();
    events_of(doc).erase(events_of(doc).begin() + 2);
    expect_broken(doc, 4, "middle event removed");  // seq 4 now follows seq 2
  }
  {
    json::object doc = exported();
    events_of(doc).pop_back();
    expect_broken(doc, 6, "last event removed");
  }
  {
    json::object doc = exported();
    std::swap(events_of(doc)[1], events_of(doc)[2]);
    expect_broken(doc, 3, "events swapped");
  }
  {
    json::object doc = exported();
    doc["verification"].as_object()["head_hash"] = genesis_hash();
    expect_broken(doc, 6, "head hash edited");
  }
  EXPECT_FALSE(verify_case_export(json::parse(R"({"format": "other"})")).ok);
  EXPECT_FALSE(verify_case_export(json::parse("[]")).ok);
}

TEST_F(CaseExportTest, CsvHasBomHeaderAndQuotedRows) {
  std::string csv =
      export_case_csv(Harness::shared().engine(), case_, events_, fixture::date(fixture::kToday));
  ASSERT_EQ(csv.rfind("\xEF\xBB\xBF", 0), 0u);
  std::vector<std::string> lines;
  std::istringstream in(csv.substr(3));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[0], "序号,日期,记录时间,事项,操作人,原状态,新状态,内容,哈希\r");
  // draft_reply: Chinese, commas and quotes in its input are one quoted field.
  const std::string& draft = lines[4];
  EXPECT_EQ(draft.rfind("4,", 0), 0u) << draft;
  EXPECT_NE(
      draft.find(R"(,"{""basis"":""条例第三十六条第（一）项"",""determination"":""granted"",)"),
      std::string::npos)
      << draft;
  EXPECT_NE(draft.find("," + events_[3].hash + "\r"), std::string::npos);
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("说\"明\""), "\"说\"\"明\"\"\"");
  EXPECT_EQ(csv_field("plain"), "plain");
}

TEST_F(CaseExportTest, HtmlIsAPrintableEscapedFileRecord) {
  std::string html =
      export_case_html(Harness::shared().engine(), case_, events_, fixture::date(fixture::kToday));
  EXPECT_NE(html.find(case_.number), std::string::npos);
  EXPECT_NE(html.find(mask_id_number("370302199001011234")), std::string::npos);
  EXPECT_EQ(html.find("370302199001011234"), std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  for (const char* label : {"案件编号", "申请人", "收到日期", "收到凭证", "申请内容", "期限",
                            "办理过程", "答复", "送达", "EMS1234567890", "size: A4"})
    EXPECT_NE(html.find(label), std::string::npos) << label;
  EXPECT_NE(html.find(events_.back().hash), std::string::npos);
  // Codes are printed with their Chinese names from the workflow file (and the code after).
  for (const char* term : {"登记（register）", "答复期限（reply）", "网络平台（online）"})
    EXPECT_NE(html.find(term), std::string::npos) << term;
}

TEST_F(CaseExportTest, CliRoundTrip) {
  std::string file = (dir_ / "case.json").string();
  std::string out;
  ASSERT_EQ(
      cli({"export", "case", std::to_string(case_.id), "--format", "json", "--out", file}, &out), 0)
      << out;
  ASSERT_EQ(cli({"audit", "verify-export", file}, &out), 0) << out;
  EXPECT_EQ(out, "ok: 6 events\n");

  ASSERT_EQ(cli({"export", "case", std::to_string(case_.id), "--format", "csv"}, &out), 0);
  EXPECT_EQ(out.rfind("\xEF\xBB\xBF", 0), 0u);
  ASSERT_EQ(cli({"export", "case", std::to_string(case_.id), "--format", "html"}, &out), 0);
  EXPECT_NE(out.find(case_.number), std::string::npos);
  EXPECT_EQ(cli({"export", "case", "999"}, &out), 1);

  std::string text;
  {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    text = s.str();
  }
  json::object doc = json::parse(text).as_object();
  events_of(doc).erase(events_of(doc).begin() + 1);
  std::ofstream((dir_ / "tampered.json").string()) << json::serialize(doc);
  EXPECT_EQ(cli({"audit", "verify-export", (dir_ / "tampered.json").string()}, &out), 1);
  EXPECT_NE(out.find("seq 3"), std::string::npos) << out;
}

}  // namespace
}  // namespace disclose
