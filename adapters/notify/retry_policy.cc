// When a failed delivery is tried again: exponential backoff with full jitter, then give up.
#include <algorithm>

#include "disclose/notification.h"

namespace disclose {

std::optional<Instant> next_attempt_at(const RetryPolicy& policy, int attempts,
                                       Instant first_attempt, Instant now, double random01,
                                       std::optional<std::chrono::seconds> retry_after) {
  using std::chrono::seconds;
  attempts = std::max(attempts, 1);
  // base·2^(attempts−1), doubling only while below the cap so a long outage cannot overflow.
  seconds ceiling = std::max(policy.base, seconds{0});
  for (int i = 1; i < attempts && ceiling > seconds{0} && ceiling < policy.cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, policy.cap);

  // Full jitter: spreads the retries of many rows failing together (one robot down for all
  // agencies) instead of sending them back in lockstep.
  double r = random01 >= 0.0 ? std::min(random01, 1.0) : 0.0;  // NaN and negatives read as 0
  auto delay = seconds{static_cast<seconds::rep>(static_cast<double>(ceiling.count()) * r)};
  delay = std::min(delay, ceiling);  // random01 = 1 (or rounding) must not pass the ceiling

  // The receiver's own Retry-After wins when it asks for more patience; it is not bound by the
  // cap (the server knows its outage better than our schedule does), only by the give-up time.
  if (retry_after && *retry_after > delay) delay = *retry_after;

  Instant next = now + delay;
  if (next > first_attempt + policy.give_up_after) return std::nullopt;
  return next;
}

}  // namespace disclose
