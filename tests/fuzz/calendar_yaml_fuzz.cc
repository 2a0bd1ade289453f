// Fuzzes the bundled calendar format (workflows/calendars/*.yaml): parse_calendar_yaml throws
// only CalendarError for bad data; a year it accepts serialises back to YAML that parses to the
// same year (calendar_year_to_yaml promises the round trip), and a calendar built from it (when
// the calendar accepts it) answers date arithmetic across and beyond its span.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.h"

namespace {

bool same_year(const disclose::CalendarYear& a, const disclose::CalendarYear& b) {
  return a.year == b.year && a.version == b.version && a.source == b.source &&
         a.official == b.official && a.off_days == b.off_days && a.work_days == b.work_days;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace disclose;
  std::string text(reinterpret_cast<const char*>(data), size);
  CalendarYear year;
  try {
    year = parse_calendar_yaml(text, "fuzz.yaml");
  } catch (const CalendarError& e) {
    if (std::string(e.what()).rfind("fuzz.yaml", 0) != 0)
      fuzz::finding(std::string("an error that does not name the file: ") + e.what());
    return 0;
  }

  const std::string written = calendar_year_to_yaml(year);
  CalendarYear again;
  try {
    again = parse_calendar_yaml(written, "written.yaml");
  } catch (const CalendarError& e) {
    fuzz::finding(std::string("written YAML does not parse: ") + e.what() + "\n" + written);
  }
  if (!same_year(year, again)) fuzz::finding("the YAML round trip changed the year:\n" + written);

  try {
    WorkingCalendar calendar({year});
    const Date first = Date::from_ymd(year.year, 1, 1);
    for (Date from : {first - 1, first + 40, first + 364}) {
      for (int n : {0, 1, 20, 40, 400}) {
        CountedDate due = calendar.add_working_days(from, n);
        CountedDate back = calendar.subtract_working_days(due.date, n);
        if (n > 0 && calendar.working_days_between(from, due.date) != n)
          fuzz::finding("working_days_between disagrees with add_working_days");
        (void)back;
        (void)calendar.is_provisional(from, due.date);
      }
    }
    (void)calendar.version();
  } catch (const CalendarError&) {
    // A year the calendar cannot hold is refused with a message; that is the contract.
  }
  return 0;
}
