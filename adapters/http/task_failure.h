// The completion handler for a coroutine started with asio::co_spawn and not awaited.
//
// asio::detached drops the exception that ends such a task, so a bug in a background loop would
// stop it without a word. Pass LogTaskFailure{"what the task is"} instead: the failure is logged
// as "<task> failed: <what()>" and nothing else happens (the task has already ended).
#pragma once

#include <exception>

namespace disclose::http {

struct LogTaskFailure {
  const char* task;  // a static string, e.g. "http: connection task"
  void operator()(std::exception_ptr failure) const;
};

}  // namespace disclose::http
