// For tests of writes that share a commit group: holds the store's committing thread in a batch
// while `meanwhile` queues writes, then lets it go, so those writes are all prepared against the
// same state and then commit together in the next group.
#pragma once

#include <functional>
#include <future>
#include <thread>

#include "disclose/store.h"

namespace disclose::fixture {

inline void while_commits_are_held(Store& store, const std::function<void()>& meanwhile) {
  std::promise<void> holding;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread holder([&] {
    store.batch([&] {
      holding.set_value();
      released.wait();
    });
  });
  holding.get_future().wait();
  try {
    meanwhile();
  } catch (...) {
    release.set_value();
    holder.join();
    throw;
  }
  release.set_value();
  holder.join();
}

}  // namespace disclose::fixture
