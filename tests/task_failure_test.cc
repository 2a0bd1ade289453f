// LogTaskFailure: what ends a spawned coroutine with an exception is logged, not dropped.
#include "http/task_failure.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace {

namespace asio = boost::asio;
using disclose::http::LogTaskFailure;

// Routes the default logger into a string for the test's lifetime.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(text_);
    sink->set_pattern("%l %v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> previous_;
};

asio::awaitable<void> throws_runtime_error() {
  throw std::runtime_error("the store went away");
  co_return;
}

asio::awaitable<void> throws_an_int() {
  throw 42;
  co_return;
}

asio::awaitable<void> ends_normally() {
  co_return;
}

// What the default logger records while `task` runs to its end under LogTaskFailure{name}.
template <std::size_t N>
std::string logged_by(asio::awaitable<void> task, const char (&name)[N]) {
  CapturedLog log;
  asio::io_context io;
  asio::co_spawn(io, std::move(task), LogTaskFailure{name});
  io.run();
  return log.text();
}

TEST(LogTaskFailure, AStdExceptionIsLoggedAsAnErrorWithTheTaskAndItsMessage) {
  EXPECT_EQ(logged_by(throws_runtime_error(), "timers: the loop"),
            "error timers: the loop failed: the store went away\n");
}

TEST(LogTaskFailure, AnyOtherExceptionIsLoggedToo) {
  EXPECT_EQ(logged_by(throws_an_int(), "notify: delivery task"),
            "error notify: delivery task failed: an exception that is not a std::exception\n");
}

TEST(LogTaskFailure, ATaskThatEndsNormallyLogsNothing) {
  EXPECT_EQ(logged_by(ends_normally(), "housekeeping: the loop"), "");
}

}  // namespace
