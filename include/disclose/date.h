// Local calendar dates and instants.
//
// A deadline is a local date (DESIGN.md §3): the case is overdue from 00:00 local time of the
// next day. Dates therefore carry no time zone; instants (when an event was recorded) are UTC
// seconds and are shown with the deployment's UTC offset.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace disclose {

class Date {
 public:
  constexpr Date() = default;
  static constexpr Date from_days(int32_t days_since_epoch) { return Date(days_since_epoch); }
  // Throws std::invalid_argument for an impossible date (2025-02-30).
  static Date from_ymd(int year, unsigned month, unsigned day);
  // Strict YYYY-MM-DD; nullopt for anything else (including impossible dates).
  static std::optional<Date> parse(std::string_view text);

  constexpr int32_t days() const { return days_; }
  int year() const;
  unsigned month() const;
  unsigned day() const;
  // 0 = Sunday … 6 = Saturday.
  constexpr unsigned weekday() const {
    // 1970-01-01 was a Thursday (4).
    int32_t w = (days_ + 4) % 7;
    return static_cast<unsigned>(w < 0 ? w + 7 : w);
  }
  constexpr bool is_weekend() const { return weekday() == 0 || weekday() == 6; }
  std::string str() const;  // YYYY-MM-DD

  constexpr Date operator+(int32_t n) const { return Date(days_ + n); }
  constexpr Date operator-(int32_t n) const { return Date(days_ - n); }
  constexpr int32_t operator-(Date other) const { return days_ - other.days_; }
  constexpr auto operator<=>(const Date&) const = default;

 private:
  constexpr explicit Date(int32_t d) : days_(d) {}
  int32_t days_ = 0;
};

using Instant = std::chrono::sys_seconds;

// RFC 3339 with the given UTC offset, e.g. "2025-03-03T09:30:00+08:00".
std::string format_instant(Instant at, int utc_offset_minutes);
// Accepts "Z" or a ±HH:MM offset; nullopt on anything malformed.
std::optional<Instant> parse_instant(std::string_view text);
// The local date of an instant at the given UTC offset.
Date local_date(Instant at, int utc_offset_minutes);

}  // namespace disclose
