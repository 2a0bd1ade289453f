// The completion handler for a coroutine started with asio::co_spawn and not awaited.
//
// asio::detached drops the exception that ends such a task, so a bug in a background loop would
// stop it without a word. Pass LogTaskFailure{"what the task is"} instead: the failure is logged
// as "<task> failed: <what()>" and nothing else happens (the task has already ended).
#pragma once

#include <cstddef>
#include <exception>

namespace disclose::http {

class LogTaskFailure {
 public:
  // A string literal only (e.g. "http: connection task"): the handler outlives any local string.
  template <std::size_t N>
  explicit LogTaskFailure(const char (&task)[N]) : task_(task) {}
  void operator()(std::exception_ptr failure) const;

 private:
  const char* task_;
};

}  // namespace disclose::http
