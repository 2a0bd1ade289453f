// Delivers the transactional outbox (DESIGN.md §5): claims due rows, sends each as one HTTP
// request, and records the verdict. At least once: a row is leased while in flight, so a crash
// redelivers it after the lease; receivers de-duplicate on its stable message id.
//
// Semantics, in full:
// - Time is the TimeSource's: a row is sent only when its next_attempt_at ≤ now. Real time only
//   bounds how long the dispatcher sleeps (idle_poll) and how long a request may take.
// - Claiming sets next_attempt_at = now + lease. The lease must outlast the request timeout, and
//   it is enforced to (lease ≥ 2 × request_timeout), so a row is never claimed twice while its
//   request is still in flight.
// - Caps: at most max_in_flight requests overall and max_in_flight_per_subscription per
//   subscription. Claims leave the rows of a subscription at its cap where they are, so its
//   backlog neither crowds out the rows of others nor waits longer than its own deliveries take:
//   when one ends, the next look claims its next row. A claim can still bring more rows of one
//   subscription than it has room for; those are released unsent (attempts and last error
//   unchanged), due at once, and counted as deferred.
// - Verdicts: delivered → mark_delivered; retry → next_attempt_at(RetryPolicy, …) or dead when
//   the policy gives up; dead → mark_dead at once. Transport failures (resolve, connect, TLS,
//   timeout) are retries.
// - A subscription that was removed or disabled after its row was queued makes the row dead
//   ("subscription removed" / "subscription disabled"), without an attempt: the row stays
//   visible to admins and can be replayed once the subscription is enabled again.
// - A store error while recording a verdict leaves the row leased: it is redelivered after the
//   lease (at least once), never lost.
// - stop() is graceful: no new claims; requests in flight finish or time out and their verdicts
//   are recorded; then nothing of the dispatcher is left on the io_context.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "disclose/notification.h"
#include "disclose/store.h"
#include "disclose/time_source.h"
#include "notify/http_client.h"

namespace disclose::notify {

struct DispatcherOptions {
  int max_in_flight = 32;
  int max_in_flight_per_subscription = 4;
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::seconds lease{60};
  // Upper bound on a sleep: the dispatcher looks at the outbox at least this often.
  std::chrono::milliseconds idle_poll{1'000};
  RetryPolicy retry;
  HttpClientOptions http;
};

struct DispatcherStats {
  uint64_t delivered = 0;
  uint64_t retried = 0;   // failed attempts that were rescheduled
  uint64_t dead = 0;      // rows that went dead (permanent failure, gave up, no subscription)
  uint64_t deferred = 0;  // claimed rows released unsent because their subscription was at its cap
  int in_flight = 0;
};

class OutboxDispatcher {
 public:
  // `store` and `time` must outlive the io_context's run(); the dispatcher must be destroyed
  // before the io_context (its timer belongs to it). `random01` draws the retry jitter in
  // [0, 1) (empty: a seeded Mersenne Twister). Throws std::system_error when the HTTP client's
  // TLS context cannot be set up.
  OutboxDispatcher(boost::asio::io_context& io, Store& store, const TimeSource& time,
                   DispatcherOptions options, std::function<double()> random01 = {});
  // Stops (see stop()).
  ~OutboxDispatcher();
  OutboxDispatcher(const OutboxDispatcher&) = delete;
  OutboxDispatcher& operator=(const OutboxDispatcher&) = delete;

  // Starts the dispatch loop on the io_context (it runs when the io_context does). Once only.
  void start();
  // New rows were queued, or the clock moved: look at the outbox now. Safe from any thread.
  void wake();
  // Graceful stop (see the header comment). Safe from any thread; idempotent.
  void stop();

  // Counters since start, for /metrics. Read them on the io_context's thread.
  DispatcherStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace disclose::notify
