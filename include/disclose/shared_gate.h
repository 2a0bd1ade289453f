// A readers-writer gate whose shared hold may be let go on another thread than the one that
// took it, which std::shared_mutex forbids: a request that takes its share on one thread ends
// when its commit group is durable, on the store's committing thread. A share may also be asked
// for without blocking (lock_shared_then), for callers on a thread that serves sockets.
//
// It meets the standard's SharedLockable requirements (std::shared_lock and std::unique_lock
// work with it). An exclusive holder waits for the shared holders to leave and holds new ones
// back meanwhile, so a rare exclusive user (a calendar import) is not starved by a steady flow.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace disclose {

class SharedGate {
 public:
  SharedGate() = default;
  SharedGate(const SharedGate&) = delete;
  SharedGate& operator=(const SharedGate&) = delete;

  void lock() {
    std::unique_lock lock(mutex_);
    ++exclusive_waiting_;
    changed_.wait(lock, [&] { return !exclusive_ && shared_ == 0; });
    --exclusive_waiting_;
    exclusive_ = true;
    exclusive_owner_ = std::this_thread::get_id();
  }

  bool try_lock() {
    std::lock_guard lock(mutex_);
    if (exclusive_ || shared_ > 0) return false;
    exclusive_ = true;
    exclusive_owner_ = std::this_thread::get_id();
    return true;
  }

  // Whether the calling thread holds the gate alone (lock() or try_lock() on this thread): what
  // must run alone can check it really does, whatever its caller decided beforehand.
  bool held_alone_by_this_thread() {
    std::lock_guard lock(mutex_);
    return exclusive_ && exclusive_owner_ == std::this_thread::get_id();
  }

  // Lets go of the exclusive hold; the continuations of lock_shared_then that waited for it
  // get their shares and run here, on this thread, before this returns.
  void unlock() {
    std::vector<std::function<void()>> admitted;
    {
      std::lock_guard lock(mutex_);
      exclusive_ = false;
      exclusive_owner_ = {};
      // They asked before any exclusive caller still waiting, so they go first.
      admitted.swap(deferred_);
      shared_ += admitted.size();
    }
    changed_.notify_all();
    for (auto& then : admitted) {
      // Each owns its share by now; one that throws must not keep the others from running.
      try {
        then();
      } catch (...) {
      }
    }
  }

  void lock_shared() {
    std::unique_lock lock(mutex_);
    if (exclusive_ || exclusive_waiting_ > 0)
      changed_.wait(lock, [&] { return !exclusive_ && exclusive_waiting_ == 0; });
    ++shared_;
  }

  bool try_lock_shared() {
    std::lock_guard lock(mutex_);
    if (exclusive_ || exclusive_waiting_ > 0) return false;
    ++shared_;
    return true;
  }

  // Takes a share without blocking: `then` runs holding it (and must see it let go, with
  // unlock_shared, even when it throws), at once on this thread when the gate is open, else on
  // the thread whose unlock() opens it (which drops what it throws).
  void lock_shared_then(std::function<void()> then) {
    {
      std::lock_guard lock(mutex_);
      if (exclusive_ || exclusive_waiting_ > 0) {
        deferred_.push_back(std::move(then));
        return;
      }
      ++shared_;
    }
    then();
  }

  void unlock_shared() {
    bool last;
    {
      std::lock_guard lock(mutex_);
      last = --shared_ == 0 && exclusive_waiting_ > 0;
    }
    if (last) changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t shared_ = 0;             // shared holders now
  std::size_t exclusive_waiting_ = 0;  // exclusive callers waiting for the gate
  bool exclusive_ = false;
  std::thread::id exclusive_owner_;              // the thread holding it alone, when exclusive_
  std::vector<std::function<void()>> deferred_;  // lock_shared_then's, waiting for unlock()
};

}  // namespace disclose
