#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "disclose/calendar.h"

namespace disclose {
namespace {

// Floor division and modulo: dates before 1970 (and before any reference day) have negative
// offsets, and truncating division would shift the weekly pattern by one week there.
constexpr long long floor_div(long long a, long long b) {
  long long q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
constexpr long long floor_mod(long long a, long long b) {
  return a - floor_div(a, b) * b;
}

// 1970-01-05 was a Monday; measuring from a Monday makes the weekly pattern start with the five
// weekdays, so both directions below are a division and a min().
constexpr long long kMondayDays = 4;

// Weekdays (Mon–Fri) in [1970-01-05, day), negative for earlier days: a closed form, so spans
// without data cost O(1) however long they are.
long long weekdays_before(Date day) {
  long long t = day.days() - kMondayDays;
  return floor_div(t, 7) * 5 + std::min<long long>(floor_mod(t, 7), 5);
}

// The weekday d with weekdays_before(d) == count (the inverse of the function above).
Date weekday_at(long long count) {
  long long t = floor_div(count, 5) * 7 + floor_mod(count, 5);
  return Date::from_days(static_cast<int32_t>(t + kMondayDays));
}

Date first_of_year(int year) {
  return Date::from_ymd(year, 1, 1);
}

}  // namespace

WorkingCalendar::WorkingCalendar() : prefix_{0} {}

WorkingCalendar::WorkingCalendar(std::vector<CalendarYear> years) : years_(std::move(years)) {
  std::sort(years_.begin(), years_.end(),
            [](const CalendarYear& a, const CalendarYear& b) { return a.year < b.year; });
  for (size_t i = 1; i < years_.size(); ++i) {
    if (years_[i].year == years_[i - 1].year) {
      throw CalendarError("calendar: year " + std::to_string(years_[i].year) +
                          " is given twice (versions " + years_[i - 1].version + " and " +
                          years_[i].version + ")");
    }
  }
  if (years_.empty()) {
    prefix_ = {0};
    return;
  }

  span_begin_ = first_of_year(years_.front().year);
  span_end_ = first_of_year(years_.back().year + 1);
  const int32_t length = span_end_ - span_begin_;

  // 0 = follow the weekday rule, 1 = listed off, 2 = listed work.
  std::vector<unsigned char> listed(static_cast<size_t>(length), 0);
  for (const CalendarYear& y : years_) {
    auto mark = [&](const std::vector<Date>& days, unsigned char kind, const char* what) {
      for (Date d : days) {
        if (d.year() != y.year) {
          throw CalendarError("calendar " + std::to_string(y.year) + ": " + what + " day " +
                              d.str() + " lies outside the year");
        }
        unsigned char& slot = listed[static_cast<size_t>(d - span_begin_)];
        if (slot != 0 && slot != kind) {
          throw CalendarError("calendar " + std::to_string(y.year) + ": " + d.str() +
                              " is listed both as a day off and as a working day");
        }
        slot = kind;
      }
    };
    mark(y.off_days, 1, "off");
    mark(y.work_days, 2, "work");
  }

  prefix_.assign(static_cast<size_t>(length) + 1, 0);
  working_offsets_.reserve(static_cast<size_t>(length) * 5 / 7 + 8);
  for (int32_t i = 0; i < length; ++i) {
    Date d = span_begin_ + i;
    bool working =
        listed[static_cast<size_t>(i)] == 0 ? !d.is_weekend() : listed[static_cast<size_t>(i)] == 2;
    prefix_[static_cast<size_t>(i) + 1] = prefix_[static_cast<size_t>(i)] + (working ? 1 : 0);
    if (working) working_offsets_.push_back(i);
  }
}

long long WorkingCalendar::rank(Date day) const {
  if (day < span_begin_) return weekdays_before(day) - weekdays_before(span_begin_);
  if (day > span_end_) {
    return prefix_.back() + weekdays_before(day) - weekdays_before(span_end_);
  }
  return prefix_[static_cast<size_t>(day - span_begin_)];
}

bool WorkingCalendar::is_working_day(Date day) const {
  if (day < span_begin_ || day >= span_end_) return !day.is_weekend();
  size_t i = static_cast<size_t>(day - span_begin_);
  return prefix_[i + 1] != prefix_[i];
}

bool WorkingCalendar::is_official(int year) const {
  auto it = std::lower_bound(years_.begin(), years_.end(), year,
                             [](const CalendarYear& y, int value) { return y.year < value; });
  return it != years_.end() && it->year == year && it->official;
}

bool WorkingCalendar::official_day(Date day) const {
  return is_official(day.year());
}

CountedDate WorkingCalendar::add_working_days(Date from, int n) const {
  // The header asks for n >= 0; a negative count is read as counting backwards rather than
  // silently answering `from`.
  if (n < 0) return subtract_working_days(from, -n);
  if (n == 0) return {from, false};
  // The wanted day is the working day with exactly rank(from + 1) + n - 1 working days before it.
  long long k = rank(from + 1) + n - 1;
  Date result;
  const auto inside = static_cast<long long>(working_offsets_.size());
  if (k < 0) {
    result = weekday_at(weekdays_before(span_begin_) + k);
  } else if (k < inside) {
    result = span_begin_ + working_offsets_[static_cast<size_t>(k)];
  } else {
    result = weekday_at(weekdays_before(span_end_) + (k - inside));
  }
  return {result, is_provisional(from, result)};
}

CountedDate WorkingCalendar::subtract_working_days(Date from, int n) const {
  if (n < 0) return add_working_days(from, -n);
  if (n == 0) return {from, false};
  long long k = rank(from) - n;
  Date result;
  const auto inside = static_cast<long long>(working_offsets_.size());
  if (k < 0) {
    result = weekday_at(weekdays_before(span_begin_) + k);
  } else if (k < inside) {
    result = span_begin_ + working_offsets_[static_cast<size_t>(k)];
  } else {
    result = weekday_at(weekdays_before(span_end_) + (k - inside));
  }
  // The days consulted are [result, from), i.e. (result - 1, from - 1].
  return {result, is_provisional(result - 1, from - 1)};
}

int WorkingCalendar::working_days_between(Date from, Date to) const {
  if (to <= from) return 0;
  return static_cast<int>(rank(to + 1) - rank(from + 1));
}

bool WorkingCalendar::is_provisional(Date from, Date to) const {
  if (to <= from) return false;
  const int first = (from + 1).year();
  const int last = to.year();
  // Official years are few; the interval is covered when every year first..last is official.
  auto it = std::lower_bound(years_.begin(), years_.end(), first,
                             [](const CalendarYear& y, int value) { return y.year < value; });
  for (int y = first; y <= last; ++y, ++it) {
    if (it == years_.end() || it->year != y || !it->official) return true;
  }
  return false;
}

std::string WorkingCalendar::version() const {
  if (years_.empty()) return "weekends-only";
  std::string out;
  for (const CalendarYear& y : years_) {
    if (!out.empty()) out += '+';
    out += std::to_string(y.year) + "." + y.version;
  }
  return out;
}

}  // namespace disclose
