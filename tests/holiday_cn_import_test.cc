#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "disclose/calendar.h"

namespace disclose {
namespace {

Date D(const char* text) {
  auto d = Date::parse(text);
  if (!d) throw std::invalid_argument(text);
  return *d;
}

const std::string kWorkflows = DISCLOSE_SOURCE_WORKFLOWS;
const std::string kFixtures = kWorkflows + "/../tests/data/holiday-cn";

HolidayCnFile fixture(const std::string& name) {
  std::ifstream in(kFixtures + "/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw std::runtime_error("missing fixture " + name);
  return {name, text.str()};
}

std::string import_error(const std::vector<HolidayCnFile>& files) {
  try {
    import_holiday_cn(files);
  } catch (const CalendarError& e) {
    return e.what();
  }
  return "";
}

std::string import_error(const std::string& name, const std::string& text) {
  return import_error({HolidayCnFile{name, text}});
}

TEST(HolidayCnImport, ImportsTheSameFactsAsTheBundledYaml) {
  const auto imported = import_holiday_cn({fixture("2025.json"), fixture("2026.json")});
  ASSERT_EQ(imported.size(), 2u);
  const auto bundled = load_calendar_dir(kWorkflows + "/calendars");
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(imported[i].year);
    EXPECT_EQ(imported[i].year, bundled[i + 1].year);
    EXPECT_TRUE(imported[i].official);
    EXPECT_EQ(imported[i].version, "holiday-cn");
    EXPECT_EQ(imported[i].off_days, bundled[i + 1].off_days);
    EXPECT_EQ(imported[i].work_days, bundled[i + 1].work_days);
  }
  EXPECT_EQ(imported[0].source,
            "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）");

  const WorkingCalendar cal(imported);
  EXPECT_EQ(cal.version(), "2025.holiday-cn+2026.holiday-cn");
  EXPECT_EQ(cal.working_days_between(D("2024-12-31"), D("2025-12-31")), 248);
  EXPECT_EQ(cal.working_days_between(D("2025-12-31"), D("2026-12-31")), 248);
  EXPECT_EQ(cal.add_working_days(D("2025-12-31"), 20).date, D("2026-01-29"));
  EXPECT_FALSE(cal.add_working_days(D("2025-12-31"), 20).provisional);
}

TEST(HolidayCnImport, FileOrderDoesNotMatter) {
  const auto a = import_holiday_cn({fixture("2025.json"), fixture("2026.json")});
  const auto b = import_holiday_cn({fixture("2026.json"), fixture("2025.json")});
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].year, b[i].year);
    EXPECT_EQ(a[i].off_days, b[i].off_days);
    EXPECT_EQ(a[i].work_days, b[i].work_days);
  }
}

// A make-up Saturday for New Year that the notice for 2030 places in December 2029.
const char* k2030 = R"({"year": 2030, "papers": ["notice 2030"], "days": [
  {"name": "元旦", "date": "2029-12-29", "isOffDay": false},
  {"name": "元旦", "date": "2029-12-31", "isOffDay": true},
  {"name": "元旦", "date": "2030-01-01", "isOffDay": true}
]})";
const char* k2029 = R"({"year": 2029, "papers": ["notice 2029", "correction 2029"], "days": [
  {"name": "国庆节", "date": "2029-10-01", "isOffDay": true}
]})";

TEST(HolidayCnImport, DecemberDaysInNextYearsFileJoinTheirOwnYear) {
  ASSERT_TRUE(D("2029-12-29").is_weekend());
  const auto years = import_holiday_cn({{"2030.json", k2030}, {"2029.json", k2029}});
  ASSERT_EQ(years.size(), 2u);
  EXPECT_EQ(years[0].year, 2029);
  EXPECT_TRUE(years[0].official);
  EXPECT_EQ(years[0].source, "notice 2029; correction 2029");
  EXPECT_EQ(years[0].off_days, (std::vector<Date>{D("2029-10-01"), D("2029-12-31")}));
  EXPECT_EQ(years[0].work_days, (std::vector<Date>{D("2029-12-29")}));
  EXPECT_EQ(years[1].year, 2030);
  EXPECT_EQ(years[1].off_days, (std::vector<Date>{D("2030-01-01")}));
  EXPECT_TRUE(years[1].work_days.empty());

  const WorkingCalendar cal(years);
  EXPECT_TRUE(cal.is_working_day(D("2029-12-29")));
  EXPECT_EQ(cal.add_working_days(D("2029-12-28"), 2).date, D("2030-01-02"));
  EXPECT_FALSE(cal.add_working_days(D("2029-12-28"), 2).provisional);
}

TEST(HolidayCnImport, AYearSeenOnlyThroughItsNeighbourIsNotOfficial) {
  const auto years = import_holiday_cn({{"2030.json", k2030}});
  ASSERT_EQ(years.size(), 2u);
  EXPECT_EQ(years[0].year, 2029);
  EXPECT_FALSE(years[0].official);
  EXPECT_EQ(years[0].source, "holiday-cn import");
  EXPECT_TRUE(years[1].official);
  EXPECT_EQ(years[1].source, "notice 2030");

  const WorkingCalendar cal(years);
  EXPECT_FALSE(cal.is_official(2029));
  EXPECT_TRUE(cal.is_working_day(D("2029-12-29")));  // the listed day still applies
  const CountedDate due = cal.add_working_days(D("2029-12-28"), 2);
  EXPECT_EQ(due.date, D("2030-01-02"));
  EXPECT_TRUE(due.provisional);
  EXPECT_FALSE(cal.add_working_days(D("2030-01-01"), 1).provisional);

  // Written out and read back, the flag survives.
  const CalendarYear back = parse_calendar_yaml(calendar_year_to_yaml(years[0]), "2029.yaml");
  EXPECT_FALSE(back.official);
  EXPECT_EQ(back.work_days, years[0].work_days);
}

TEST(HolidayCnImport, RepeatedDaysAcrossFilesAreMergedWhenTheyAgree) {
  const std::string also = R"({"year": 2029, "days": [
    {"name": "元旦", "date": "2029-12-29", "isOffDay": false}]})";
  const auto years = import_holiday_cn({{"2030.json", k2030}, {"2029.json", also}});
  EXPECT_EQ(years[0].work_days, (std::vector<Date>{D("2029-12-29")}));
  EXPECT_EQ(years[0].source, "holiday-cn import");  // no papers in its own file
}

TEST(HolidayCnImport, EmptyInputImportsNothing) {
  EXPECT_TRUE(import_holiday_cn({}).empty());
  const auto years = import_holiday_cn({{"2031.json", R"({"year":2031,"days":[]})"}});
  ASSERT_EQ(years.size(), 1u);
  EXPECT_TRUE(years[0].official);
  EXPECT_TRUE(years[0].off_days.empty());
}

struct ErrorCase {
  const char* text;
  const char* expected;  // the whole message
};

TEST(HolidayCnImport, MalformedJsonReportsLineAndColumn) {
  const ErrorCase cases[] = {
      {"{\"year\": 2025,}", "x.json:1:15: syntax error"},
      {"{\"year\": 2025,\n \"days\": [1, 2 x]}", "x.json:2:16: syntax error"},
      // Columns count characters, not bytes: 春节 is six bytes but two columns.
      {"{\"days\": [\n  {\"name\": \"春节\" \"date\": 1}]}", "x.json:2:17: syntax error"},
      {"{\"year\": 2025}\n{}", "x.json:2:1: extra data"},
      {"{\"year\": 2025,\n\"days\": [", "x.json:2:10: incomplete JSON"},
      {"", "x.json:1:1: incomplete JSON"},
      {"{\"year\": 2025, // holidays\n}", "x.json:1:16: syntax error"},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(import_error("x.json", c.text), c.expected);
  }
  // Invalid UTF-8 inside a string is rejected where it occurs.
  const std::string bad_utf8 = "{\"year\": 2025, \"days\": [{\"name\": \"\xff\"}]}";
  EXPECT_EQ(import_error("x.json", bad_utf8).rfind("x.json:1:", 0), 0u)
      << import_error("x.json", bad_utf8);
}

TEST(HolidayCnImport, SchemaErrorsNameTheEntry) {
  const ErrorCase cases[] = {
      {"[]", "x.json: (top level): not a JSON object"},
      {R"({"days": []})", "x.json: year: missing"},
      {R"({"year": "2025", "days": []})", "x.json: year: not an integer"},
      {R"({"year": 25, "days": []})", "x.json: year: not a four-digit year"},
      {R"({"year": 2025.0, "days": []})", "x.json: year: not an integer"},
      {R"({"year": 2025})", "x.json: days: missing"},
      {R"({"year": 2025, "days": {}})", "x.json: days: not a list"},
      {R"({"year": 2025, "papers": "x", "days": []})", "x.json: papers: not a list"},
      {R"({"year": 2025, "papers": ["a", 1], "days": []})", "x.json: papers[1]: not a string"},
      {R"({"year": 2025, "days": [null]})", "x.json: days[0]: not an object"},
      {R"({"year": 2025, "days": [{"date": "2025-01-01", "isOffDay": true}]})",
       "x.json: days[0].name: missing"},
      {R"({"year": 2025, "days": [{"name": 1, "date": "2025-01-01", "isOffDay": true}]})",
       "x.json: days[0].name: not a string"},
      {R"({"year": 2025, "days": [{"name": "a", "isOffDay": true}]})",
       "x.json: days[0].date: missing"},
      {R"({"year": 2025, "days": [{"name": "a", "date": "2025-01-01", "isOffDay": true},
          {"name": "a", "date": "2025-01-02", "isOffDay": true},
          {"name": "a", "date": "2025-01-03", "isOffDay": true},
          {"name": "a", "date": "2025-1-4", "isOffDay": true}]})",
       "x.json: days[3].date: not a YYYY-MM-DD date"},
      {R"({"year": 2025, "days": [{"name": "a", "date": "2025-02-29", "isOffDay": true}]})",
       "x.json: days[0].date: not a YYYY-MM-DD date"},
      {R"({"year": 2025, "days": [{"name": "a", "date": 20250101, "isOffDay": true}]})",
       "x.json: days[0].date: not a YYYY-MM-DD date"},
      {R"({"year": 2025, "days": [{"name": "a", "date": "2027-01-01", "isOffDay": true}]})",
       "x.json: days[0].date: 2027-01-01 is too far from the file's year 2025"},
      {R"({"year": 2025, "days": [{"name": "a", "date": "2025-01-01"}]})",
       "x.json: days[0].isOffDay: missing"},
      {R"({"year": 2025, "days": [{"name": "a", "date": "2025-01-01", "isOffDay": "yes"}]})",
       "x.json: days[0].isOffDay: not true or false"},
      {R"({"year": 2025, "days": [{"name": "a", "date": "2025-01-01", "isOffDay": true},
          {"name": "a", "date": "2025-01-01", "isOffDay": false}]})",
       "x.json: days[1]: 2025-01-01 is a working day here but a day off in x.json days[0]"},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.text);
    EXPECT_EQ(import_error("x.json", c.text), c.expected);
  }
}

TEST(HolidayCnImport, ConflictsBetweenFiles) {
  EXPECT_EQ(import_error({fixture("2025.json"), {"copy.json", fixture("2025.json").text}}),
            "copy.json: year: 2025 is also given by 2025.json");

  const std::string disagree = R"({"year": 2029, "days": [
    {"name": "元旦", "date": "2029-12-29", "isOffDay": true}]})";
  EXPECT_EQ(import_error({{"2030.json", k2030}, {"2029.json", disagree}}),
            "2029.json: days[0]: 2029-12-29 is a day off here but a working day in 2030.json "
            "days[0]");
  // An error in a later file names that file, not the first one.
  EXPECT_EQ(import_error({fixture("2025.json"), {"2026.json", "{\"year\": 2026,"}}),
            "2026.json:1:15: incomplete JSON");
}

}  // namespace
}  // namespace disclose
