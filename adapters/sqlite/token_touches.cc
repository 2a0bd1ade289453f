#include "sqlite/token_touches.h"

#include <pthread.h>

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

namespace disclose::sqlite {

TokenTouches::TokenTouches(Writer write, bool background)
    : write_(std::move(write)), background_(background) {}

TokenTouches::~TokenTouches() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
  flush();  // what the thread left, or everything when there was none
}

void TokenTouches::touch(const std::string& token_hash, const std::string& at) {
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) return;
    queued_.emplace(token_hash, at);
    if (!background_) return;
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  }
  wake_.notify_one();
}

void TokenTouches::flush() {
  std::lock_guard writing(write_mutex_);
  write_queued();
}

void TokenTouches::run() {
  // Started by the first touch, often on an io thread: named for itself, not after its starter.
  pthread_setname_np(pthread_self(), "disclose-touch");
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queued_.empty(); });
      if (stopping_) return;  // the destructor writes the rest
    }
    std::lock_guard writing(write_mutex_);
    write_queued();
  }
}

void TokenTouches::write_queued() {
  Touches batch;
  {
    std::lock_guard lock(queue_mutex_);
    batch.swap(queued_);
  }
  if (batch.empty()) return;
  try {
    write_(batch);
  } catch (const std::exception& e) {
    spdlog::warn("tokens' last-used times not recorded ({} tokens): {}", batch.size(), e.what());
  }
}

}  // namespace disclose::sqlite
