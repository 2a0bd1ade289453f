#include "scheduler/write_wakeups.h"

#include <boost/asio/post.hpp>
#include <utility>

namespace disclose::scheduler {

WriteWakeups::WriteWakeups(boost::asio::io_context& loops, Deliver deliver,
                           TimerNeedsWake timer_needs_wake)
    : loops_(loops), deliver_(std::move(deliver)), timer_needs_wake_(std::move(timer_needs_wake)) {}

void WriteWakeups::observe(const CaseWriteEffects& written) {
  std::optional<Instant> earliest;
  for (const PlannedTimer& timer : written.timers)
    if (!earliest || timer.fire_at < *earliest) earliest = timer.fire_at;
  if (earliest && timer_needs_wake_ && !timer_needs_wake_(*earliest)) earliest.reset();
  const bool queued = !written.notifications.empty();
  if (!earliest && !queued) return;
  {
    std::lock_guard lock(mutex_);
    if (earliest && (!earliest_timer_ || *earliest < *earliest_timer_)) earliest_timer_ = earliest;
    notifications_queued_ = notifications_queued_ || queued;
    if (posted_) return;  // the queued hand-over will take this too
    posted_ = true;
  }
  try {
    boost::asio::post(loops_, [this] { hand_over(); });
  } catch (...) {
    std::lock_guard lock(mutex_);
    posted_ = false;  // the next observation tries again
    throw;
  }
}

void WriteWakeups::hand_over() {
  std::optional<Instant> earliest;
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    earliest = std::exchange(earliest_timer_, std::nullopt);
    queued = std::exchange(notifications_queued_, false);
    posted_ = false;
  }
  deliver_(earliest, queued);
}

}  // namespace disclose::scheduler
