#include "http/api/login_limiter.h"

#include <algorithm>
#include <cctype>

namespace disclose::http {
namespace {

// Logins are unique ignoring ASCII case, so "Admin" and "admin" share one count.
std::string key_of(const std::string& login) {
  std::string key = login;
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return key;
}

// Past this many tracked logins, stale entries are swept on the next failure, so a spray of
// made-up logins cannot grow the map without bound.
constexpr size_t kSweepAbove = 10000;

}  // namespace

LoginLimiter::LoginLimiter(int max_failures, std::chrono::seconds window)
    : max_failures_(max_failures), window_(window) {}

std::chrono::seconds LoginLimiter::retry_after(const std::string& login, Instant now) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key_of(login));
  if (it == failures_.end()) return std::chrono::seconds(0);
  std::deque<Instant>& times = it->second;
  while (!times.empty() && times.front() + window_ <= now) times.pop_front();
  if (static_cast<int>(times.size()) < max_failures_) return std::chrono::seconds(0);
  // The attempt is allowed again once enough failures have aged out of the window.
  Instant free_at = times[times.size() - static_cast<size_t>(max_failures_)] + window_;
  return std::max(std::chrono::seconds(1), free_at - now);
}

void LoginLimiter::record_failure(const std::string& login, Instant now) {
  std::lock_guard lock(mu_);
  if (failures_.size() > kSweepAbove) forget_old(now);
  failures_[key_of(login)].push_back(now);
}

void LoginLimiter::reset(const std::string& login) {
  std::lock_guard lock(mu_);
  failures_.erase(key_of(login));
}

void LoginLimiter::forget_old(Instant now) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    std::deque<Instant>& times = it->second;
    while (!times.empty() && times.front() + window_ <= now) times.pop_front();
    it = times.empty() ? failures_.erase(it) : std::next(it);
  }
}

}  // namespace disclose::http
