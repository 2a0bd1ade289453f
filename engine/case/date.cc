#include "disclose/date.h"

#include <cstdio>
#include <stdexcept>

namespace disclose {
namespace {

std::chrono::year_month_day ymd_of(Date d) {
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{d.days()}}};
}

bool all_digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

}  // namespace

Date Date::from_ymd(int year, unsigned month, unsigned day) {
  std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                  std::chrono::day{day}};
  if (!ymd.ok()) throw std::invalid_argument("no such date");
  return Date(static_cast<int32_t>(std::chrono::sys_days{ymd}.time_since_epoch().count()));
}

std::optional<Date> Date::parse(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto y = text.substr(0, 4), m = text.substr(5, 2), d = text.substr(8, 2);
  if (!all_digits(y) || !all_digits(m) || !all_digits(d)) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{to_int(y)},
                                  std::chrono::month{static_cast<unsigned>(to_int(m))},
                                  std::chrono::day{static_cast<unsigned>(to_int(d))}};
  if (!ymd.ok()) return std::nullopt;
  return Date(static_cast<int32_t>(std::chrono::sys_days{ymd}.time_since_epoch().count()));
}

int Date::year() const {
  return static_cast<int>(ymd_of(*this).year());
}
unsigned Date::month() const {
  return static_cast<unsigned>(ymd_of(*this).month());
}
unsigned Date::day() const {
  return static_cast<unsigned>(ymd_of(*this).day());
}

namespace {

// Fixed-width decimal digits, most significant first (dates and times are formatted on every
// read of a case and every exported event, so without printf).
char* put_digits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

// "YYYY-MM-DD" into `out` (at least 10 chars); false for a year outside 0..9999.
bool put_date(char* out, Date date) {
  auto ymd = ymd_of(date);
  int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) return false;
  out = put_digits(out, static_cast<unsigned>(year), 4);
  *out++ = '-';
  out = put_digits(out, static_cast<unsigned>(ymd.month()), 2);
  *out++ = '-';
  put_digits(out, static_cast<unsigned>(ymd.day()), 2);
  return true;
}

}  // namespace

std::string Date::str() const {
  char buf[16];
  if (put_date(buf, *this)) return std::string(buf, 10);
  auto ymd = ymd_of(*this);
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string format_instant(Instant at, int utc_offset_minutes) {
  auto local = at + std::chrono::minutes{utc_offset_minutes};
  auto day = std::chrono::floor<std::chrono::days>(local);
  std::chrono::hh_mm_ss hms{local - day};
  Date d = Date::from_days(static_cast<int32_t>(day.time_since_epoch().count()));
  char buf[48];
  const auto hours = static_cast<unsigned>(hms.hours().count());
  const auto minutes = static_cast<unsigned>(hms.minutes().count());
  const auto seconds = static_cast<unsigned>(hms.seconds().count());
  if (utc_offset_minutes == 0 && put_date(buf, d)) {
    char* out = buf + 10;
    *out++ = 'T';
    out = put_digits(out, hours, 2);
    *out++ = ':';
    out = put_digits(out, minutes, 2);
    *out++ = ':';
    out = put_digits(out, seconds, 2);
    *out++ = 'Z';
    return std::string(buf, out);
  }
  if (utc_offset_minutes == 0) {
    std::snprintf(buf, sizeof buf, "%sT%02u:%02u:%02uZ", d.str().c_str(), hours, minutes, seconds);
  } else {
    int off = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
    std::snprintf(buf, sizeof buf, "%sT%02u:%02u:%02u%c%02d:%02d", d.str().c_str(), hours, minutes,
                  seconds, utc_offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  }
  return buf;
}

std::optional<Instant> parse_instant(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS(Z|±HH:MM), optional fractional seconds ignored.
  if (text.size() < 20) return std::nullopt;
  auto date = Date::parse(text.substr(0, 10));
  if (!date || (text[10] != 'T' && text[10] != 't' && text[10] != ' ')) return std::nullopt;
  if (text[13] != ':' || text[16] != ':') return std::nullopt;
  auto hh = text.substr(11, 2), mm = text.substr(14, 2), ss = text.substr(17, 2);
  if (!all_digits(hh) || !all_digits(mm) || !all_digits(ss)) return std::nullopt;
  int h = to_int(hh), m = to_int(mm), s = to_int(ss);
  if (h > 23 || m > 59 || s > 60) return std::nullopt;
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    if (i == 1) return std::nullopt;
    rest = rest.substr(i);
  }
  int offset = 0;
  if (rest == "Z" || rest == "z") {
    offset = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
             all_digits(rest.substr(1, 2)) && all_digits(rest.substr(4, 2))) {
    offset = to_int(rest.substr(1, 2)) * 60 + to_int(rest.substr(4, 2));
    if (rest[0] == '-') offset = -offset;
  } else {
    return std::nullopt;
  }
  auto secs = std::chrono::sys_days{std::chrono::days{date->days()}} + std::chrono::hours{h} +
              std::chrono::minutes{m} + std::chrono::seconds{s} - std::chrono::minutes{offset};
  return std::chrono::time_point_cast<std::chrono::seconds>(secs);
}

Date local_date(Instant at, int utc_offset_minutes) {
  auto local = at + std::chrono::minutes{utc_offset_minutes};
  auto day = std::chrono::floor<std::chrono::days>(local);
  return Date::from_days(static_cast<int32_t>(day.time_since_epoch().count()));
}

}  // namespace disclose
