// Slows down password guessing (issue #7): after `max_failures` failed sign-ins for one login
// within `window`, further attempts are refused until the oldest failure leaves the window.
// In memory (a restart forgets, which is fine for a throttle) and safe to call from several
// threads. Time comes from the caller, so tests drive it with an injected clock.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "disclose/date.h"

namespace disclose::http {

class LoginLimiter {
 public:
  explicit LoginLimiter(int max_failures = 5,
                        std::chrono::seconds window = std::chrono::minutes(15));

  // How long `login` must wait before trying again; zero when it may try now.
  std::chrono::seconds retry_after(const std::string& login, Instant now);
  void record_failure(const std::string& login, Instant now);
  // After a successful sign-in the count starts again.
  void reset(const std::string& login);

 private:
  // Drops failures that left the window; erases logins with none left.
  void forget_old(Instant now);

  const int max_failures_;
  const std::chrono::seconds window_;
  std::mutex mu_;
  std::map<std::string, std::deque<Instant>> failures_;  // by lower-cased login, oldest first
};

}  // namespace disclose::http
