// Token touches: an API token's last-used time is written behind the request that used it.
//
// The time is advisory (shown to admins, kept to the minute), yet writing it costs a commit —
// an fsync — on the first request of every minute per token; on a quiet server that doubled the
// latency of whichever request came first. Here the request only queues the touch; a thread of
// this object's own writes the queue in one write, and whoever reads last-used times calls
// flush() first, so this process never shows a stale one. A touch still queued when the process
// dies is lost: the token is then shown as last used up to a minute earlier than it was.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace disclose::sqlite {

class TokenTouches {
 public:
  // token hash -> last-used time, as stored.
  using Touches = std::map<std::string, std::string>;
  // Stores a batch of touches (one write transaction); may throw, which is logged and the batch
  // dropped. Runs on the touches' own thread, or in flush() on the caller's.
  using Writer = std::function<void(const Touches&)>;

  // `background`: false leaves every write to flush() and the destructor (tests).
  explicit TokenTouches(Writer write, bool background = true);
  // Stops the thread, then writes what is still queued.
  ~TokenTouches();
  TokenTouches(const TokenTouches&) = delete;
  TokenTouches& operator=(const TokenTouches&) = delete;

  // Queues a touch and returns at once; the thread starts on the first one. A token already
  // queued keeps its queued time.
  void touch(const std::string& token_hash, const std::string& at);
  // Returns once every touch queued before the call is written (or its write has failed).
  // Not from inside a store write (a batch, a group's work): it writes, and may wait for a
  // write that waits for the caller.
  void flush();

 private:
  void run();
  // Takes the queue and writes it; the caller holds write_mutex_.
  void write_queued();

  Writer write_;
  const bool background_;
  std::mutex write_mutex_;  // held across taking and writing a batch: flush() waits for one
  std::mutex queue_mutex_;
  std::condition_variable wake_;
  Touches queued_;         // guarded by queue_mutex_
  bool stopping_ = false;  // guarded by queue_mutex_
  std::thread thread_;     // started by the first touch(), under queue_mutex_
};

}  // namespace disclose::sqlite
