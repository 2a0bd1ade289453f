// Fuzzes the holiday-cn import behind `disclose calendar import`: up to three JSON files per
// input, separated by a line "%%". import_holiday_cn throws only CalendarError for bad input;
// what it accepts is merged over the bundled years exactly as the CLI does, and a calendar that
// accepts the merge answers date arithmetic over the imported years.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace disclose;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::vector<HolidayCnFile> files;
  while (files.size() < 3) {
    std::size_t end = rest.find("\n%%\n");
    files.push_back(
        {"f" + std::to_string(files.size()) + ".json", std::string(rest.substr(0, end))});
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 4);
  }

  std::vector<CalendarYear> years;
  try {
    years = import_holiday_cn(files);
  } catch (const CalendarError& e) {
    if (std::string(e.what()).rfind("f", 0) != 0)
      fuzz::finding(std::string("an error that does not name the file: ") + e.what());
    return 0;
  }

  static const std::vector<CalendarYear> bundled =
      load_calendar_dir(fuzz::kWorkflowDir + "/calendars");
  std::vector<CalendarYear> merged = merge_calendar_years(bundled, years);
  try {
    WorkingCalendar calendar(merged);
    for (const CalendarYear& y : years) {
      const Date first = Date::from_ymd(y.year, 1, 1);
      for (int n : {0, 1, 20, 40, 100000}) {
        CountedDate due = calendar.add_working_days(first, n);
        if (n > 0 && calendar.working_days_between(first, due.date) != n)
          fuzz::finding("working_days_between disagrees with add_working_days");
        (void)calendar.subtract_working_days(due.date, n);
      }
      (void)calendar_year_to_yaml(y);
    }
    (void)calendar.version();
  } catch (const CalendarError&) {
    // Refused with a message before anything is saved (the CLI checks the same way).
  }
  return 0;
}
