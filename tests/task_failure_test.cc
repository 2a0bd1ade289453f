// LogTaskFailure: what ends a spawned coroutine with an exception is logged, not dropped.
#include "http/task_failure.h"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

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

TEST(LogTaskFailure, AStdExceptionIsLoggedAsAnErrorWithTheTaskAndItsMessage) {
  CapturedLog log;
  asio::io_context io;
  asio::co_spawn(io, throws_runtime_error(), LogTaskFailure{"timers: the loop"});
  io.run();
  EXPECT_EQ(log.text(), "error timers: the loop failed: the store went away\n");
}

TEST(LogTaskFailure, AnyOtherExceptionIsLoggedToo) {
  CapturedLog log;
  asio::io_context io;
  asio::co_spawn(io, throws_an_int(), LogTaskFailure{"notify: delivery task"});
  io.run();
  EXPECT_EQ(log.text(),
            "error notify: delivery task failed: an exception that is not a std::exception\n");
}

TEST(LogTaskFailure, ATaskThatEndsNormallyLogsNothing) {
  CapturedLog log;
  asio::io_context io;
  asio::co_spawn(io, ends_normally(), LogTaskFailure{"housekeeping: the loop"});
  io.run();
  EXPECT_EQ(log.text(), "");
}

}  // namespace
