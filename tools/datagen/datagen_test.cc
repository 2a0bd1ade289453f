// The data generator: its pure parts (draws, receipt dates, plans) against the workflow files,
// then a small generated database checked end to end — states, audit chain, annual report,
// overdue cases, determinism, appending, bad command lines.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <boost/json.hpp>

#include "datagen/case_planner.h"
#include "datagen/generator.h"
#include "datagen/gov_info_lifecycle.h"
#include "datagen/intake.h"
#include "datagen/options.h"
#include "datagen/path_builder.h"
#include "datagen/plan_driver.h"
#include "datagen/random.h"
#include "datagen/registration.h"
#include "disclose/cli_context.h"
#include "report/report_service.h"

namespace datagen {
namespace {

namespace json = boost::json;
using disclose::Date;

const std::string kWorkflowsDir = DISCLOSE_SOURCE_WORKFLOWS;
const Date kToday = Date::from_ymd(2026, 6, 30);

const disclose::WorkflowRegistry& workflows() {
  static const disclose::WorkflowRegistry registry =
      disclose::WorkflowRegistry::load_dir(kWorkflowsDir);
  return registry;
}

const disclose::WorkingCalendar& calendar() {
  static const disclose::WorkingCalendar loaded(
      disclose::load_calendar_dir(kWorkflowsDir + "/calendars"));
  return loaded;
}

// A database file of its own under the test's temporary directory, removed at the end.
class TempDatabase {
 public:
  explicit TempDatabase(const std::string& name)
      : path_(testing::TempDir() + "datagen_test_" + name + "_" + std::to_string(::getpid()) +
              ".db") {
    remove();
  }
  ~TempDatabase() { remove(); }
  const std::string& path() const { return path_; }

 private:
  void remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::string path_;
};

// --- random draws ---------------------------------------------------------------------------

TEST(Rng, SameSeedSameDrawsOtherStreamOtherDraws) {
  Rng a(mix_seed(7, 1)), b(mix_seed(7, 1)), c(mix_seed(7, 2));
  std::vector<uint64_t> da, db, dc;
  for (int i = 0; i < 8; ++i) {
    da.push_back(a.next());
    db.push_back(b.next());
    dc.push_back(c.next());
  }
  EXPECT_EQ(da, db);
  EXPECT_NE(da, dc);
}

TEST(Rng, BoundedDrawsStayInRangeAndReachBothEnds) {
  Rng rng(3);
  std::set<int> seen;
  for (int i = 0; i < 2000; ++i) {
    int v = rng.between(-2, 3);
    ASSERT_GE(v, -2);
    ASSERT_LE(v, 3);
    seen.insert(v);
    double u = rng.unit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
  EXPECT_EQ(seen.size(), 6u);
}

TEST(Rng, WeightedNeverPicksAZeroWeightAndFollowsTheWeights) {
  Rng rng(11);
  std::vector<int> counts(3);
  for (int i = 0; i < 10000; ++i) ++counts[rng.weighted({1, 0, 3})];
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(double(counts[2]) / counts[0], 3.0, 0.4);
}

// --- registrations --------------------------------------------------------------------------

TEST(Registration, CheckCharactersMatchPublishedExamples) {
  EXPECT_EQ(resident_id_check("11010519491231002"), 'X');  // GB 11643 example
  EXPECT_EQ(credit_code_check("91110108551385082"), 'Q');
  EXPECT_EQ(credit_code_check("91440300192203821"), '6');
}

TEST(Registration, GeneratedApplicantsCarryValidIds) {
  Rng rng(5);
  for (const char* kind : {"natural_person", "commercial", "research", "public_welfare",
                           "legal_service", "other_org"}) {
    for (int i = 0; i < 20; ++i) {
      json::object a = make_applicant(kind, rng);
      std::string id(a.at("id_number").as_string());
      ASSERT_EQ(id.size(), 18u) << id;
      char check = std::string(kind) == "natural_person" ? resident_id_check(id.substr(0, 17))
                                                         : credit_code_check(id.substr(0, 17));
      EXPECT_EQ(id.back(), check) << id;
      EXPECT_EQ(a.at("kind").as_string(), kind);
      EXPECT_FALSE(a.at("name").as_string().empty());
      EXPECT_EQ(a.contains("contact_person"), std::string(kind) != "natural_person");
    }
  }
}

// --- receipt dates --------------------------------------------------------------------------

TEST(IntakeSchedule, SpreadsExactlyNCasesInOrderOverTheWindowMostlyOnWorkingDays) {
  IntakeSchedule intake(calendar(), kToday, 3, 20000, 1);
  EXPECT_EQ(intake.cases(), 20000);
  EXPECT_EQ(intake.first_day(), kToday - (3 * 365 - 1));
  Date previous = intake.first_day();
  int working = 0;
  for (int64_t i = 0; i < intake.cases(); ++i) {
    Date d = intake.received_on(i);
    ASSERT_GE(d, previous);
    ASSERT_LE(d, kToday);
    working += calendar().is_working_day(d) ? 1 : 0;
    previous = d;
  }
  EXPECT_GT(working, 20000 * 95 / 100);
  EXPECT_LT(working, 20000);  // a few arrive online on weekends and holidays
  // More requests in the last year than in the first (the trend).
  int64_t first_year = 0, last_year = 0;
  for (int64_t i = 0; i < intake.cases(); ++i) {
    int32_t age = kToday - intake.received_on(i);
    if (age < 365) ++last_year;
    if (age >= 2 * 365) ++first_year;
  }
  EXPECT_GT(last_year, first_year);
}

TEST(IntakeSchedule, RanksCountFromTheFirstCaseOfEachYear) {
  IntakeSchedule intake(calendar(), kToday, 3, 5000, 2);
  for (int64_t i = 1; i < intake.cases(); ++i) {
    Date d = intake.received_on(i), before = intake.received_on(i - 1);
    if (d.year() != before.year()) {
      EXPECT_EQ(intake.rank_in_year(i), 0);
    } else {
      EXPECT_EQ(intake.rank_in_year(i), intake.rank_in_year(i - 1) + 1);
    }
  }
  EXPECT_EQ(intake.rank_from_end(intake.cases() - 1), 0);
}

// --- plans ----------------------------------------------------------------------------------

class Plans : public testing::Test {
 protected:
  Plans()
      : intake_(calendar(), kToday, 3, kCases, 9),
        planner_(workflows(), agency_catalogue(12), intake_, calendar(), 9, kToday) {}
  static constexpr int64_t kCases = 60000;
  IntakeSchedule intake_;
  CasePlanner planner_;
};

// Every step is allowed in the state the previous steps lead to, with only inputs the action
// declares, and the registration is one the engine accepts.
TEST_F(Plans, FollowTheWorkflowFiles) {
  disclose::Engine engine(workflows(), calendar());
  std::set<std::string> actions;
  // Every case planned on purpose (the first ~60 of each year) and a sample of the others.
  for (int64_t index = 0; index < kCases; ++index) {
    if (intake_.rank_in_year(index) >= 60 && index % 50 != 0) continue;
    CasePlan plan = planner_.plan(index);
    const disclose::Workflow& workflow = *workflows().find(plan.workflow);
    disclose::Actor registrar{
        "u:1", {"registrar"}, plan.registration.at("agency").as_string().c_str(), false};
    disclose::Moment moment{{}, kToday};
    auto registered = engine.register_case(plan.registration, registrar, moment);
    ASSERT_TRUE(registered) << registered.error().message;
    std::string state = *workflow.creating_action()->to;
    for (const PlannedStep& step : plan.steps) {
      std::string action = step.action;
      if (!step.expiry_of.empty()) {
        const disclose::DeadlineSpec* deadline = workflow.deadline(step.expiry_of);
        ASSERT_TRUE(deadline && !deadline->on_expiry.empty()) << step.expiry_of;
        EXPECT_EQ(deadline->on_expiry, step.action);
      }
      ASSERT_TRUE(action_allowed(workflow, action, state))
          << "case #" << index << ": " << action << " in " << state;
      const disclose::ActionSpec* spec = workflow.action(action);
      for (const auto& member : step.input) {
        EXPECT_NE(spec->input(std::string(member.key())), nullptr)
            << action << " has no input " << member.key();
      }
      if (step.dated) {
        EXPECT_NE(spec->input("on"), nullptr) << action;
      }
      if (!step.relative_date_input.empty()) {
        EXPECT_NE(spec->input(step.relative_date_input), nullptr) << action;
      }
      state = spec->to.value_or(state);
      actions.insert(action);
    }
    if (!plan.rest_state.empty()) {
      EXPECT_EQ(state, plan.rest_state) << "case #" << index;
    }
  }
  // Every action of both workflows but the registering one appears somewhere.
  for (const char* name : {"gov-info-disclosure", "public-data-open"}) {
    for (const disclose::ActionSpec& spec : workflows().find(name)->actions) {
      if (!spec.creates_case) {
        EXPECT_TRUE(actions.count(spec.name)) << name << ": " << spec.name;
      }
    }
  }
}

TEST_F(Plans, AreTheSameWhenMadeTwice) {
  for (int64_t index : {0, 1, 17, 4242, 59999}) {
    CasePlan a = planner_.plan(index), b = planner_.plan(index);
    EXPECT_EQ(json::serialize(a.registration), json::serialize(b.registration));
    ASSERT_EQ(a.steps.size(), b.steps.size());
    for (size_t i = 0; i < a.steps.size(); ++i) {
      EXPECT_EQ(a.steps[i].action, b.steps[i].action);
      EXPECT_EQ(a.steps[i].delay_wd, b.steps[i].delay_wd);
      EXPECT_EQ(json::serialize(a.steps[i].input), json::serialize(b.steps[i].input));
    }
  }
}

// The first gov-info cases of each year close with every determination of the workflow.
TEST_F(Plans, EachYearStartsWithEveryDetermination) {
  const auto& determinations = planner_.gov_info().determinations;
  for (int year : {2024, 2025, 2026}) {
    std::set<std::string> seen;
    for (int64_t index = 0; index < kCases; ++index) {
      if (intake_.received_on(index).year() != year) continue;
      if (intake_.rank_in_year(index) >= int64_t(determinations.size())) continue;
      CasePlan plan = planner_.plan(index);
      EXPECT_EQ(plan.workflow, kGovInfoWorkflow);
      seen.insert(plan.determination);
    }
    EXPECT_EQ(seen.size(), determinations.size()) << year;
  }
}

TEST_F(Plans, MixFollowsTheModel) {
  int public_data = 0, correction = 0, granted = 0, total = 0;
  for (int64_t index = 1000; index < 60000; index += 6) {
    CasePlan plan = planner_.plan(index);
    ++total;
    if (plan.workflow == kPublicDataWorkflow) ++public_data;
    if (plan.determination == "granted") ++granted;
    for (const PlannedStep& step : plan.steps) correction += step.action == "request_correction";
  }
  EXPECT_NEAR(double(public_data) / total, 0.04, 0.01);
  EXPECT_NEAR(double(granted) / total, 0.37, 0.04);
  EXPECT_NEAR(double(correction) / total, 0.10, 0.03);
}

// --- a generated database -------------------------------------------------------------------

struct Generated {
  std::unique_ptr<TempDatabase> db;
  std::unique_ptr<disclose::cli::GlobalOptions> options;
  std::unique_ptr<disclose::cli::Context> context;
  GenerationSummary summary;
};

GeneratorOptions small_run(int64_t cases, uint64_t seed) {
  GeneratorOptions o;
  o.cases = cases;
  o.seed = seed;
  o.agencies = 6;
  o.years = 3;
  o.today = kToday;
  o.batch = 50;
  return o;
}

std::unique_ptr<Generated> generate_into(const std::string& name, const GeneratorOptions& run) {
  auto g = std::make_unique<Generated>();
  g->db = std::make_unique<TempDatabase>(name);
  g->options = std::make_unique<disclose::cli::GlobalOptions>();
  g->options->db_path = g->db->path();
  g->options->workflows_dir = kWorkflowsDir;
  g->options->synchronous = "NORMAL";
  g->context = std::make_unique<disclose::cli::Context>(*g->options);
  g->summary = generate(*g->context, run, nullptr);
  return g;
}

std::vector<disclose::Case> all_cases(disclose::Store& store) {
  std::vector<disclose::Case> out;
  disclose::CaseFilter filter;
  filter.limit = 500;
  for (;;) {
    std::vector<disclose::Case> page = store.list_cases(filter);
    if (page.empty()) break;
    filter.after_id = page.back().id;
    out.insert(out.end(), page.begin(), page.end());
  }
  return out;
}

class GeneratedDatabase : public testing::Test {
 protected:
  static void SetUpTestSuite() { generated_ = generate_into("main", small_run(400, 1)).release(); }
  static void TearDownTestSuite() {
    delete generated_;
    generated_ = nullptr;
  }
  static disclose::Store& store() { return generated_->context->store(); }
  static const GenerationSummary& summary() { return generated_->summary; }
  static Generated* generated_;
};
Generated* GeneratedDatabase::generated_ = nullptr;

TEST_F(GeneratedDatabase, WritesEveryCaseWithoutARefusedStep) {
  EXPECT_EQ(summary().cases, 400);
  EXPECT_EQ(summary().problems, 0)
      << (summary().first_problems.empty() ? "" : summary().first_problems.front());
  EXPECT_EQ(summary().timer_problems, 0);
  EXPECT_EQ(all_cases(store()).size(), 400u);
  // Cases are written in order of receipt.
  Date previous;
  for (const disclose::Case& c : all_cases(store())) {
    EXPECT_GE(c.registration.received_on, previous);
    previous = c.registration.received_on;
  }
}

TEST_F(GeneratedDatabase, CasesRestInEveryState) {
  std::map<std::string, std::set<std::string>> states;
  for (const disclose::Case& c : all_cases(store())) states[c.workflow].insert(c.state);
  for (const disclose::StateSpec& s : workflows().find(kGovInfoWorkflow)->states)
    EXPECT_TRUE(states[kGovInfoWorkflow].count(s.name)) << kGovInfoWorkflow << ": " << s.name;
  for (const disclose::StateSpec& s : workflows().find(kPublicDataWorkflow)->states)
    EXPECT_TRUE(states[kPublicDataWorkflow].count(s.name)) << kPublicDataWorkflow << ": " << s.name;
  // The summary counts the same states.
  int64_t counted = 0;
  for (const auto& [workflow, by_state] : summary().states)
    for (const auto& [state, n] : by_state) counted += n;
  EXPECT_EQ(counted, 400);
}

TEST_F(GeneratedDatabase, AuditChainVerifies) {
  disclose::AuditReport audit = store().verify_audit();
  EXPECT_TRUE(audit.ok) << (audit.first_break ? audit.first_break->reason : "");
  EXPECT_EQ(audit.cases_checked, 400);
  EXPECT_EQ(audit.events_checked, summary().events + summary().fired.expiries);
}

TEST_F(GeneratedDatabase, AnnualReportCountsEveryRowOfTableThree) {
  const disclose::Workflow& workflow = *workflows().find(kGovInfoWorkflow);
  for (int year : {2024, 2025}) {
    disclose::AnnualReport report =
        disclose::annual_report_from_store(store(), workflow, year, "", "");
    EXPECT_TRUE(report.check_failures.empty())
        << year << ": " << (report.check_failures.empty() ? "" : report.check_failures.front());
    for (const disclose::DeterminationSpec& d : workflow.determinations) {
      EXPECT_GT(report.row(d.report_row).cells[disclose::kTotalColumn], 0)
          << year << " " << d.report_row << " (" << d.code << ")";
    }
    EXPECT_GT(report.row("一").cells[disclose::kTotalColumn], 0);
    for (const char* kind : {"review", "suit_direct", "suit_after_review"}) {
      EXPECT_GT(report.remedy(kind).cells[disclose::kRemedyColumns - 1], 0) << year << " " << kind;
    }
    EXPECT_GT(report.fees_paid, 0) << year;
  }
}

TEST_F(GeneratedDatabase, SomeOpenCasesAreOverdue) {
  EXPECT_GT(store().overdue_cases(kToday), 0);
  // Timers due by today have fired: nothing is left due at noon.
  disclose::Moment noon{local_instant(kToday, 12 * 60, 8 * 60), kToday};
  EXPECT_TRUE(store().cases_with_due_timers(noon.at, 10).empty());
  EXPECT_GT(summary().fired.reminders, 0);
}

TEST_F(GeneratedDatabase, HistoriesCarryTheDetours) {
  std::set<std::string> types;
  for (const disclose::Case& c : all_cases(store())) {
    for (const disclose::Event& e : store().history(c.id)) types.insert(e.type);
  }
  for (const char* action : {"request_correction",
                             "correction_received",
                             "correction_expired",
                             "consult",
                             "consultation_done",
                             "consultation_expired",
                             "fee_notice",
                             "fee_paid",
                             "fee_expired",
                             "extend",
                             "delay",
                             "return_reply",
                             "withdraw",
                             "reopen",
                             "record_remedy",
                             "note",
                             "contact",
                             "attach",
                             "assign",
                             "refuse",
                             "provide"}) {
    EXPECT_TRUE(types.count(action)) << action;
  }
}

// Same seed, fresh database: the same cases. Same seed again into that database: appended.
TEST(Generation, IsDeterministicAndAppends) {
  constexpr int64_t kSmall = 60;
  auto a = generate_into("det_a", small_run(kSmall, 42));
  auto b = generate_into("det_b", small_run(kSmall, 42));
  using Row = std::tuple<std::string, std::string, std::string, std::string>;
  auto rows = [](disclose::Store& store) {
    std::vector<Row> out;
    for (const disclose::Case& c : all_cases(store))
      out.emplace_back(c.number, c.state, c.registration.applicant.name,
                       c.registration.received_on.str());
    return out;
  };
  std::vector<Row> first = rows(a->context->store());
  ASSERT_EQ(first.size(), size_t(kSmall));
  EXPECT_EQ(first, rows(b->context->store()));

  GenerationSummary again = generate(*a->context, small_run(kSmall, 42), nullptr);
  EXPECT_EQ(again.cases, kSmall);
  std::vector<Row> both = rows(a->context->store());
  ASSERT_EQ(both.size(), size_t(2 * kSmall));
  for (size_t i = 0; i < size_t(kSmall); ++i) {
    EXPECT_EQ(std::get<2>(both[kSmall + i]), std::get<2>(both[i]));  // applicant
    EXPECT_EQ(std::get<1>(both[kSmall + i]), std::get<1>(both[i]));  // state
  }
  EXPECT_TRUE(a->context->store().verify_audit().ok);
}

// Another seed, other cases (compared as plans: no database needed).
TEST(Generation, AnotherSeedGivesOtherCases) {
  IntakeSchedule intake(calendar(), kToday, 3, 1000, 42);
  CasePlanner one(workflows(), agency_catalogue(6), intake, calendar(), 42, kToday);
  CasePlanner other(workflows(), agency_catalogue(6), intake, calendar(), 43, kToday);
  int differ = 0;
  for (int64_t index = 0; index < 50; ++index) {
    differ += json::serialize(one.plan(index).registration) !=
              json::serialize(other.plan(index).registration);
  }
  EXPECT_EQ(differ, 50);
}

TEST(Generation, UnopenableDatabaseIsAClearError) {
  disclose::cli::GlobalOptions options;
  options.db_path = "/proc/datagen-test/cannot/x.db";
  options.workflows_dir = kWorkflowsDir;
  disclose::cli::Context context(options);
  try {
    generate(context, small_run(10, 1), nullptr);
    FAIL() << "expected an error";
  } catch (const disclose::cli::CliError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open database"), std::string::npos) << e.what();
    EXPECT_NE(e.status, 0);
  }
}

// --- the command line -----------------------------------------------------------------------

std::optional<CommandLine> parse(std::vector<const char*> args, int& status, std::string& err) {
  args.insert(args.begin(), "datagen");
  std::ostringstream out, errors;
  auto line = parse_command_line(int(args.size()), args.data(), kToday, out, errors, status);
  err = errors.str();
  return line;
}

TEST(CommandLine, DefaultsAndValues) {
  int status = -1;
  std::string err;
  auto line = parse({"--db", "x.db"}, status, err);
  ASSERT_TRUE(line) << err;
  EXPECT_EQ(status, 0);
  EXPECT_EQ(line->generator.cases, 1000000);
  EXPECT_EQ(line->generator.today, kToday);
  EXPECT_TRUE(line->generator.fire_due);
  line = parse({"--db", "x.db", "--cases", "5", "--seed", "9", "--today", "2025-01-02",
                "--no-fire-due", "--synchronous", "NORMAL", "--batch", "7"},
               status, err);
  ASSERT_TRUE(line) << err;
  EXPECT_EQ(line->generator.cases, 5);
  EXPECT_EQ(line->generator.seed, 9u);
  EXPECT_EQ(line->generator.today, Date::from_ymd(2025, 1, 2));
  EXPECT_FALSE(line->generator.fire_due);
  EXPECT_EQ(line->synchronous, "NORMAL");
  EXPECT_EQ(line->generator.batch, 7);
}

TEST(CommandLine, BadInputIsRefusedWithStatusTwo) {
  for (std::vector<const char*> args : {std::vector<const char*>{"--db", "x.db", "--cases", "0"},
                                        {"--db", "x.db", "--cases", "-3"},
                                        {"--db", "x.db", "--bogus"},
                                        {"--cases", "10"},
                                        {"--db", "x.db", "--today", "2025-02-30"},
                                        {"--db", "x.db", "--synchronous", "OFF"}}) {
    int status = -1;
    std::string err;
    EXPECT_FALSE(parse(args, status, err)) << args.back();
    EXPECT_EQ(status, 2) << args.back();
    EXPECT_FALSE(err.empty()) << args.back();
  }
}

}  // namespace
}  // namespace datagen
