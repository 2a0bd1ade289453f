#include "datagen/intake.h"

#include <algorithm>
#include <stdexcept>

#include "datagen/random.h"

namespace datagen {

using disclose::Date;

IntakeSchedule::IntakeSchedule(const disclose::WorkingCalendar& calendar, Date last, int years,
                               int64_t cases, uint64_t seed) {
  if (years < 1 || cases < 1) throw std::invalid_argument("intake: years and cases must be ≥ 1");
  const int32_t days = years * 365;
  first_ = last - (days - 1);
  Rng rng(mix_seed(seed, 0xDA7E5ULL));
  std::vector<uint64_t> weights(static_cast<size_t>(days));
  for (int32_t d = 0; d < days; ++d) {
    uint64_t base = calendar.is_working_day(first_ + d) ? 1000 : 50;
    uint64_t trend = 1000 + 100 * static_cast<uint64_t>(d) / 365;  // +10 % a year
    uint64_t jitter = 800 + rng.below(401);                        // 0.8 … 1.2
    weights[static_cast<size_t>(d)] = base * trend * jitter;
  }
  unsigned __int128 total = 0;
  for (uint64_t w : weights) total += w;
  starts_.resize(static_cast<size_t>(days) + 1);
  unsigned __int128 cumulative = 0;
  for (int32_t d = 0; d <= days; ++d) {
    starts_[static_cast<size_t>(d)] =
        static_cast<int64_t>(static_cast<unsigned __int128>(cases) * cumulative / total);
    if (d < days) cumulative += weights[static_cast<size_t>(d)];
  }
}

Date IntakeSchedule::received_on(int64_t index) const {
  if (index < 0 || index >= cases()) throw std::out_of_range("intake: case index out of range");
  auto after = std::upper_bound(starts_.begin(), starts_.end(), index);
  return first_ + static_cast<int32_t>(after - starts_.begin() - 1);
}

int64_t IntakeSchedule::rank_in_year(int64_t index) const {
  Date day = received_on(index);
  int32_t jan1 = Date::from_ymd(day.year(), 1, 1) - first_;
  return index - starts_[static_cast<size_t>(std::max(jan1, 0))];
}

}  // namespace datagen
