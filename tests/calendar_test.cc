#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "disclose/calendar.h"
#include "temp_dir.h"

namespace disclose {
namespace {

Date D(const char* text) {
  auto d = Date::parse(text);
  if (!d) throw std::invalid_argument(text);
  return *d;
}

const std::string kCalendars = std::string(DISCLOSE_SOURCE_WORKFLOWS) + "/calendars";

const WorkingCalendar& bundled() {
  static const WorkingCalendar calendar(load_calendar_dir(kCalendars));
  return calendar;
}

// The message of the CalendarError that `f` throws ("" when it throws nothing).
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const CalendarError& e) {
    return e.what();
  }
  return "";
}

// An independent, deliberately naive model: a set lookup per day and a day-by-day walk.
class NaiveCalendar {
 public:
  explicit NaiveCalendar(const std::vector<CalendarYear>& years) {
    for (const CalendarYear& y : years) {
      off_.insert(y.off_days.begin(), y.off_days.end());
      work_.insert(y.work_days.begin(), y.work_days.end());
      if (y.official) official_.insert(y.year);
    }
  }
  bool working(Date d) const {
    if (off_.count(d)) return false;
    if (work_.count(d)) return true;
    return !d.is_weekend();
  }
  Date add(Date from, int n) const {
    Date d = from;
    for (int seen = 0; seen < n;) {
      d = d + 1;
      if (working(d)) ++seen;
    }
    return d;
  }
  Date subtract(Date from, int n) const {
    Date d = from;
    for (int seen = 0; seen < n;) {
      d = d - 1;
      if (working(d)) ++seen;
    }
    return d;
  }
  int between(Date from, Date to) const {
    int count = 0;
    for (Date d = from + 1; d <= to; d = d + 1) count += working(d) ? 1 : 0;
    return count;
  }
  bool provisional(Date from, Date to) const {
    for (Date d = from + 1; d <= to; d = d + 1) {
      if (!official_.count(d.year())) return true;
    }
    return false;
  }

 private:
  std::set<Date> off_, work_;
  std::set<int> official_;
};

// Compares every query of `calendar` with the naive model for seeded random starts in
// [first, last] and counts up to `max_n`.
void check_against_naive(const WorkingCalendar& calendar, Date first, Date last, int max_n,
                         unsigned seed, int rounds) {
  NaiveCalendar naive(calendar.years());
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> day(first.days(), last.days());
  std::uniform_int_distribution<int> count(0, max_n);
  std::uniform_int_distribution<int> offset(-max_n, 2 * max_n);
  for (int i = 0; i < rounds; ++i) {
    const Date from = Date::from_days(day(rng));
    const int n = count(rng);
    SCOPED_TRACE(from.str() + " n=" + std::to_string(n));
    ASSERT_EQ(calendar.is_working_day(from), naive.working(from));

    const CountedDate added = calendar.add_working_days(from, n);
    ASSERT_EQ(added.date, naive.add(from, n)) << added.date.str();
    ASSERT_EQ(added.provisional, naive.provisional(from, added.date));

    const CountedDate subtracted = calendar.subtract_working_days(from, n);
    ASSERT_EQ(subtracted.date, naive.subtract(from, n)) << subtracted.date.str();

    const Date to = from + offset(rng);
    ASSERT_EQ(calendar.working_days_between(from, to), naive.between(from, to)) << to.str();
    ASSERT_EQ(calendar.is_provisional(from, to), naive.provisional(from, to)) << to.str();
  }
}

TEST(BundledCalendar, LoadsTheThreeOfficialYears) {
  const WorkingCalendar& cal = bundled();
  ASSERT_EQ(cal.years().size(), 3u);
  EXPECT_EQ(cal.version(), "2024.1+2025.1+2026.1");
  for (int y : {2024, 2025, 2026}) EXPECT_TRUE(cal.is_official(y)) << y;
  EXPECT_FALSE(cal.is_official(2023));
  EXPECT_FALSE(cal.is_official(2027));
  EXPECT_EQ(cal.years()[0].source,
            "国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号）");
  EXPECT_EQ(cal.years()[1].source,
            "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）");
  EXPECT_EQ(cal.years()[2].source, "国务院办公厅关于2026年部分节假日安排的通知");
}

TEST(BundledCalendar, WorkingDaysPerYear) {
  const WorkingCalendar& cal = bundled();
  EXPECT_EQ(cal.working_days_between(D("2023-12-31"), D("2024-12-31")), 251);
  EXPECT_EQ(cal.working_days_between(D("2024-12-31"), D("2025-12-31")), 248);
  EXPECT_EQ(cal.working_days_between(D("2025-12-31"), D("2026-12-31")), 248);
  for (int y : {2024, 2025, 2026}) {
    int count = 0;
    for (Date d = Date::from_ymd(y, 1, 1); d.year() == y; d = d + 1) count += cal.is_working_day(d);
    EXPECT_EQ(count, y == 2024 ? 251 : 248) << y;
  }
}

TEST(BundledCalendar, ListedDaysMatchTheNotices) {
  const WorkingCalendar& cal = bundled();
  // DESIGN.md §3, make-up days: all weekend days, all worked.
  for (const char* day : {"2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11",
                          "2024-09-14", "2024-09-29", "2024-10-12", "2025-01-26", "2025-02-08",
                          "2025-04-27", "2025-09-28", "2025-10-11", "2026-01-04", "2026-02-14",
                          "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}) {
    EXPECT_TRUE(D(day).is_weekend()) << day;
    EXPECT_TRUE(cal.is_working_day(D(day))) << day;
  }
  // Weekday holidays are days off.
  for (const char* day : {"2024-01-01", "2024-02-16", "2024-06-10", "2024-10-07", "2025-01-01",
                          "2025-02-04", "2025-06-02", "2025-10-08", "2026-01-02", "2026-02-23",
                          "2026-06-19", "2026-09-25", "2026-10-07"}) {
    EXPECT_FALSE(D(day).is_weekend()) << day;
    EXPECT_FALSE(cal.is_working_day(D(day))) << day;
  }
  // Ordinary days keep the weekday rule.
  EXPECT_TRUE(cal.is_working_day(D("2025-03-03")));
  EXPECT_FALSE(cal.is_working_day(D("2025-03-01")));
  EXPECT_FALSE(cal.is_working_day(D("2025-03-02")));
}

TEST(BundledCalendar, WorkedExamples) {
  const WorkingCalendar& cal = bundled();
  struct Example {
    const char* received;
    const char* due7;
    const char* due20;
    const char* due40;
  };
  for (const Example& e : {Example{"2025-09-26", "2025-10-13", "2025-10-30", "2025-11-27"},
                           Example{"2025-12-31", "2026-01-12", "2026-01-29", "2026-03-04"},
                           Example{"2026-02-10", "2026-02-26", "2026-03-16", "2026-04-14"}}) {
    SCOPED_TRACE(e.received);
    const Date from = D(e.received);
    EXPECT_EQ(cal.add_working_days(from, 7).date, D(e.due7));
    EXPECT_EQ(cal.add_working_days(from, 20).date, D(e.due20));
    EXPECT_EQ(cal.add_working_days(from, 40).date, D(e.due40));
    EXPECT_FALSE(cal.add_working_days(from, 40).provisional);
    EXPECT_EQ(cal.working_days_between(from, D(e.due20)), 20);
    EXPECT_EQ(cal.subtract_working_days(D(e.due40), 40).date, from);
  }
}

TEST(BundledCalendar, StartOnAWeekendOrHolidayCountsFromTheNextWorkingDay) {
  const WorkingCalendar& cal = bundled();
  EXPECT_EQ(cal.add_working_days(D("2025-03-01"), 1).date, D("2025-03-03"));  // Saturday
  EXPECT_EQ(cal.add_working_days(D("2025-03-02"), 1).date, D("2025-03-03"));  // Sunday
  EXPECT_EQ(cal.add_working_days(D("2025-10-01"), 1).date, D("2025-10-09"));  // National Day
  EXPECT_EQ(cal.add_working_days(D("2025-10-04"), 1).date, D("2025-10-09"));  // Saturday inside
  EXPECT_EQ(cal.add_working_days(D("2025-10-08"), 1).date, D("2025-10-09"));
  // A Saturday receipt and the following Monday's receipt differ by one working day.
  EXPECT_EQ(cal.add_working_days(D("2025-03-01"), 20).date,
            cal.add_working_days(D("2025-03-03"), 19).date);
}

TEST(BundledCalendar, MakeUpWeekendsAreWorkingDays) {
  const WorkingCalendar& cal = bundled();
  EXPECT_EQ(cal.add_working_days(D("2025-09-26"), 1).date, D("2025-09-28"));  // Sunday worked
  EXPECT_EQ(cal.add_working_days(D("2025-10-10"), 1).date, D("2025-10-11"));  // Saturday worked
  EXPECT_EQ(cal.add_working_days(D("2025-02-07"), 1).date, D("2025-02-08"));
  EXPECT_EQ(cal.working_days_between(D("2025-09-26"), D("2025-09-28")), 1);
  EXPECT_EQ(cal.subtract_working_days(D("2025-09-29"), 1).date, D("2025-09-28"));
}

TEST(BundledCalendar, YearBoundaries) {
  const WorkingCalendar& cal = bundled();
  EXPECT_EQ(cal.add_working_days(D("2024-12-31"), 1).date, D("2025-01-02"));
  EXPECT_EQ(cal.add_working_days(D("2025-12-31"), 1).date, D("2026-01-04"));  // make-up Sunday
  EXPECT_EQ(cal.subtract_working_days(D("2026-01-04"), 1).date, D("2025-12-31"));
  EXPECT_EQ(cal.subtract_working_days(D("2025-01-02"), 1).date, D("2024-12-31"));
  EXPECT_EQ(cal.working_days_between(D("2024-12-30"), D("2025-01-02")), 2);
  EXPECT_FALSE(cal.add_working_days(D("2024-12-31"), 1).provisional);

  // Leaving the data: 2027 is counted with weekends only.
  const CountedDate out = cal.add_working_days(D("2026-12-31"), 1);
  EXPECT_EQ(out.date, D("2027-01-01"));
  EXPECT_TRUE(out.provisional);
  EXPECT_EQ(cal.add_working_days(D("2026-12-30"), 1).date, D("2026-12-31"));
  EXPECT_FALSE(cal.add_working_days(D("2026-12-30"), 1).provisional);

  // Entering the data from 2023: 2024-01-01 is a holiday.
  const CountedDate in = cal.add_working_days(D("2023-12-29"), 1);
  EXPECT_EQ(in.date, D("2024-01-02"));
  EXPECT_TRUE(in.provisional);  // 2023-12-30 and 31 were consulted
  EXPECT_FALSE(cal.add_working_days(D("2023-12-31"), 1).provisional);
  EXPECT_EQ(cal.subtract_working_days(D("2024-01-02"), 1).date, D("2023-12-29"));
  EXPECT_TRUE(cal.subtract_working_days(D("2024-01-02"), 1).provisional);
}

TEST(BundledCalendar, ProvisionalOutsideTheOfficialYears) {
  const WorkingCalendar& cal = bundled();
  EXPECT_TRUE(cal.add_working_days(D("2026-12-10"), 20).provisional);
  EXPECT_EQ(cal.add_working_days(D("2026-12-10"), 20).date.year(), 2027);
  EXPECT_TRUE(cal.add_working_days(D("2027-03-01"), 5).provisional);
  EXPECT_TRUE(cal.add_working_days(D("2023-06-01"), 5).provisional);
  EXPECT_TRUE(cal.add_working_days(D("2019-06-01"), 2000).provisional);
  EXPECT_TRUE(cal.subtract_working_days(D("2024-01-10"), 10).provisional);
  EXPECT_FALSE(cal.subtract_working_days(D("2024-01-20"), 5).provisional);

  EXPECT_FALSE(cal.is_provisional(D("2023-12-31"), D("2026-12-31")));
  EXPECT_TRUE(cal.is_provisional(D("2023-12-30"), D("2024-01-05")));
  EXPECT_TRUE(cal.is_provisional(D("2026-12-30"), D("2027-01-01")));
  EXPECT_TRUE(cal.is_provisional(D("2020-01-01"), D("2030-01-01")));
  EXPECT_FALSE(cal.is_provisional(D("2027-01-05"), D("2027-01-05")));  // empty interval
  EXPECT_FALSE(cal.is_provisional(D("2027-01-05"), D("2027-01-01")));
}

TEST(BundledCalendar, ZeroAndEmptyCounts) {
  const WorkingCalendar& cal = bundled();
  for (const char* day : {"2025-10-01", "2025-03-03", "2030-06-01", "2001-01-06"}) {
    EXPECT_EQ(cal.add_working_days(D(day), 0).date, D(day));
    EXPECT_FALSE(cal.add_working_days(D(day), 0).provisional);
    EXPECT_EQ(cal.subtract_working_days(D(day), 0).date, D(day));
  }
  // Negative counts run the other way instead of being ignored.
  EXPECT_EQ(cal.add_working_days(D("2025-10-09"), -1).date, D("2025-09-30"));
  EXPECT_EQ(cal.subtract_working_days(D("2025-09-30"), -1).date, D("2025-10-09"));
  EXPECT_EQ(cal.working_days_between(D("2025-03-03"), D("2025-03-03")), 0);
  EXPECT_EQ(cal.working_days_between(D("2025-03-10"), D("2025-03-03")), 0);
  EXPECT_EQ(cal.working_days_between(D("2025-03-03"), D("2025-03-04")), 1);
}

TEST(BundledCalendar, AgreesWithANaiveModelInsideAndAroundTheData) {
  check_against_naive(bundled(), D("2022-06-01"), D("2028-06-01"), 400, 20250926, 1500);
}

TEST(BundledCalendar, SubtractUndoesAddAndBetweenCountsIt) {
  const WorkingCalendar& cal = bundled();
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> day(D("2021-01-01").days(), D("2029-12-31").days());
  std::uniform_int_distribution<int> count(0, 700);
  for (int i = 0; i < 3000; ++i) {
    const Date from = Date::from_days(day(rng));
    const int n = count(rng);
    const Date to = cal.add_working_days(from, n).date;
    SCOPED_TRACE(from.str() + " n=" + std::to_string(n));
    ASSERT_EQ(cal.working_days_between(from, to), n);
    if (n > 0) {
      ASSERT_TRUE(cal.is_working_day(to));
      ASSERT_EQ(cal.working_days_between(from, to - 1), n - 1);
    }
    if (cal.is_working_day(from)) {
      ASSERT_EQ(cal.subtract_working_days(to, n).date, from);
    } else if (n > 0) {
      // From a day off, going back lands on the last working day before it.
      ASSERT_EQ(cal.subtract_working_days(to, n).date, cal.subtract_working_days(from, 1).date);
    }
    ASSERT_EQ(cal.add_working_days(cal.subtract_working_days(to, n).date, n).date, to);
  }
}

TEST(WeekendsOnly, EverythingIsProvisionalAndWeekendsAreTheOnlyDaysOff) {
  const WorkingCalendar cal;
  EXPECT_EQ(cal.version(), "weekends-only");
  EXPECT_TRUE(cal.years().empty());
  EXPECT_FALSE(cal.is_official(2025));
  EXPECT_FALSE(cal.is_working_day(D("2025-10-04")));
  EXPECT_TRUE(cal.is_working_day(D("2025-10-01")));  // no holidays without data
  const CountedDate due = cal.add_working_days(D("2025-09-26"), 20);
  EXPECT_EQ(due.date, D("2025-10-24"));
  EXPECT_TRUE(due.provisional);
}

TEST(WeekendsOnly, AgreesWithANaiveModelFarFromAnyData) {
  const WorkingCalendar empty;
  check_against_naive(empty, D("1900-01-01"), D("2100-12-31"), 600, 1, 1500);
  // Days on both sides of 1970-01-01, where the day count changes sign.
  check_against_naive(empty, D("1969-11-01"), D("1970-03-01"), 60, 2, 500);
  // The same arithmetic outside a loaded span, on both sides of it.
  check_against_naive(bundled(), D("1960-01-01"), D("2023-12-31"), 600, 3, 800);
  check_against_naive(bundled(), D("2027-01-01"), D("2090-12-31"), 600, 4, 800);
}

TEST(WeekendsOnly, LongSpansUseClosedFormArithmetic) {
  const WorkingCalendar empty;
  // Every five working days is one week; a day-by-day walk would take visibly long here.
  const Date monday = D("2025-03-03");
  EXPECT_EQ(empty.add_working_days(monday, 5 * 100000).date, monday + 7 * 100000);
  EXPECT_EQ(empty.subtract_working_days(monday, 5 * 100000).date, monday - 7 * 100000);
  EXPECT_EQ(empty.working_days_between(monday - 7 * 100000, monday), 5 * 100000);
  // Across the loaded span as well: 251 + 248 + 248 working days instead of 261 + 261 + 261.
  const WorkingCalendar& cal = bundled();
  const Date before = D("2023-12-31");  // a Sunday
  EXPECT_EQ(cal.add_working_days(before, 747).date, D("2026-12-31"));
  const Date after = cal.add_working_days(before, 747 + 5 * 1000).date;
  EXPECT_EQ(after, D("2026-12-31") + 7 * 1000);
  EXPECT_EQ(cal.working_days_between(before, after), 747 + 5 * 1000);
}

TEST(CalendarConstruction, SortsYearsAndTreatsGapsAsWeekendsOnly) {
  const auto loaded = load_calendar_dir(kCalendars);
  // 2024 and 2026 only: 2025 is a gap counted with weekends, and provisional.
  const WorkingCalendar cal({loaded[2], loaded[0]});
  EXPECT_EQ(cal.version(), "2024.1+2026.1");
  EXPECT_FALSE(cal.is_official(2025));
  EXPECT_TRUE(cal.is_working_day(D("2025-10-01")));
  EXPECT_FALSE(cal.is_working_day(D("2026-01-02")));
  EXPECT_FALSE(cal.add_working_days(D("2024-12-20"), 5).provisional);
  EXPECT_TRUE(cal.add_working_days(D("2024-12-27"), 5).provisional);
  EXPECT_EQ(cal.add_working_days(D("2024-12-27"), 5).date, D("2025-01-03"));
  EXPECT_FALSE(cal.add_working_days(D("2026-01-05"), 5).provisional);
  check_against_naive(cal, D("2023-10-01"), D("2027-03-01"), 300, 5, 800);
}

TEST(CalendarConstruction, NonOfficialYearsApplyButStayProvisional) {
  CalendarYear y2027;
  y2027.year = 2027;
  y2027.version = "holiday-cn";
  y2027.official = false;
  y2027.off_days = {D("2027-01-01")};
  auto years = load_calendar_dir(kCalendars);
  years.push_back(y2027);
  const WorkingCalendar cal(years);
  EXPECT_FALSE(cal.is_official(2027));
  EXPECT_FALSE(cal.is_working_day(D("2027-01-01")));
  const CountedDate next = cal.add_working_days(D("2026-12-31"), 1);
  EXPECT_EQ(next.date, D("2027-01-04"));
  EXPECT_TRUE(next.provisional);
  EXPECT_EQ(cal.version(), "2024.1+2025.1+2026.1+2027.holiday-cn");
  check_against_naive(cal, D("2026-06-01"), D("2028-03-01"), 300, 6, 500);
}

TEST(CalendarConstruction, RejectsInconsistentData) {
  CalendarYear a;
  a.year = 2025;
  a.version = "1";
  CalendarYear b = a;
  b.version = "2";
  EXPECT_NE(error_of([&] {
              WorkingCalendar({a, b});
            }).find("2025 is given twice"),
            std::string::npos);

  CalendarYear outside = a;
  outside.off_days = {D("2026-01-01")};
  std::string message = error_of([&] { WorkingCalendar({outside}); });
  EXPECT_NE(message.find("2026-01-01"), std::string::npos) << message;
  EXPECT_NE(message.find("outside the year"), std::string::npos) << message;

  CalendarYear work_outside = a;
  work_outside.work_days = {D("2024-12-29")};
  EXPECT_NE(error_of([&] { WorkingCalendar({work_outside}); }).find("outside"), std::string::npos);

  CalendarYear both = a;
  both.off_days = {D("2025-02-08")};
  both.work_days = {D("2025-02-08")};
  message = error_of([&] { WorkingCalendar({both}); });
  EXPECT_NE(message.find("2025-02-08 is listed both"), std::string::npos) << message;
}

// --- YAML ------------------------------------------------------------------------------------

TEST(CalendarYaml, ParsesRangesAndMakeUpDays) {
  const CalendarYear y = parse_calendar_yaml(
      "year: 2025\n"
      "version: \"1\"\n"
      "source: 通知\n"
      "off:\n"
      "  - 2025-01-01          # 元旦\n"
      "  - 2025-01-28..2025-02-04\n"
      "work:\n"
      "  - 2025-01-26\n",
      "2025.yaml");
  EXPECT_EQ(y.year, 2025);
  EXPECT_EQ(y.version, "1");
  EXPECT_EQ(y.source, "通知");
  EXPECT_TRUE(y.official);
  ASSERT_EQ(y.off_days.size(), 9u);
  EXPECT_EQ(y.off_days.front(), D("2025-01-01"));
  EXPECT_EQ(y.off_days[1], D("2025-01-28"));
  EXPECT_EQ(y.off_days.back(), D("2025-02-04"));
  ASSERT_EQ(y.work_days.size(), 1u);
  EXPECT_EQ(y.work_days[0], D("2025-01-26"));
}

TEST(CalendarYaml, AcceptsAnUnquotedVersionAndEmptyLists) {
  const CalendarYear y =
      parse_calendar_yaml("year: 2030\nversion: 2\nsource: x\noff: []\nwork:\n", "2030.yaml");
  EXPECT_EQ(y.version, "2");
  EXPECT_TRUE(y.off_days.empty());
  EXPECT_TRUE(y.work_days.empty());
}

TEST(CalendarYaml, RoundTripsThroughTheWriter) {
  for (const CalendarYear& original : load_calendar_dir(kCalendars)) {
    const std::string text = calendar_year_to_yaml(original);
    const CalendarYear back = parse_calendar_yaml(text, "written.yaml");
    EXPECT_EQ(back.year, original.year);
    EXPECT_EQ(back.version, original.version);
    EXPECT_EQ(back.source, original.source);
    EXPECT_EQ(back.official, original.official);
    EXPECT_EQ(back.off_days, original.off_days);
    EXPECT_EQ(back.work_days, original.work_days);
  }
  // Collapsed into ranges, as a person would write it.
  const std::string text = calendar_year_to_yaml(load_calendar_dir(kCalendars)[1]);
  EXPECT_NE(text.find("2025-01-28..2025-02-04"), std::string::npos) << text;

  CalendarYear awkward;
  awkward.year = 2027;
  awkward.version = "holiday-cn";
  awkward.source = "a: b # not a comment; \"quoted\", 'single'\n second line";
  awkward.official = false;
  awkward.off_days = {D("2027-10-03"), D("2027-10-01"), D("2027-10-02"), D("2027-12-31")};
  const CalendarYear back = parse_calendar_yaml(calendar_year_to_yaml(awkward), "w.yaml");
  EXPECT_EQ(back.source, awkward.source);
  EXPECT_FALSE(back.official);
  EXPECT_EQ(back.off_days, (std::vector<Date>{D("2027-10-01"), D("2027-10-02"), D("2027-10-03"),
                                              D("2027-12-31")}));
  EXPECT_TRUE(back.work_days.empty());

  // Found by fuzzing: a source ending in a carriage return was written plain, and a plain
  // scalar loses blanks at its ends, so the year read back differed. Such text is quoted.
  for (const std::string& source : std::vector<std::string>{
           "国务院办公厅关于 \r", " leading blank", "trailing tab\t", "two\r\nlines",
           "bell \x07 inside", "\n", "plain 文本 stays plain"}) {
    SCOPED_TRACE(source);
    awkward.source = source;
    const std::string written = calendar_year_to_yaml(awkward);
    EXPECT_EQ(parse_calendar_yaml(written, "w.yaml").source, source) << written;
  }
  awkward.source = "plain 文本 stays plain";
  EXPECT_NE(calendar_year_to_yaml(awkward).find("source: plain 文本 stays plain\n"),
            std::string::npos);
}

struct YamlErrorCase {
  std::string text;
  const char* expected;  // substring of the message, which starts with FILE:LINE
};

TEST(CalendarYaml, ErrorsNameTheFileAndLine) {
  const YamlErrorCase cases[] = {
      {"year: 2025\noff:\n  - 2025-13-01\n", "bad.yaml:3: bad date '2025-13-01'"},
      {"year: 2025\noff:\n  - 2025-01-01\n  - 2025-2-1\n", "bad.yaml:4: bad date '2025-2-1'"},
      {"year: 2025\noff:\n  - 2025-02-04..2025-01-28\n",
       "bad.yaml:3: range '2025-02-04..2025-01-28' runs backwards"},
      {"year: 2025\noff:\n  - 2025-01-01..2025-01-xx\n", "bad.yaml:3: bad date '2025-01-xx'"},
      {"year: 2025\nwork:\n  - 2024-12-29\n",
       "bad.yaml:3: '2024-12-29' lies outside the year 2025"},
      {"year: 2025\noff:\n  - 2025-12-31..2026-01-01\n",
       "bad.yaml:3: '2025-12-31..2026-01-01' lies outside"},
      {"year: 2025\nholidays:\n  - 2025-01-01\n", "bad.yaml:2: unknown key 'holidays'"},
      {"version: \"1\"\noff: []\n", "bad.yaml:1: missing 'year'"},
      {"", "bad.yaml: missing 'year'"},
      {"# only a comment\n", "bad.yaml: missing 'year'"},
      {"year: 2025\noff:\n  - 2025-10-01..2025-10-08\nwork:\n  - 2025-09-28\n  - 2025-10-05\n",
       "bad.yaml:6: 2025-10-05 is listed in 'work' and also in 'off' (line 3)"},
      {"year: twenty\n",
       "bad.yaml:1: 'year' must be a four-digit year from 1000 to 9999, not 'twenty'"},
      // Found by fuzzing: 0506 loaded as 506 and was written back as a year this check refused.
      {"year: 0506\n",
       "bad.yaml:1: 'year' must be a four-digit year from 1000 to 9999, not '0506'"},
      // Found by fuzzing: stray bytes loaded into the version and broke the YAML round trip.
      {"year: 2025\nversion: \"1\xff\"\n", "bad.yaml: not valid UTF-8 (byte 22)"},
      // Found by fuzzing: a NUL in a value loaded as stray bytes, and the YAML written from it
      // could not be loaded again.
      {std::string("year: 2026\nsource: \0_   0  # x\n", 31),
       "bad.yaml:2: 'source' is not valid UTF-8"},
      {"year: [2025]\n", "bad.yaml:1: 'year' must be a single value"},
      {"year: 2025\noff: 2025-01-01\n", "bad.yaml:2: 'off' must be a list of dates"},
      {"year: 2025\noff:\n  - [2025-01-01]\n", "bad.yaml:3: 'off' entries must be dates or ranges"},
      {"year: 2025\nyear: 2026\n", "bad.yaml:2: 'year' given twice"},
      {"year: 2025\nofficial: maybe\n", "bad.yaml:2: 'official' must be true or false"},
      {"- 2025-01-01\n", "bad.yaml:1: expected a mapping"},
      {"year: 2025\noff: [2025-01-01\n", "bad.yaml:"},  // yaml-cpp's own syntax message
      {"year: 2025\n  off:\n - x\n", "bad.yaml:"},
  };
  for (const YamlErrorCase& c : cases) {
    SCOPED_TRACE(c.text);
    const std::string message = error_of([&] { parse_calendar_yaml(c.text, "bad.yaml"); });
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
    EXPECT_EQ(message.rfind("bad.yaml", 0), 0u) << message;
  }
}

TEST(CalendarYaml, SyntaxErrorsCarryTheLine) {
  const std::string message =
      error_of([] { parse_calendar_yaml("year: 2025\nsource: x\noff: [2025-01-01\n", "s.yaml"); });
  // The unclosed flow sequence is noticed at the end of the text, past line 3.
  EXPECT_TRUE(message.rfind("s.yaml:3:", 0) == 0 || message.rfind("s.yaml:4:", 0) == 0) << message;
}

TEST(CalendarYaml, LoadsADirectoryInNameOrderAndRejectsDuplicates) {
  fixture::TempDir dir;
  std::ofstream(dir / "b.yaml") << "year: 2024\nversion: \"1\"\n";
  std::ofstream(dir / "a.yaml") << "year: 2026\nversion: \"1\"\n";
  std::ofstream(dir / "notes.txt") << "not a calendar";
  const auto years = load_calendar_dir(dir.path().string());
  ASSERT_EQ(years.size(), 2u);
  EXPECT_EQ(years[0].year, 2026);  // a.yaml first
  EXPECT_EQ(years[1].year, 2024);

  std::ofstream(dir / "c.yaml") << "year: 2024\nversion: \"2\"\n";
  std::string message = error_of([&] { load_calendar_dir(dir.path().string()); });
  EXPECT_NE(message.find("c.yaml: year 2024 is already defined in"), std::string::npos) << message;
  EXPECT_NE(message.find("b.yaml"), std::string::npos) << message;

  std::ofstream(dir / "c.yaml") << "year: 2027\noff:\n  - 2027-02-30\n";
  message = error_of([&] { load_calendar_dir(dir.path().string()); });
  EXPECT_NE(message.find("c.yaml:3: bad date '2027-02-30'"), std::string::npos) << message;

  message = error_of([&] { load_calendar_dir((dir / "missing").string()); });
  EXPECT_NE(message.find("cannot read calendar directory"), std::string::npos) << message;
}

TEST(CalendarYaml, MergeReplacesWholeYears) {
  auto base = load_calendar_dir(kCalendars);
  CalendarYear new2025;
  new2025.year = 2025;
  new2025.version = "2";
  new2025.off_days = {D("2025-01-01")};
  CalendarYear new2023;
  new2023.year = 2023;
  new2023.version = "1";
  const auto merged = merge_calendar_years(base, {new2025, new2023});
  ASSERT_EQ(merged.size(), 4u);
  EXPECT_EQ(merged[0].year, 2023);
  EXPECT_EQ(merged[2].year, 2025);
  EXPECT_EQ(merged[2].version, "2");
  EXPECT_EQ(merged[2].off_days.size(), 1u);
  EXPECT_EQ(merged[1].off_days, base[0].off_days);
  EXPECT_EQ(WorkingCalendar(merged).version(), "2023.1+2024.1+2025.2+2026.1");
  EXPECT_EQ(merge_calendar_years(base, {}).size(), 3u);
}

}  // namespace
}  // namespace disclose
