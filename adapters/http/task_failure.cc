#include "http/task_failure.h"

#include <spdlog/spdlog.h>

namespace disclose::http {

void LogTaskFailure::operator()(std::exception_ptr failure) const {
  if (!failure) return;
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    spdlog::error("{} failed: {}", task_, e.what());
  } catch (...) {
    spdlog::error("{} failed: an exception that is not a std::exception", task_);
  }
}

}  // namespace disclose::http
