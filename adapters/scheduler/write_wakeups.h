// Tells the background loops of committed case writes with at most one wake-up pending.
//
// The store tells its observer of every committed case write, on the committing thread, one
// write at a time: a commit group of 24 writes is 24 observations. Posting each to the loops'
// thread cost a wake-up of that thread (and a post) per write, on the thread every write waits
// for. Here an observation merges into what is pending — the earliest timer the writes planned
// and whether they queued notifications — and only the first one after the last hand-over posts;
// the loops then hear once what every write since asked of them.
#pragma once

#include <functional>
#include <mutex>
#include <optional>

#include <boost/asio/io_context.hpp>

#include "disclose/date.h"
#include "disclose/store.h"

namespace disclose::scheduler {

class WriteWakeups {
 public:
  // Runs on `loops`' thread: `earliest_timer` is the earliest fire time of the timers planned
  // (nullopt: none), `notifications_queued` whether any write queued a notification.
  using Deliver =
      std::function<void(std::optional<Instant> earliest_timer, bool notifications_queued)>;

  // Asked on the observing thread whether the loops must hear of a timer planned at `fire_at`
  // (TimerLoop::needs_wake_for): false when they will look by then anyway.
  using TimerNeedsWake = std::function<bool(Instant fire_at)>;

  // The queued hand-over points at this object: destroy it only once `loops` no longer runs
  // (a hand-over still queued then is dropped with the io_context, never run). Without
  // `timer_needs_wake`, every planned timer is handed over.
  WriteWakeups(boost::asio::io_context& loops, Deliver deliver,
               TimerNeedsWake timer_needs_wake = {});
  WriteWakeups(const WriteWakeups&) = delete;
  WriteWakeups& operator=(const WriteWakeups&) = delete;

  // From any thread. A write that queued nothing and planned no timer the loops need to hear
  // of costs nothing — the common case: reminders are planned days ahead.
  void observe(const CaseWriteEffects& written);

 private:
  void hand_over();

  boost::asio::io_context& loops_;
  Deliver deliver_;
  TimerNeedsWake timer_needs_wake_;
  std::mutex mutex_;
  bool posted_ = false;  // a hand_over is queued on `loops_` and has not yet taken the signal
  std::optional<Instant> earliest_timer_;
  bool notifications_queued_ = false;
};

}  // namespace disclose::scheduler
