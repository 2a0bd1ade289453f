// The working-day calendar (工作日): Monday–Friday, minus the State Council's holidays, plus its
// make-up working weekend days (调休上班). Only the annual notice fixes them, so each year's data
// carries its version and source; a date outside every official year is counted with weekends
// only and any result that depends on it is `provisional` (DESIGN.md §3).
//
// Counting rule: the start day is day 0; "N working days from D" is the N-th working day strictly
// after D. All queries are O(1) or O(log n) over the loaded span: no day-by-day loops.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "disclose/date.h"

namespace disclose {

// One year of official data, as published in the State Council's annual notice.
struct CalendarYear {
  int year = 0;
  std::string version;          // our revision of this year's data, e.g. "1"
  std::string source;           // the notice it comes from
  std::vector<Date> off_days;   // holidays (any listed day off; weekends may be listed too)
  std::vector<Date> work_days;  // make-up working days (weekend days worked)
  // False for a year known only from days that sat in a neighbouring year's holiday-cn file:
  // its listed days apply, but counting across it stays provisional.
  bool official = true;
};

// A calculated date and whether it relied on days outside the official data.
struct CountedDate {
  Date date;
  bool provisional = false;
};

class CalendarError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class WorkingCalendar {
 public:
  // Weekends only; every result is provisional.
  WorkingCalendar();
  // Throws CalendarError when two entries for the same year are given, or a listed day falls
  // outside its year, or a day is both off and work.
  explicit WorkingCalendar(std::vector<CalendarYear> years);

  bool is_working_day(Date day) const;
  // True when `year` has official data.
  bool is_official(int year) const;

  // The N-th working day strictly after `from` (n >= 0; n == 0 gives `from`).
  CountedDate add_working_days(Date from, int n) const;
  // The N-th working day strictly before `from` (n >= 0; n == 0 gives `from`).
  CountedDate subtract_working_days(Date from, int n) const;
  // Number of working days d with from < d <= to; 0 when to <= from.
  int working_days_between(Date from, Date to) const;
  // True when some day in (from, to] lies outside the official years.
  bool is_provisional(Date from, Date to) const;

  // Identifies the data used, for explanations: "2024.1+2025.1+2026.1" ("weekends-only" if none).
  std::string version() const;
  const std::vector<CalendarYear>& years() const { return years_; }

 private:
  // Working days in [epoch, day) where epoch is the first day of the first loaded year; valid
  // for any day (weekend arithmetic outside the official span).
  long long rank(Date day) const;
  bool official_day(Date day) const;

  std::vector<CalendarYear> years_;  // sorted by year, contiguous or not
  Date span_begin_;                  // first day of the first loaded year
  Date span_end_;                    // day after the last day of the last official year
  std::vector<int> prefix_;          // prefix_[i] = working days in [span_begin_, span_begin_+i)
  std::vector<int32_t> working_offsets_;  // offsets of the working days inside the span, ascending
};

// Reads one year's data in our YAML format (see workflows/calendars/README.md).
// Throws CalendarError naming `file_name` and the line on malformed data.
CalendarYear parse_calendar_yaml(const std::string& text, const std::string& file_name);
// Loads every *.yaml in a directory (sorted by name).
std::vector<CalendarYear> load_calendar_dir(const std::string& directory);
// Serialises a year back to our YAML format (round-trips through parse_calendar_yaml).
std::string calendar_year_to_yaml(const CalendarYear& year);

// One holiday-cn JSON file: {"year":2025,"papers":[…],"days":[{"name","date","isOffDay"},…]}.
struct HolidayCnFile {
  std::string name;  // for error messages
  std::string text;
};
// Imports holiday-cn files into whole years. A day is filed under its own calendar year (a
// December day may sit in the next year's file); a year becomes official only when its own file
// is given. Throws CalendarError naming the file and the position (line:column or the index of
// the offending entry) for malformed input.
std::vector<CalendarYear> import_holiday_cn(const std::vector<HolidayCnFile>& files);

// Merges `updates` over `base` by year (an update replaces that year's data).
std::vector<CalendarYear> merge_calendar_years(std::vector<CalendarYear> base,
                                               const std::vector<CalendarYear>& updates);

}  // namespace disclose
