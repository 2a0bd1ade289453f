#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "disclose/calendar.h"
#include "disclose/utf8.h"

namespace disclose {
namespace {

// yaml-cpp marks are 0-based and null nodes carry no position (-1); people count lines from 1.
std::string where(const std::string& file, const YAML::Mark& mark) {
  if (mark.line < 0) return file;
  return file + ":" + std::to_string(mark.line + 1);
}

[[noreturn]] void fail(const std::string& file, const YAML::Node& node, const std::string& what) {
  throw CalendarError(where(file, node.Mark()) + ": " + what);
}

std::string scalar_text(const std::string& file, const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) fail(file, node, "'" + key + "' must be a single value");
  const std::string& text = node.Scalar();
  // The file is checked for UTF-8 before parsing, but yaml-cpp turns a NUL in a plain scalar
  // into bytes that are not (found by fuzzing): the value could not be written back as YAML
  // that loads again, so it is refused here.
  if (!is_utf8(text)) fail(file, node, "'" + key + "' is not valid UTF-8");
  return text;
}

Date parse_day(const std::string& file, const YAML::Node& node, const std::string& text) {
  auto d = Date::parse(text);
  if (!d) fail(file, node, "bad date '" + text + "' (expected YYYY-MM-DD)");
  return *d;
}

// Expands each entry ("DATE" or the inclusive range "DATE..DATE") and remembers where it came
// from, so a later conflict can point at both lines.
std::map<Date, int> read_days(const std::string& file, const YAML::Node& list,
                              const std::string& key, int year) {
  std::map<Date, int> days;
  if (list.IsNull()) return days;
  if (!list.IsSequence()) fail(file, list, "'" + key + "' must be a list of dates");
  for (const YAML::Node& entry : list) {
    if (!entry.IsScalar()) fail(file, entry, "'" + key + "' entries must be dates or ranges");
    const std::string text = entry.Scalar();
    Date first, last;
    if (auto dots = text.find(".."); dots != std::string::npos) {
      first = parse_day(file, entry, text.substr(0, dots));
      last = parse_day(file, entry, text.substr(dots + 2));
      if (last < first) fail(file, entry, "range '" + text + "' runs backwards");
    } else {
      first = last = parse_day(file, entry, text);
    }
    if (first.year() != year || last.year() != year) {
      fail(file, entry, "'" + text + "' lies outside the year " + std::to_string(year));
    }
    const int line = entry.Mark().line + 1;
    for (Date d = first; d <= last; d = d + 1) days.emplace(d, line);
  }
  return days;
}

// Consecutive days collapse into ranges so a written file reads like the notice.
std::vector<std::string> as_ranges(std::vector<Date> days) {
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < days.size();) {
    size_t j = i;
    while (j + 1 < days.size() && days[j + 1] - days[j] == 1) ++j;
    out.push_back(i == j ? days[i].str() : days[i].str() + ".." + days[j].str());
    i = j + 1;
  }
  return out;
}

}  // namespace

CalendarYear parse_calendar_yaml(const std::string& text, const std::string& file_name) {
  // yaml-cpp passes stray bytes through; they would end up in versions shown in JSON and logs.
  if (auto bad = utf8_error_offset(text))
    throw CalendarError(file_name + ": not valid UTF-8 (byte " + std::to_string(*bad) + ")");
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw CalendarError(where(file_name, e.mark) + ": " + e.msg);
  }
  if (root.IsNull()) throw CalendarError(file_name + ": missing 'year'");
  if (!root.IsMap()) fail(file_name, root, "expected a mapping with 'year', 'off' and 'work'");

  CalendarYear year;
  // Default-constructed yaml-cpp nodes count as defined nulls, so presence is tracked apart.
  std::optional<YAML::Node> year_node, off_node, work_node;
  std::set<std::string> seen;
  for (const auto& item : root) {
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : std::string();
    if (!seen.insert(key).second) fail(file_name, item.first, "'" + key + "' given twice");
    if (key == "year") {
      year_node = item.second;
    } else if (key == "version") {
      year.version = scalar_text(file_name, item.second, key);
    } else if (key == "source") {
      year.source = scalar_text(file_name, item.second, key);
    } else if (key == "official") {
      bool official = true;
      if (!item.second.IsScalar() || !YAML::convert<bool>::decode(item.second, official)) {
        fail(file_name, item.second, "'official' must be true or false");
      }
      year.official = official;
    } else if (key == "off") {
      off_node = item.second;
    } else if (key == "work") {
      work_node = item.second;
    } else {
      fail(file_name, item.first,
           "unknown key '" + key + "' (expected year, version, source, official, off, work)");
    }
  }

  if (!year_node) throw CalendarError(where(file_name, root.Mark()) + ": missing 'year'");
  const std::string year_text = scalar_text(file_name, *year_node, "year");
  // From 1000, as the holiday-cn import: "0506" would be written back as 506, which this very
  // check would then refuse.
  if (year_text.size() != 4 || year_text[0] == '0' ||
      !std::all_of(year_text.begin(), year_text.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    fail(file_name, *year_node,
         "'year' must be a four-digit year from 1000 to 9999, not '" + year_text + "'");
  }
  year.year = std::stoi(year_text);

  const auto off =
      off_node ? read_days(file_name, *off_node, "off", year.year) : std::map<Date, int>{};
  const auto work =
      work_node ? read_days(file_name, *work_node, "work", year.year) : std::map<Date, int>{};
  for (const auto& [day, line] : work) {
    if (auto it = off.find(day); it != off.end()) {
      throw CalendarError(file_name + ":" + std::to_string(line) + ": " + day.str() +
                          " is listed in 'work' and also in 'off' (line " +
                          std::to_string(it->second) + ")");
    }
  }
  for (const auto& entry : off) year.off_days.push_back(entry.first);
  for (const auto& entry : work) year.work_days.push_back(entry.first);
  return year;
}

std::vector<CalendarYear> load_calendar_dir(const std::string& directory) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".yaml" && it->is_regular_file()) files.push_back(it->path());
  }
  if (ec) throw CalendarError(directory + ": cannot read calendar directory: " + ec.message());
  std::sort(files.begin(), files.end());

  std::vector<CalendarYear> years;
  std::map<int, std::string> origin;
  for (const fs::path& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) throw CalendarError(path.string() + ": cannot read");
    CalendarYear year = parse_calendar_yaml(text.str(), path.string());
    if (auto [it, fresh] = origin.emplace(year.year, path.string()); !fresh) {
      throw CalendarError(path.string() + ": year " + std::to_string(year.year) +
                          " is already defined in " + it->second);
    }
    years.push_back(std::move(year));
  }
  return years;
}

namespace {

// yaml-cpp writes some text plain that does not read back the same: a plain scalar loses blanks
// and carriage returns at its ends, and control characters need escapes. Those go
// double-quoted; ordinary text stays plain, as in the bundled files.
bool needs_double_quotes(const std::string& text) {
  if (text.empty()) return false;
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  if (blank(text.front()) || blank(text.back())) return true;
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

}  // namespace

std::string calendar_year_to_yaml(const CalendarYear& year) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "year" << YAML::Value << year.year;
  out << YAML::Key << "version" << YAML::Value << YAML::DoubleQuoted << year.version;
  out << YAML::Key << "source" << YAML::Value;
  if (needs_double_quotes(year.source)) out << YAML::DoubleQuoted;
  out << year.source;
  if (!year.official) out << YAML::Key << "official" << YAML::Value << false;
  auto list = [&out](const char* key, const std::vector<Date>& days) {
    out << YAML::Key << key << YAML::Value;
    const auto ranges = as_ranges(days);
    if (ranges.empty()) out << YAML::Flow;
    out << YAML::BeginSeq;
    for (const std::string& r : ranges) out << r;
    out << YAML::EndSeq;
  };
  list("off", year.off_days);
  list("work", year.work_days);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::vector<CalendarYear> merge_calendar_years(std::vector<CalendarYear> base,
                                               const std::vector<CalendarYear>& updates) {
  for (const CalendarYear& update : updates) {
    auto it = std::find_if(base.begin(), base.end(),
                           [&](const CalendarYear& y) { return y.year == update.year; });
    if (it != base.end()) {
      *it = update;
    } else {
      base.push_back(update);
    }
  }
  std::sort(base.begin(), base.end(),
            [](const CalendarYear& a, const CalendarYear& b) { return a.year < b.year; });
  return base;
}

}  // namespace disclose
