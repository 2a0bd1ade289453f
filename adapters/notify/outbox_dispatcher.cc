#include "notify/outbox_dispatcher.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "http/task_failure.h"

namespace disclose::notify {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// One pass claims at most this many batches before yielding the io thread (store calls block
// it); a pass cut short is resumed at once.
constexpr int kMaxClaimsPerPass = 4;
// When rows look due but none could be claimed, the loop waits at least this long rather than
// spinning (a safety net: with a consistent store this does not happen).
constexpr std::chrono::milliseconds kMinSleep{10};

std::string utc(Instant at) {
  return format_instant(at, 0);
}

}  // namespace

struct OutboxDispatcher::Impl {
  Impl(asio::io_context& io, Store& store, const TimeSource& time, DispatcherOptions opts,
       std::function<double()> random)
      : strand(asio::make_strand(io)),
        store(store),
        time(time),
        options(std::move(opts)),
        random01(std::move(random)),
        client(options.http),
        timer(strand) {
    if (options.max_in_flight < 1 || options.max_in_flight_per_subscription < 1) {
      throw std::invalid_argument("notify: in-flight caps must be at least 1");
    }
    if (options.lease < 2 * options.request_timeout) {
      // A shorter lease would let a row be claimed again while its first request is still
      // running: two deliveries at once, where at-least-once only promises a later second one.
      throw std::invalid_argument("notify: the lease must be at least twice the request timeout");
    }
    if (!random01) {
      random01 = [engine = std::mt19937_64(std::random_device{}()),
                  uniform = std::uniform_real_distribution<double>(0.0, 1.0)]() mutable {
        return uniform(engine);
      };
    }
  }

  // Everything below runs on this strand, so the dispatcher stays correct even if the
  // io_context ever runs on more than one thread.
  asio::strand<asio::io_context::executor_type> strand;
  Store& store;
  const TimeSource& time;
  DispatcherOptions options;
  std::function<double()> random01;
  HttpClient client;
  asio::steady_timer timer;  // the loop's sleep; cancelled to wake it

  bool started = false;
  std::atomic<bool> stopping{false};
  int in_flight = 0;
  std::map<int64_t, int> in_flight_by_subscription;
  std::set<int64_t> in_flight_rows;

  std::atomic<uint64_t> delivered{0};
  std::atomic<uint64_t> retried{0};
  std::atomic<uint64_t> dead{0};
  std::atomic<uint64_t> deferred{0};
  std::atomic<int> in_flight_gauge{0};

  // Keeps a row counted against the caps for exactly as long as its delivery runs.
  class Slot {
   public:
    Slot(std::shared_ptr<Impl> impl, const OutboxItem& item)
        : impl_(std::move(impl)), row_(item.id), subscription_(item.subscription_id) {
      ++impl_->in_flight;
      ++impl_->in_flight_gauge;
      ++impl_->in_flight_by_subscription[subscription_];
      impl_->in_flight_rows.insert(row_);
    }
    ~Slot() {
      --impl_->in_flight;
      --impl_->in_flight_gauge;
      auto it = impl_->in_flight_by_subscription.find(subscription_);
      if (--it->second == 0) impl_->in_flight_by_subscription.erase(it);
      impl_->in_flight_rows.erase(row_);
      // A slot is free: the loop may claim again. Not once stopping, which also covers frames
      // destroyed with the io_context, when the timer must no longer be touched.
      if (!impl_->stopping) impl_->nudge();
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    std::shared_ptr<Impl> impl_;
    int64_t row_;
    int64_t subscription_;
  };

  // On the strand: makes the loop look at the outbox now. The loop is always either asleep on
  // the timer or about to pass over the outbox anyway (everything here runs on one strand and a
  // pass does not suspend), so cancelling the sleep is enough: no wake-up is lost.
  void nudge() { timer.cancel(); }

  int subscription_load(int64_t subscription_id) const {
    auto it = in_flight_by_subscription.find(subscription_id);
    return it == in_flight_by_subscription.end() ? 0 : it->second;
  }
  bool at_cap(int64_t subscription_id) const {
    return subscription_load(subscription_id) >= options.max_in_flight_per_subscription;
  }

  static asio::awaitable<void> loop(std::shared_ptr<Impl> self);
  static asio::awaitable<void> deliver(std::shared_ptr<Impl> self, OutboxItem item,
                                       std::unique_ptr<Slot> slot);
  // Claims due rows into free slots; true when due rows may remain (the pass was cut short).
  bool fill(const std::shared_ptr<Impl>& self);
  // Subscriptions with every slot of theirs in flight: claims pass their rows over.
  std::vector<int64_t> full_subscriptions() const;
  // Puts a claimed row back unsent, due at once.
  void release(const OutboxItem& item, Instant now);
  std::chrono::milliseconds sleep_time(bool more);
  void record(const OutboxItem& item, const Subscription& subscription,
              const DeliveryOutcome& outcome, Instant sent_at, Instant done);
};

bool OutboxDispatcher::Impl::fill(const std::shared_ptr<Impl>& self) {
  const Instant now = time.now().at;
  const Instant lease_until = now + options.lease;
  std::vector<int64_t> full = full_subscriptions();
  for (int claims = 0; claims < kMaxClaimsPerPass; ++claims) {
    if (stopping || in_flight >= options.max_in_flight) return false;
    const int free = options.max_in_flight - in_flight;
    std::vector<OutboxItem> items;
    try {
      items = store.claim_outbox(now, lease_until, free, full);
    } catch (const std::exception& e) {
      spdlog::error("notify: claiming outbox rows failed: {}", e.what());
      return false;
    }
    for (auto& item : items) {
      // Cannot happen while the lease outlasts the request timeout; if it did, the delivery in
      // flight records the verdict and this claim only extended its lease.
      if (in_flight_rows.contains(item.id)) continue;
      if (at_cap(item.subscription_id)) {
        release(item, now);
        continue;
      }
      auto slot = std::make_unique<Slot>(self, item);
      if (at_cap(item.subscription_id)) full.push_back(item.subscription_id);
      asio::co_spawn(strand, deliver(self, std::move(item), std::move(slot)),
                     http::LogTaskFailure{"notify: delivery task"});
    }
    if (static_cast<int>(items.size()) < free) return false;  // nothing more is due
  }
  return true;
}

std::vector<int64_t> OutboxDispatcher::Impl::full_subscriptions() const {
  std::vector<int64_t> full;
  for (const auto& entry : in_flight_by_subscription) {
    if (at_cap(entry.first)) full.push_back(entry.first);
  }
  return full;
}

void OutboxDispatcher::Impl::release(const OutboxItem& item, Instant now) {
  try {
    // Not an attempt: attempts and the last error stay as they were. Due at once, so the row
    // keeps its place; claims pass it over while its subscription is full.
    store.mark_retry(item.id, item.attempts, now, item.last_error);
    ++deferred;
  } catch (const std::exception& e) {
    // The row stays leased and comes back after the lease.
    spdlog::error("notify: releasing message {} failed: {}", item.message_id, e.what());
  }
}

std::chrono::milliseconds OutboxDispatcher::Impl::sleep_time(bool more) {
  if (more) return std::chrono::milliseconds(0);
  // With every slot taken, the next look comes from a finishing delivery (Slot's nudge).
  if (in_flight >= options.max_in_flight) return options.idle_poll;
  std::optional<Instant> next;
  try {
    // Rows of a full subscription wait for one of its deliveries to end (Slot's nudge).
    next = store.next_outbox_at(full_subscriptions());
  } catch (const std::exception& e) {
    spdlog::error("notify: reading the outbox failed: {}", e.what());
    return options.idle_poll;
  }
  if (!next) return options.idle_poll;
  // Measured on the TimeSource, so an injected clock decides what is due; real time only caps
  // the sleep.
  const auto until = std::chrono::duration_cast<std::chrono::milliseconds>(*next - time.now().at);
  return std::clamp(until, kMinSleep, std::max(kMinSleep, options.idle_poll));
}

asio::awaitable<void> OutboxDispatcher::Impl::loop(std::shared_ptr<Impl> self) {
  while (!self->stopping) {
    const bool more = self->fill(self);
    if (self->stopping) break;
    const auto sleep = self->sleep_time(more);
    if (sleep.count() == 0) {
      // More is due at once, but the server and the deliveries share this thread: let them
      // run before the next pass.
      co_await asio::post(self->strand, asio::use_awaitable);
      continue;
    }
    self->timer.expires_after(sleep);
    auto [ec] = co_await self->timer.async_wait(kAwait);
    (void)ec;  // expired or cancelled by a nudge: either way, look again
  }
}

asio::awaitable<void> OutboxDispatcher::Impl::deliver(std::shared_ptr<Impl> self, OutboxItem item,
                                                      std::unique_ptr<Slot> slot) {
  (void)slot;  // released when this coroutine ends, however it ends
  try {
    auto subscription = self->store.find_subscription(item.subscription_id);
    if (!subscription || !subscription->enabled) {
      const std::string why = subscription ? "subscription disabled" : "subscription removed";
      self->store.mark_dead(item.id, item.attempts, why);
      ++self->dead;
      spdlog::warn("notify: message {} for subscription {} is dead: {}", item.message_id,
                   item.subscription_id, why);
      co_return;
    }
    const Instant sent_at = self->time.now().at;
    const OutgoingRequest request =
        render_request(*subscription, item.notification, item.message_id, sent_at);
    const HttpResult result = co_await self->client.send(request, self->options.request_timeout);
    const Instant done = self->time.now().at;
    DeliveryOutcome outcome;
    if (result.transport_ok) {
      outcome = classify_response(subscription->kind, result.status, result.retry_after,
                                  result.body, done);
    } else {
      outcome.verdict = DeliveryVerdict::retry;
      outcome.detail = result.error;
    }
    self->record(item, *subscription, outcome, sent_at, done);
  } catch (const std::exception& e) {
    // Left leased on purpose: the row is tried again when the lease runs out.
    spdlog::error("notify: message {} for subscription {}: {}; retried after the lease",
                  item.message_id, item.subscription_id, e.what());
  }
}

void OutboxDispatcher::Impl::record(const OutboxItem& item, const Subscription& subscription,
                                    const DeliveryOutcome& outcome, Instant sent_at, Instant done) {
  const int attempts = item.attempts + 1;
  switch (outcome.verdict) {
    case DeliveryVerdict::delivered:
      store.mark_delivered(item.id, attempts, done);
      ++delivered;
      spdlog::debug("notify: message {} delivered to subscription {} ({}) at attempt {}",
                    item.message_id, subscription.id, to_string(subscription.kind), attempts);
      return;
    case DeliveryVerdict::retry: {
      const double draw = std::clamp(random01(), 0.0, std::nextafter(1.0, 0.0));
      const auto next =
          next_attempt_at(options.retry, attempts, item.first_attempt_at.value_or(sent_at), done,
                          draw, outcome.retry_after);
      if (next) {
        store.mark_retry(item.id, attempts, *next, outcome.detail);
        ++retried;
        spdlog::warn("notify: message {} to subscription {} failed (attempt {}): {}; next at {}",
                     item.message_id, subscription.id, attempts, outcome.detail, utc(*next));
      } else {
        const std::string why =
            "gave up after " + std::to_string(attempts) + " attempts: " + outcome.detail;
        store.mark_dead(item.id, attempts, why);
        ++dead;
        spdlog::error("notify: message {} to subscription {} is dead: {}", item.message_id,
                      subscription.id, why);
      }
      return;
    }
    case DeliveryVerdict::dead:
      store.mark_dead(item.id, attempts, outcome.detail);
      ++dead;
      spdlog::error("notify: message {} to subscription {} is dead (attempt {}): {}",
                    item.message_id, subscription.id, attempts, outcome.detail);
      return;
  }
}

OutboxDispatcher::OutboxDispatcher(asio::io_context& io, Store& store, const TimeSource& time,
                                   DispatcherOptions options, std::function<double()> random01)
    : impl_(std::make_shared<Impl>(io, store, time, std::move(options), std::move(random01))) {}

OutboxDispatcher::~OutboxDispatcher() {
  // The coroutines keep the implementation alive; without this the loop would go on claiming
  // for an owner that is gone.
  stop();
}

void OutboxDispatcher::start() {
  asio::post(impl_->strand, [impl = impl_] {
    if (impl->started || impl->stopping) return;
    impl->started = true;
    asio::co_spawn(impl->strand, Impl::loop(impl), http::LogTaskFailure{"notify: dispatcher loop"});
  });
}

void OutboxDispatcher::wake() {
  asio::post(impl_->strand, [impl = impl_] { impl->nudge(); });
}

void OutboxDispatcher::stop() {
  impl_->stopping = true;
  asio::post(impl_->strand, [impl = impl_] { impl->timer.cancel(); });
}

DispatcherStats OutboxDispatcher::stats() const {
  DispatcherStats stats;
  stats.delivered = impl_->delivered;
  stats.retried = impl_->retried;
  stats.dead = impl_->dead;
  stats.deferred = impl_->deferred;
  stats.in_flight = impl_->in_flight_gauge;
  return stats;
}

}  // namespace disclose::notify
