// When the requests arrive: N receipt dates spread over a window of `years` × 365 days ending at
// `last` (today), in chronological order, so the i-th case generated is the i-th received and
// case ids and case numbers grow with the receipt date, as in a real register.
//
// The model: each day gets a weight — 1000 on a working day, 50 on a weekend or holiday (online
// submissions), growing 10 % a year over the window (requests rise year on year), times a
// per-day jitter of ±20 % — and receives its share of the N cases by cumulative rounding, so the
// total is exactly N. Integer arithmetic only: the same seed gives the same dates everywhere.
#pragma once

#include <cstdint>
#include <vector>

#include "disclose/calendar.h"
#include "disclose/date.h"

namespace datagen {

class IntakeSchedule {
 public:
  // years ≥ 1, cases ≥ 1.
  IntakeSchedule(const disclose::WorkingCalendar& calendar, disclose::Date last, int years,
                 int64_t cases, uint64_t seed);

  disclose::Date first_day() const { return first_; }
  disclose::Date last_day() const { return first_ + static_cast<int32_t>(starts_.size()) - 2; }
  int64_t cases() const { return starts_.back(); }

  // The receipt date of case `index` (0 ≤ index < cases()).
  disclose::Date received_on(int64_t index) const;
  // How many cases of the same calendar year were received before case `index`.
  int64_t rank_in_year(int64_t index) const;
  // How many cases were received after case `index` (0 for the newest).
  int64_t rank_from_end(int64_t index) const { return cases() - 1 - index; }

 private:
  disclose::Date first_;
  // starts_[d]: the index of the first case received on first_ + d; one more entry than days,
  // the last being the number of cases.
  std::vector<int64_t> starts_;
};

}  // namespace datagen
