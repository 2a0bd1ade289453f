// Housekeeping: the periodic clean-up that keeps the database from growing without bound.
//
// Today that is one job: an Idempotency-Key's remembered response (the whole response body) is
// kept for `idempotency_retention`, then forgotten, so a retry after that is a new request. The
// loop runs once as soon as the io_context does (a server that was down catches up at start),
// then every `every`. Rows are deleted in short writes (Store::purge_idempotent), so requests
// never wait long behind a purge.
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
};

class Housekeeping {
 public:
  // `store` and `clock` must outlive the loop.
  Housekeeping(boost::asio::io_context& io, Store& store, const TimeSource& clock,
               HousekeepingOptions options);
  ~Housekeeping();
  Housekeeping(const Housekeeping&) = delete;
  Housekeeping& operator=(const Housekeeping&) = delete;

  // Starts the loop coroutine on `io`.
  void start();
  // Ends the loop; the io_context can then run out of work. From the io_context's thread.
  void stop();

  // One round now, on the caller's thread: returns the idempotency records purged. A store
  // error is logged and counts as none (the next round tries again).
  int64_t run_once();
  // Rounds run so far, and records purged by them.
  std::size_t rounds() const;
  int64_t idempotency_purged() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace disclose::scheduler
