#include "scheduler/housekeeping.h"

#include <atomic>
#include <exception>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace disclose::scheduler {

namespace asio = boost::asio;

struct Housekeeping::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, Store& store, const TimeSource& clock, HousekeepingOptions options)
      : io(io), store(store), clock(clock), options(options), timer(io) {}

  int64_t round() {
    ++rounds;
    const Instant cut_off = clock.now().at - options.idempotency_retention;
    try {
      int64_t purged = store.purge_idempotent(cut_off);
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

  asio::awaitable<void> run() {
    auto self = shared_from_this();  // the coroutine keeps the state alive
    while (!stopped) {
      round();
      if (stopped) break;
      timer.expires_after(options.every);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    running = false;
  }

  asio::io_context& io;
  Store& store;
  const TimeSource& clock;
  HousekeepingOptions options;
  asio::steady_timer timer;
  bool stopped = false;
  bool running = false;
  std::atomic<std::size_t> rounds{0};
  std::atomic<int64_t> idempotency_purged{0};
};

Housekeeping::Housekeeping(asio::io_context& io, Store& store, const TimeSource& clock,
                           HousekeepingOptions options)
    : impl_(std::make_shared<Impl>(io, store, clock, options)) {}

Housekeeping::~Housekeeping() {
  stop();
}

void Housekeeping::start() {
  if (impl_->running) return;
  impl_->running = true;
  impl_->stopped = false;
  asio::co_spawn(impl_->io, impl_->run(), asio::detached);
}

void Housekeeping::stop() {
  impl_->stopped = true;
  impl_->timer.cancel();
}

int64_t Housekeeping::run_once() {
  return impl_->round();
}

std::size_t Housekeeping::rounds() const {
  return impl_->rounds;
}

int64_t Housekeeping::idempotency_purged() const {
  return impl_->idempotency_purged;
}

}  // namespace disclose::scheduler
