// What the store remembers of the cases written lately, by case id, within a bounded size.
//
// Two generations: entries go into the young one; when it is full it becomes the old one (the
// previous old one is dropped) and a new young one starts. A hit in the old generation moves
// the entry back to the young one. So the cases in use stay, at most 2 × `generation_size`
// entries are held, and nothing is scanned or ordered. Thread-safe (one mutex, held only to
// move an entry in or copy one out).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

namespace disclose::sqlite {

template <class Value>
class RecentByCase {
 public:
  explicit RecentByCase(std::size_t generation_size) : generation_size_(generation_size) {}

  // A copy of what was last put for `id`, if it is still held.
  std::optional<Value> find(int64_t id) {
    std::lock_guard lock(mutex_);
    if (auto young = young_.find(id); young != young_.end()) return young->second;
    auto old = old_.find(id);
    if (old == old_.end()) return std::nullopt;
    Value value = std::move(old->second);
    old_.erase(old);
    young_store(id, value);
    return value;
  }

  void put(int64_t id, Value value) {
    put(id, std::move(value), [](const Value&, const Value&) { return false; });
  }

  // As put, unless the value held for `id` is to stay: `older(held, value)` says so.
  template <class Older>
  void put(int64_t id, Value value, Older older) {
    std::lock_guard lock(mutex_);
    if (auto young = young_.find(id); young != young_.end() && older(young->second, value)) return;
    if (auto old = old_.find(id); old != old_.end()) {
      if (older(old->second, value)) return;
      old_.erase(old);  // so that size() counts each id once
    }
    young_store(id, std::move(value));
  }

  void forget(int64_t id) {
    std::lock_guard lock(mutex_);
    young_.erase(id);
    old_.erase(id);
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return young_.size() + old_.size();
  }

 private:
  void young_store(int64_t id, Value value) {
    if (young_.size() >= generation_size_ && young_.find(id) == young_.end()) {
      old_ = std::move(young_);
      young_.clear();
    }
    young_.insert_or_assign(id, std::move(value));
  }

  const std::size_t generation_size_;
  mutable std::mutex mutex_;
  std::unordered_map<int64_t, Value> young_;
  std::unordered_map<int64_t, Value> old_;
};

}  // namespace disclose::sqlite
