#include "scheduler/housekeeping.h"

#include <algorithm>
#include <atomic>
#include <exception>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/task_failure.h"

namespace disclose::scheduler {

namespace asio = boost::asio;

struct Housekeeping::Impl {
  Impl(asio::io_context& io, Store& store, const TimeSource& clock, HousekeepingOptions options)
      : io(io), store(store), clock(clock), options(options), timer(io) {
    this->options.batch = std::max(1, options.batch);
  }

  int round() {
    ++rounds;
    const Instant cut_off = clock.now().at - options.idempotency_retention;
    try {
      int purged = store.purge_idempotent(cut_off, options.batch);
      idempotency_purged += purged;
      if (purged > 0)
        spdlog::info("housekeeping: forgot {} idempotency record(s) from before {}", purged,
                     format_instant(cut_off, 0));
      return purged;
    } catch (const std::exception& e) {
      spdlog::error("housekeeping: purging idempotency records failed: {}", e.what());
      return 0;
    }
  }

  // Static, holding `self`: the state lives as long as the coroutine, even if the
  // Housekeeping object goes before the io_context has run it.
  static asio::awaitable<void> run(std::shared_ptr<Impl> self) {
    while (!self->stopped) {
      bool more = self->round() >= self->options.batch;
      if (self->stopped) break;
      if (more) {
        // A backlog: the next batch after whatever else is queued on the thread.
        co_await asio::post(self->io, asio::use_awaitable);
        continue;
      }
      self->timer.expires_after(self->options.every);
      co_await self->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  asio::io_context& io;
  Store& store;
  const TimeSource& clock;
  HousekeepingOptions options;
  asio::steady_timer timer;
  bool started = false;
  bool stopped = false;
  std::atomic<std::size_t> rounds{0};  // read by /metrics from a handler thread
  std::atomic<int64_t> idempotency_purged{0};
};

Housekeeping::Housekeeping(asio::io_context& io, Store& store, const TimeSource& clock,
                           HousekeepingOptions options)
    : impl_(std::make_shared<Impl>(io, store, clock, options)) {}

Housekeeping::~Housekeeping() {
  stop();
}

void Housekeeping::start() {
  if (impl_->started) return;
  impl_->started = true;
  asio::co_spawn(impl_->io, Impl::run(impl_), http::LogTaskFailure{"housekeeping: the loop"});
}

void Housekeeping::stop() {
  impl_->stopped = true;
  impl_->timer.cancel();
}

int Housekeeping::run_once() {
  return impl_->round();
}

std::size_t Housekeeping::rounds() const {
  return impl_->rounds;
}

int64_t Housekeeping::idempotency_purged() const {
  return impl_->idempotency_purged;
}

}  // namespace disclose::scheduler
