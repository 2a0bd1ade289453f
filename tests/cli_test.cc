// The `disclose` command line end to end, in-process, on a temporary database.
#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "disclose/cli.h"
#include "temp_dir.h"

namespace disclose {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct CliRun {
  int status;
  std::string out;
  std::string err;
};

class Cli : public ::testing::Test {
 protected:
  void SetUp() override { db_ = (dir_ / "test.db").string(); }

  CliRun run(std::vector<std::string> args, const std::string& stdin_text = "",
             const std::string& now = "2026-06-30") {
    std::vector<std::string> full = {"--db",  db_, "--workflows", DISCLOSE_SOURCE_WORKFLOWS,
                                     "--now", now};
    full.insert(full.end(), args.begin(), args.end());
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    int status = cli::run(full, in, out, err);
    return {status, out.str(), err.str()};
  }

  // Runs a command that must succeed and returns its stdout.
  std::string ok(std::vector<std::string> args, const std::string& stdin_text = "",
                 const std::string& now = "2026-06-30") {
    CliRun r = run(std::move(args), stdin_text, now);
    EXPECT_EQ(r.status, 0) << r.err;
    return r.out;
  }

  std::string registration(const std::string& agency = "zrzy",
                           const std::string& received_on = "2025-09-26") {
    return R"({"workflow": "gov-info-disclosure", "agency": ")" + agency +
           R"(", "channel": "online", "received_on": ")" + received_on +
           R"(", "receipt_evidence": "平台确认回执",
             "applicant": {"kind": "natural_person", "name": "张三",
                           "id_number": "370302199001011234", "phone": "13800000000"},
             "request": {"description": "2024年某地块征收补偿方案"}, "tags": ["征地拆迁"]})";
  }

  std::string create_case(const std::string& agency = "zrzy",
                          const std::string& received_on = "2025-09-26",
                          const std::string& now = "2026-06-30") {
    std::string id =
        ok({"case", "create", "--json", "-", "--quiet"}, registration(agency, received_on), now);
    while (!id.empty() && id.back() == '\n') id.pop_back();
    return id;
  }

  json::object show(const std::string& id) {
    return json::parse(ok({"case", "show", id})).as_object();
  }

  fixture::TempDir dir_;
  std::string db_;
};

TEST_F(Cli, CalendarDueAndBatch) {
  EXPECT_EQ(ok({"calendar", "due", "--from", "2025-09-26", "--working-days", "20"}),
            "2025-10-30\n");
  CliRun batch = run({"calendar", "due", "--batch"},
                     "2025-12-31,40\n2026-02-10,7\nnot-a-date,3\n2026-02-10,x\n2025-09-26,7\n");
  EXPECT_EQ(batch.status, 2);
  EXPECT_EQ(batch.out,
            "2025-12-31,40,2026-03-04\n2026-02-10,7,2026-02-26\n2025-09-26,7,2025-10-13\n");
  EXPECT_NE(batch.err.find("line 3:"), std::string::npos) << batch.err;
  EXPECT_NE(batch.err.find("line 4:"), std::string::npos) << batch.err;
  CliRun bad = run({"calendar", "due", "--from", "2025-02-30", "--working-days", "1"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("--from"), std::string::npos);
  // `calendar due` needs no database.
  EXPECT_FALSE(fs::exists(db_));
}

TEST_F(Cli, WholeLifecycleWithDeadlinesHistoryAndAudit) {
  ok({"agency", "add", "zrzy", "--name", "区自然资源局", "--short", "自然资源"});
  std::string id = create_case();
  json::object c = show(id);
  EXPECT_EQ(c.at("state").as_string(), "registered");
  EXPECT_EQ(c.at("number").as_string(), "2025-自然资源-0001");
  bool found_reply = false;
  for (const auto& d : c.at("deadlines").as_array()) {
    if (d.at("kind").as_string() != "reply") continue;
    found_reply = true;
    EXPECT_EQ(d.at("due_on").as_string(), "2025-10-30");
    EXPECT_EQ(d.at("status").as_string(), "running");
  }
  EXPECT_TRUE(found_reply);

  auto act = [&](const std::string& action, const std::string& input) {
    return ok({"case", "act", id, action, "--json", "-", "--quiet"}, input);
  };
  act("submit_review", "{}");
  act("request_correction", R"({"on": "2025-09-30", "items": ["请明确地块位置"]})");
  act("correction_received", R"({"on": "2025-10-15"})");
  act("accept", "{}");
  act("consult", R"({"on": "2025-10-20", "party": "third_party", "party_name": "某公司",
                     "party_received_on": "2025-10-21"})");
  act("consultation_done", R"({"on": "2025-10-27", "opinion": "object"})");
  act("extend", R"({"on": "2025-11-10", "working_days": 10, "reason": "涉及第三方"})");

  std::string clock = ok({"case", "clock", id});
  EXPECT_NE(clock.find("reply: due 2025-12-03"), std::string::npos) << clock;
  EXPECT_NE(clock.find("counted from 2025-10-15"), std::string::npos) << clock;
  EXPECT_NE(clock.find("10 wd extension"), std::string::npos) << clock;
  EXPECT_NE(clock.find("5 wd paused"), std::string::npos) << clock;

  act("draft_reply",
      R"({"determination": "partial", "basis": "条例第三十七条", "reasons": "区分处理"})");
  act("approve_reply", "{}");
  EXPECT_EQ(act("record_delivery", R"({"method": "post", "on": "2025-11-20"})"), "closed v11\n");
  EXPECT_EQ(act("archive", "{}"), "archived v12\n");

  json::object done = show(id);
  EXPECT_EQ(done.at("state").as_string(), "archived");
  EXPECT_EQ(done.at("closed_on").as_string(), "2025-11-20");

  json::array history = json::parse(ok({"case", "history", id})).as_array();
  ASSERT_EQ(history.size(), 12u);
  EXPECT_EQ(history[0].at("type").as_string(), "register");
  EXPECT_EQ(history[11].at("type").as_string(), "archive");
  EXPECT_EQ(history[1].at("prev_hash").as_string(), history[0].at("hash").as_string());

  std::string verify = ok({"audit", "verify"});
  EXPECT_EQ(verify.rfind("ok: 12 event(s) in 1 case(s)", 0), 0u) << verify;
}

TEST_F(Cli, RefusalsAndBadInputNameTheProblem) {
  ok({"agency", "add", "zrzy", "--name", "区自然资源局"});
  CliRun bad_json = run({"case", "create", "--json", "-"}, "{\"workflow\": ");
  EXPECT_EQ(bad_json.status, 2);
  EXPECT_NE(bad_json.err.find("-:1:"), std::string::npos) << bad_json.err;

  CliRun missing = run({"case", "create", "--json", "-"},
                       R"({"workflow": "gov-info-disclosure", "agency": "zrzy", "channel": "online",
                        "received_on": "2025-09-26", "request": {"description": "x"}})");
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("applicant"), std::string::npos) << missing.err;

  CliRun future = run({"case", "create", "--json", "-"}, registration("zrzy", "2026-07-01"));
  EXPECT_EQ(future.status, 2);
  EXPECT_NE(future.err.find("date_in_future"), std::string::npos) << future.err;

  CliRun unknown_agency = run({"case", "create", "--json", "-"}, registration("nope"));
  EXPECT_EQ(unknown_agency.status, 2);
  EXPECT_NE(unknown_agency.err.find("agency"), std::string::npos);

  std::string id = create_case();
  CliRun wrong_state = run({"case", "act", id, "archive"});
  EXPECT_EQ(wrong_state.status, 1);
  EXPECT_NE(wrong_state.err.find("not_allowed_in_state"), std::string::npos) << wrong_state.err;

  CliRun typo =
      run({"case", "act", id, "submit_review", "--json", "-"}, R"({"onn": "2025-09-27"})");
  EXPECT_EQ(typo.status, 2);
  EXPECT_NE(typo.err.find("onn"), std::string::npos);

  CliRun no_case = run({"case", "show", "999"});
  EXPECT_EQ(no_case.status, 1);
  CliRun not_an_id = run({"case", "show", "abc"});
  EXPECT_EQ(not_an_id.status, 2);
  CliRun no_command = run({"frobnicate"});
  EXPECT_EQ(no_command.status, 2);
  // Nothing refused was written.
  EXPECT_EQ(json::parse(ok({"case", "history", id})).as_array().size(), 1u);
}

TEST_F(Cli, ActingAsAUserAppliesRoleAndAgency) {
  ok({"agency", "add", "zrzy", "--name", "区自然资源局"});
  ok({"agency", "add", "bgs", "--name", "区政府办公室"});
  std::string registrar =
      ok({"user", "add", "--name", "李四", "--role", "registrar", "--agency", "zrzy"});
  EXPECT_EQ(registrar.rfind("user 1 ", 0), 0u) << registrar;
  EXPECT_NE(registrar.find("token dsk_"), std::string::npos);
  ok({"user", "add", "--name", "王五", "--role", "handler", "--agency", "zrzy"});
  std::string own = create_case("zrzy");
  std::string other = create_case("bgs");

  EXPECT_EQ(ok({"--as", "1", "case", "act", own, "submit_review", "--quiet"}), "review v2\n");
  CliRun hidden = run({"--as", "1", "case", "show", other});
  EXPECT_EQ(hidden.status, 1);
  EXPECT_NE(hidden.err.find("no case"), std::string::npos);
  CliRun handler = run({"--as", "2", "case", "act", own, "request_correction", "--json", "-"},
                       R"({"on": "2025-09-30", "items": ["x"]})");
  EXPECT_EQ(handler.status, 1);
  EXPECT_NE(handler.err.find("role_not_permitted"), std::string::npos) << handler.err;
  CliRun bad_role = run({"user", "add", "--name", "x", "--role", "king", "--agency", "zrzy"});
  EXPECT_EQ(bad_role.status, 2);
  // The operator's listing shows both; the registrar's only its own agency.
  std::string listing = ok({"--as", "1", "case", "list"});
  EXPECT_NE(listing.find("2025-zrzy-0001"), std::string::npos) << listing;
  EXPECT_EQ(listing.find("2025-bgs-0001"), std::string::npos) << listing;
}

TEST_F(Cli, OverdueListUsesToday) {
  ok({"agency", "add", "zrzy", "--name", "区自然资源局"});
  std::string id = create_case("zrzy", "2025-09-26");
  // Reply due 2025-10-30; the notice deadline (10-13) passes first.
  EXPECT_EQ(ok({"case", "list", "--overdue"}, "", "2025-10-13").find("2025-zrzy-0001"),
            std::string::npos);
  EXPECT_NE(ok({"case", "list", "--overdue"}, "", "2025-10-14").find("2025-zrzy-0001"),
            std::string::npos);
}

TEST_F(Cli, CalendarImportRecomputesOpenDeadlines) {
  ok({"agency", "add", "zrzy", "--name", "区自然资源局"});
  std::string id = create_case("zrzy", "2026-12-15", "2026-12-16");
  json::object before = show(id);
  std::string reply_before;
  for (const auto& d : before.at("deadlines").as_array())
    if (d.at("kind").as_string() == "reply") {
      EXPECT_TRUE(d.at("provisional").as_bool());
      reply_before = std::string(d.at("due_on").as_string());
    }
  // A made-up 2027 notice for the test: New Year off 01-01 and 01-04 … 01-05.
  std::string file = (dir_ / "2027.json").string();
  std::ofstream(file) << R"({"year": 2027, "papers": ["test notice"], "days": [
      {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
      {"name": "元旦", "date": "2027-01-04", "isOffDay": true},
      {"name": "元旦", "date": "2027-01-05", "isOffDay": true}]})";
  std::string report = ok({"calendar", "import", file}, "", "2026-12-20");
  EXPECT_NE(report.find("1 with changed deadlines"), std::string::npos) << report;
  json::object after = show(id);
  for (const auto& d : after.at("deadlines").as_array())
    if (d.at("kind").as_string() == "reply") {
      EXPECT_FALSE(d.at("provisional").as_bool());
      EXPECT_NE(std::string(d.at("due_on").as_string()), reply_before);
    }
  json::array history = json::parse(ok({"case", "history", id})).as_array();
  EXPECT_EQ(history.back().at("type").as_string(), "deadline.recomputed");
  EXPECT_EQ(ok({"audit", "verify"}).rfind("ok:", 0), 0u);

  CliRun broken = run({"calendar", "import", (dir_ / "missing.json").string()});
  EXPECT_NE(broken.status, 0);
}

TEST_F(Cli, AuditVerifyNamesATamperedEvent) {
  ok({"agency", "add", "zrzy", "--name", "区自然资源局"});
  std::string id = create_case();
  ok({"case", "act", id, "submit_review"});
  {
    SQLite::Database db(db_, SQLite::OPEN_READWRITE);
    // UPDATE is refused while the triggers stand …
    EXPECT_THROW(db.exec("UPDATE events SET body = replace(body, '张三', '李四')"),
                 SQLite::Exception);
    // … so a tamperer drops them first.
    SQLite::Statement triggers(db, "SELECT name FROM sqlite_master WHERE type = 'trigger'");
    std::vector<std::string> names;
    while (triggers.executeStep()) names.push_back(triggers.getColumn(0).getString());
    ASSERT_FALSE(names.empty());
    for (const auto& n : names) db.exec("DROP TRIGGER \"" + n + "\"");
    db.exec("UPDATE events SET body = replace(body, '张三', '李四') WHERE seq = 1");
  }
  CliRun verify = run({"audit", "verify"});
  EXPECT_EQ(verify.status, 1);
  EXPECT_NE(verify.out.find("BROKEN"), std::string::npos) << verify.out;
}

TEST_F(Cli, AuditVerifyPrintsItsHeadAsAnAnchorAndChecksAnchorsGiven) {
  ok({"agency", "add", "zrzy", "--name", "区自然资源局"});
  std::string id = create_case();
  ok({"case", "act", id, "submit_review"});
  std::string out = ok({"audit", "verify"});
  auto at = out.find("; head ");
  ASSERT_NE(at, std::string::npos) << out;
  std::string head = out.substr(at + 7, out.find('\n', at) - at - 7);
  ASSERT_EQ(head.rfind("2:", 0), 0u) << out;  // two events: register, submit_review

  ok({"case", "act", id, "accept"});  // the log grows; the recorded head still holds
  std::string later = ok({"audit", "verify", "--anchor", head});
  EXPECT_NE(later.find("; head 3:"), std::string::npos) << later;
  EXPECT_NE(later.find("; 1 anchor(s) hold"), std::string::npos) << later;

  CliRun wrong = run({"audit", "verify", "--anchor", "2:" + std::string(64, '0')});
  EXPECT_EQ(wrong.status, 1);
  EXPECT_NE(wrong.out.find("differs from the anchor"), std::string::npos) << wrong.out;
  CliRun malformed = run({"audit", "verify", "--anchor", "two:abc"});
  EXPECT_EQ(malformed.status, 2);
  EXPECT_NE(malformed.err.find("--anchor: expected SEQ:HASH"), std::string::npos) << malformed.err;
}

TEST_F(Cli, WorkflowCheckReportsFileAndLine) {
  std::string file = (dir_ / "broken.yaml").string();
  std::ofstream(file) << "workflow: broken\nstates:\n  a: {label: A}\nactions:\n  go:\n    "
                         "creates: true\n    to: nowhere\n    roles: [registrar]\n";
  CliRun r = run({"workflow", "check", file});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find(file + ":"), std::string::npos) << r.err;
  std::string good = std::string(DISCLOSE_SOURCE_WORKFLOWS) + "/gov-info-disclosure.yaml";
  EXPECT_EQ(ok({"workflow", "check", good}).rfind(good + ": ok", 0), 0u);
  std::string dot = ok({"workflow", "dot", "gov-info-disclosure"});
  EXPECT_NE(dot.find("digraph"), std::string::npos);
  EXPECT_NE(dot.find("awaiting_correction"), std::string::npos);
}

// The real binary, as a user runs it: stdin, stdout and the exit status.
TEST(CliBinary, BatchThroughAPipe) {
  std::string command = std::string("printf '2025-09-26,7\\n2025-09-26,20\\n' | ") +
                        DISCLOSE_BINARY + " --workflows " + DISCLOSE_SOURCE_WORKFLOWS +
                        " calendar due --batch";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buf[256];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  EXPECT_EQ(pclose(pipe), 0);
  EXPECT_EQ(out, "2025-09-26,7,2025-10-13\n2025-09-26,20,2025-10-30\n");
}

}  // namespace
}  // namespace disclose
