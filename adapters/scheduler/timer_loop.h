// The timer loop (DESIGN.md §5): one Asio timer armed at the earliest pending timer row.
//
// Timer rows in the database are the source of truth; this loop only decides when to look.
// It fires what is due at start (catch-up after downtime), then sleeps until the earliest row,
// but never longer than the sweep interval, so a wall-clock jump (NTP, a suspended VM) is noticed
// within one sweep. A case write that plans a timer before its next look wakes it
// (needs_wake_for on the committing thread, then wake_if_before on the loop's).
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "disclose/shared_gate.h"
#include "disclose/store.h"
#include "disclose/time_source.h"
#include "disclose/timer_service.h"

namespace disclose::scheduler {

struct TimerLoopOptions {
  std::chrono::seconds sweep{60};  // the longest sleep
  int batch_cases = 200;           // cases fired per round before other work gets the thread
  // Held shared during each round when set, so whoever takes it exclusively (a calendar import
  // under `serve`) never runs at the same time as a round.
  SharedGate* round_lock = nullptr;
};

class TimerLoop {
 public:
  // Everything must outlive the loop. `after_fire` runs after a round that queued
  // notifications (the outbox dispatcher's wake-up).
  TimerLoop(boost::asio::io_context& io, Store& store, TimerService& service,
            const TimeSource& clock, TimerLoopOptions options,
            std::function<void(const FireReport&)> after_fire = {});
  ~TimerLoop();
  TimerLoop(const TimerLoop&) = delete;
  TimerLoop& operator=(const TimerLoop&) = delete;

  // Starts the loop coroutine; its first round runs as soon as the io_context does.
  void start();
  // Look again now (new or moved timers). Safe to call from the io_context's thread only.
  void wake();
  // Wakes the loop only if `fire_at` comes before the moment it will look anyway: a case write
  // that plans a later timer costs the loop nothing (this is on every write's path).
  void wake_if_before(Instant fire_at);
  // From any thread: false when the loop is sure to look at or before `fire_at` anyway — it
  // sleeps until then, and a round under way reads the timer rows only after this answered —
  // so a timer planned for then need not be handed to the loop's thread at all. True before
  // the first round and while a round runs.
  bool needs_wake_for(Instant fire_at) const;
  // Ends the loop after the current round; the io_context can then run out of work.
  void stop();

  // Rounds run so far (for tests and /metrics).
  std::size_t rounds() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace disclose::scheduler
