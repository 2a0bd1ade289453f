// disclose calendar due | import | show
#include <charconv>
#include <iostream>
#include <string>

#include "disclose/calendar_import.h"
#include "disclose/commands.h"

namespace disclose::cli {
namespace {

// Parses "YYYY-MM-DD,N" into its parts; returns an error message or "".
std::string parse_batch_line(std::string_view line, Date& from, int& n) {
  size_t comma = line.find(',');
  if (comma == std::string_view::npos) return "expected YYYY-MM-DD,N";
  auto date = Date::parse(line.substr(0, comma));
  if (!date) return "not a valid date: '" + std::string(line.substr(0, comma)) + "'";
  std::string_view count = line.substr(comma + 1);
  if (!count.empty() && count.back() == '\r') count.remove_suffix(1);
  auto [ptr, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
  if (ec != std::errc() || ptr != count.data() + count.size() || count.empty())
    return "not a whole number of working days: '" + std::string(count) + "'";
  if (n < 0 || n > 100000) return "working days must be between 0 and 100000";
  from = *date;
  return "";
}

void due_batch(const WorkingCalendar& calendar, Io& io) {
  std::string line, output;
  output.reserve(1 << 16);
  long long line_number = 0, bad = 0;
  while (std::getline(io.in, line)) {
    ++line_number;
    if (line.empty() || line == "\r") continue;
    Date from;
    int n = 0;
    std::string problem = parse_batch_line(line, from, n);
    if (!problem.empty()) {
      if (++bad <= 20) io.err << "line " << line_number << ": " << problem << "\n";
      continue;
    }
    Date due = calendar.add_working_days(from, n).date;
    output.append(from.str()).push_back(',');
    output.append(std::to_string(n)).push_back(',');
    output.append(due.str()).push_back('\n');
    if (output.size() > (1 << 16) - 64) {
      io.out.write(output.data(), static_cast<std::streamsize>(output.size()));
      output.clear();
    }
  }
  io.out.write(output.data(), static_cast<std::streamsize>(output.size()));
  if (bad > 20) io.err << "… " << (bad - 20) << " more bad lines\n";
  if (bad > 0) throw CliError(2, std::to_string(bad) + " bad line(s) in the batch");
}

}  // namespace

void add_calendar_commands(CLI::App& app, Context& context, Io& io) {
  auto* calendar = app.add_subcommand("calendar", "working-day calendar (工作日)");
  calendar->require_subcommand(1);

  auto* due = calendar->add_subcommand(
      "due", "the N-th working day strictly after a date (the start day is day 0)");
  auto from = std::make_shared<std::string>();
  auto days = std::make_shared<int>(-1);
  auto batch = std::make_shared<bool>(false);
  due->add_option("--from", *from, "start date YYYY-MM-DD");
  due->add_option("--working-days", *days, "N")->check(CLI::Range(0, 100000));
  due->add_flag("--batch", *batch, "read YYYY-MM-DD,N lines on stdin, print YYYY-MM-DD,N,DUE");
  due->callback([&context, &io, from, days, batch] {
    const WorkingCalendar& cal = context.calendar();
    if (*batch) return due_batch(cal, io);
    if (from->empty() || *days < 0)
      throw CliError(2, "calendar due: give --from DATE and --working-days N, or --batch");
    auto start = Date::parse(*from);
    if (!start) throw CliError(2, "--from: not a valid date YYYY-MM-DD: '" + *from + "'");
    CountedDate result = cal.add_working_days(*start, *days);
    io.out << result.date.str() << "\n";
    if (result.provisional)
      io.err << "provisional: counted past the official calendar data (" << cal.version()
             << "); weekends only\n";
  });

  auto* import = calendar->add_subcommand(
      "import", "import holiday-cn JSON files into the database and recompute open deadlines");
  auto files = std::make_shared<std::vector<std::string>>();
  import->add_option("files", *files, "holiday-cn JSON files")->required();
  import->callback([&context, &io, files] {
    std::vector<HolidayCnFile> inputs;
  for (const auto& path : *files) inputs.push_back({path, read_input(path, io.in)});
  std::vector<CalendarYear> years;
  try {
    years = import_holiday_cn(inputs);
  } catch (const CalendarError& e) {
    throw CliError(2, e.what());
  }
  CalendarImportSummary summary;
  try {
    summary = import_calendar_years(context, years);
  } catch (const CalendarError& e) {
    throw CliError(2, e.what());
  }
  for (const auto& y : years)
    io.out << "imported " << y.year << (y.official ? "" : " (partial, not official)") << ": "
           << y.off_days.size() << " days off, " << y.work_days.size() << " make-up working days\n";
  io.out << "calendar " << summary.calendar_version << "; " << summary.cases_checked
         << " open case(s) checked, " << summary.cases_changed << " with changed deadlines\n";
});

auto* show = calendar->add_subcommand("show", "the calendar years in force");
show->callback([&context, &io] {
  const WorkingCalendar& cal = context.calendar();
  io.out << "calendar " << cal.version() << "\n";
  for (const auto& y : cal.years()) {
    Date first = Date::from_ymd(y.year, 1, 1), last = Date::from_ymd(y.year, 12, 31);
    io.out << y.year << (y.official ? "" : " (partial)") << ": "
           << cal.working_days_between(first - 1, last) << " working days; version " << y.version
           << "; " << y.source << "\n";
  }
});
}  // namespace disclose::cli

}  // namespace disclose::cli
