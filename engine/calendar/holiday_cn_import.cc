#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "disclose/calendar.h"

namespace disclose {
namespace {

namespace json = boost::json;

// 1-based line and column of a byte offset. Columns count characters rather than bytes so the
// caret lands on the right place in a file full of Chinese names.
std::string position(const std::string& text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

json::value parse_json(const HolidayCnFile& file) {
  json::stream_parser parser;
  json::error_code ec;
  // write() stops at the offending byte and reports how far it got; finish() only fails on
  // truncated input, whose position is the end of the text.
  const size_t consumed = parser.write(file.text.data(), file.text.size(), ec);
  size_t at = consumed;
  if (!ec) {
    parser.finish(ec);
    at = file.text.size();
  }
  if (ec) {
    throw CalendarError(file.name + ":" + position(file.text, at) + ": " + ec.message());
  }
  return parser.release();
}

[[noreturn]] void schema_error(const HolidayCnFile& file, const std::string& path,
                               const std::string& what) {
  throw CalendarError(file.name + ": " + path + ": " + what);
}

struct DayOrigin {
  bool off;
  std::string where;  // "2025.json days[3]"
};

struct YearData {
  std::set<Date> off, work;
  bool official = false;
  std::vector<std::string> papers;
};

}  // namespace

std::vector<CalendarYear> import_holiday_cn(const std::vector<HolidayCnFile>& files) {
  std::map<int, YearData> years;
  std::map<int, std::string> file_of_year;
  std::map<Date, DayOrigin> seen;

  for (const HolidayCnFile& file : files) {
    const json::value root = parse_json(file);
    const json::object* top = root.if_object();
    if (!top) schema_error(file, "(top level)", "not a JSON object");

    const json::value* year_value = top->if_contains("year");
    if (!year_value) schema_error(file, "year", "missing");
    if (!year_value->is_int64() && !year_value->is_uint64()) {
      schema_error(file, "year", "not an integer");
    }
    const long long file_year =
        year_value->is_int64() ? year_value->as_int64() : static_cast<long long>(-1);
    if (file_year < 1000 || file_year > 9999) schema_error(file, "year", "not a four-digit year");
    const int year = static_cast<int>(file_year);
    if (auto [it, fresh] = file_of_year.emplace(year, file.name); !fresh) {
      schema_error(file, "year", std::to_string(year) + " is also given by " + it->second);
    }
    YearData& own = years[year];
    own.official = true;

    if (const json::value* papers = top->if_contains("papers")) {
      const json::array* list = papers->if_array();
      if (!list) schema_error(file, "papers", "not a list");
      for (size_t i = 0; i < list->size(); ++i) {
        const json::string* paper = (*list)[i].if_string();
        if (!paper) schema_error(file, "papers[" + std::to_string(i) + "]", "not a string");
        own.papers.emplace_back(paper->begin(), paper->end());
      }
    }

    const json::value* days_value = top->if_contains("days");
    if (!days_value) schema_error(file, "days", "missing");
    const json::array* days = days_value->if_array();
    if (!days) schema_error(file, "days", "not a list");
    for (size_t i = 0; i < days->size(); ++i) {
      const std::string entry = "days[" + std::to_string(i) + "]";
      const json::object* day = (*days)[i].if_object();
      if (!day) schema_error(file, entry, "not an object");

      const json::value* name = day->if_contains("name");
      if (!name) schema_error(file, entry + ".name", "missing");
      if (!name->is_string()) schema_error(file, entry + ".name", "not a string");

      const json::value* date_value = day->if_contains("date");
      if (!date_value) schema_error(file, entry + ".date", "missing");
      const json::string* date_text = date_value->if_string();
      std::optional<Date> date;
      if (date_text) date = Date::parse(std::string_view(date_text->data(), date_text->size()));
      if (!date) schema_error(file, entry + ".date", "not a YYYY-MM-DD date");
      // Neighbouring files overlap by a few days around New Year, never by more than a year.
      if (date->year() < year - 1 || date->year() > year + 1) {
        schema_error(file, entry + ".date",
                     date->str() + " is too far from the file's year " + std::to_string(year));
      }

      const json::value* off_value = day->if_contains("isOffDay");
      if (!off_value) schema_error(file, entry + ".isOffDay", "missing");
      if (!off_value->is_bool()) schema_error(file, entry + ".isOffDay", "not true or false");
      const bool off = off_value->as_bool();

      const std::string where = file.name + " " + entry;
      if (auto [it, fresh] = seen.emplace(*date, DayOrigin{off, where}); !fresh) {
        if (it->second.off != off) {
          schema_error(file, entry,
                       date->str() + " is " + (off ? "a day off" : "a working day") + " here but " +
                           (off ? "a working day" : "a day off") + " in " + it->second.where);
        }
        continue;
      }
      YearData& target = years[date->year()];
      (off ? target.off : target.work).insert(*date);
    }
  }

  std::vector<CalendarYear> out;
  for (auto& [number, data] : years) {
    CalendarYear year;
    year.year = number;
    year.version = "holiday-cn";
    year.official = data.official;
    if (data.papers.empty()) {
      year.source = "holiday-cn import";
    } else {
      for (const std::string& paper : data.papers) {
        if (!year.source.empty()) year.source += "; ";
        year.source += paper;
      }
    }
    year.off_days.assign(data.off.begin(), data.off.end());
    year.work_days.assign(data.work.begin(), data.work.end());
    out.push_back(std::move(year));
  }
  return out;
}

}  // namespace disclose
