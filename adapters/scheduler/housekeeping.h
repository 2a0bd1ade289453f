// Housekeeping: the periodic clean-up that keeps the database from growing without bound.
//
// Today that is one job: an Idempotency-Key's remembered response (the whole response body) is
// kept for `idempotency_retention`, then forgotten, so a retry after that is a new request. The
// loop looks as soon as the io_context runs (a server that was down catches up at start), then
// every `every`. Each round is one short write of at most `batch` rows; a full batch comes
// straight back after letting the io_context's other work run, so a large backlog neither holds
// the write lock nor the background thread for long.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "disclose/store.h"
#include "disclose/time_source.h"

namespace disclose::scheduler {

struct HousekeepingOptions {
  std::chrono::hours idempotency_retention{24};
  std::chrono::seconds every{3600};
  int batch = 1000;  // rows deleted per round (per write)
};

class Housekeeping {
 public:
  // `store` and `clock` must outlive the loop.
  Housekeeping(boost::asio::io_context& io, Store& store, const TimeSource& clock,
               HousekeepingOptions options);
  ~Housekeeping();
  Housekeeping(const Housekeeping&) = delete;
  Housekeeping& operator=(const Housekeeping&) = delete;

  // Starts the loop on `io` (once; a stopped loop is not restarted).
  void start();
  // Ends the loop at its next wait; the io_context can then run out of work. On the
  // io_context's thread, or when it is not running.
  void stop();

  // One round now, on the caller's thread: the idempotency records purged (at most `batch`).
  // A store error is logged and counts as none; the next round tries again.
  int run_once();
  // Rounds run so far, and records purged by them (for tests and /metrics).
  std::size_t rounds() const;
  int64_t idempotency_purged() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace disclose::scheduler
