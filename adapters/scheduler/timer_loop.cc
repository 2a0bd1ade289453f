#include "scheduler/timer_loop.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <optional>
#include <shared_mutex>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/task_failure.h"

namespace disclose::scheduler {

namespace asio = boost::asio;

struct TimerLoop::Impl {
  Impl(asio::io_context& io, Store& store, TimerService& service, const TimeSource& clock,
       TimerLoopOptions options, std::function<void(const FireReport&)> after_fire)
      : io(io),
        store(store),
        service(service),
        clock(clock),
        options(options),
        after_fire(std::move(after_fire)),
        timer(io) {}

  // One round: fire what is due, then compute how long to sleep.
  std::chrono::steady_clock::duration round() {
    std::shared_lock<SharedGate> gate;
    if (options.round_lock) gate = std::shared_lock(*options.round_lock);
    // Before the rows are read: a timer committed from now on may be missed by this round, so
    // it must reach the loop (needs_wake_for says so until the round has set its next look).
    // Both sides rely on sequential consistency (a write commits, then loads looks_by; a round
    // stores it, then reads the rows): weaker orderings would let a timer slip between them.
    looks_by.store(kLookUnknown);
    Moment now = clock.now();
    try {
      // A bounded batch per round: a long catch-up (thousands of cases after downtime) must not
      // hold the io thread, which also serves requests; a full batch comes straight back.
      FireReport report = service.fire_due(now, options.batch_cases);
      if (report.reminders > 0 || report.expiries > 0 || report.refused > 0) {
        spdlog::info("timers: {} case(s), {} reminder(s) sent, {} expiry action(s), {} refused",
                     report.cases, report.reminders, report.expiries, report.refused);
      }
      if (after_fire && (report.reminders > 0 || report.expiries > 0)) after_fire(report);
      std::optional<Instant> next = store.next_timer_at();
      auto sleep = std::chrono::duration_cast<std::chrono::steady_clock::duration>(options.sweep);
      if (next) {
        auto until =
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(*next - now.at);
        // Instants have whole seconds: wake a second late rather than a moment early.
        until += std::chrono::seconds(1);
        sleep = std::clamp(until, std::chrono::steady_clock::duration::zero(), sleep);
      }
      if (report.cases >= options.batch_cases) sleep = std::chrono::steady_clock::duration::zero();
      next_look = now.at + std::chrono::duration_cast<std::chrono::seconds>(sleep);
      looks_by.store(next_look->time_since_epoch().count());
      return sleep;
    } catch (const std::exception& e) {
      // A database error must not end the loop: log it and try again at the next sweep.
      spdlog::error("timers: round failed: {}", e.what());
      next_look = now.at + options.sweep;
      looks_by.store(next_look->time_since_epoch().count());
      return std::chrono::duration_cast<std::chrono::steady_clock::duration>(options.sweep);
    }
  }

  // Static, holding `self` from the moment it is spawned: a member coroutine would take its
  // shared_ptr only when it first runs, after the TimerLoop might already be gone.
  static asio::awaitable<void> run(std::shared_ptr<Impl> self) {
    // Cleared however the loop ends (an exception included), so start() can run it again.
    struct ClearRunning {
      Impl& impl;
      ~ClearRunning() { impl.running = false; }
    } clear_running{*self};
    while (!self->stopped) {
      ++self->rounds;
      self->woken = false;
      auto sleep = self->round();
      if (self->stopped) break;
      if (self->woken) continue;  // a wake() arrived during the round
      self->timer.expires_after(sleep);
      co_await self->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  asio::io_context& io;
  Store& store;
  TimerService& service;
  const TimeSource& clock;
  TimerLoopOptions options;
  std::function<void(const FireReport&)> after_fire;
  asio::steady_timer timer;
  bool stopped = false;
  bool running = false;
  bool woken = false;
  std::optional<Instant> next_look;  // when the sleeping loop will look next (TimeSource time)
  // next_look for other threads, in Instant ticks; kLookUnknown before the first round's end
  // and while a round runs.
  static constexpr Instant::rep kLookUnknown = std::numeric_limits<Instant::rep>::min();
  std::atomic<Instant::rep> looks_by{kLookUnknown};
  std::atomic<std::size_t> rounds{0};  // read by /metrics from a handler thread
};

TimerLoop::TimerLoop(asio::io_context& io, Store& store, TimerService& service,
                     const TimeSource& clock, TimerLoopOptions options,
                     std::function<void(const FireReport&)> after_fire)
    : impl_(std::make_shared<Impl>(io, store, service, clock, options, std::move(after_fire))) {}

TimerLoop::~TimerLoop() {
  stop();
}

void TimerLoop::start() {
  if (impl_->running) return;
  impl_->running = true;
  impl_->stopped = false;
  asio::co_spawn(impl_->io, Impl::run(impl_), http::LogTaskFailure{"timers: the loop"});
}

void TimerLoop::wake() {
  impl_->woken = true;
  impl_->timer.cancel();
}

void TimerLoop::wake_if_before(Instant fire_at) {
  if (!impl_->next_look || fire_at < *impl_->next_look) wake();
}

bool TimerLoop::needs_wake_for(Instant fire_at) const {
  const Instant::rep looks = impl_->looks_by.load();
  return looks == Impl::kLookUnknown || fire_at.time_since_epoch().count() < looks;
}

void TimerLoop::stop() {
  impl_->stopped = true;
  impl_->timer.cancel();
}

std::size_t TimerLoop::rounds() const {
  return impl_->rounds;
}

}  // namespace disclose::scheduler
