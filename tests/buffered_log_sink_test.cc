// BufferedLogSink: lines wait in memory until a batch is full or the logger flushes (as serve
// has it do after every warning), then go out in order; destroying the sink writes the rest.
#include "disclose/buffered_log_sink.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace disclose::cli {
namespace {

class BufferedLogSinkTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::pipe2(fds_, O_NONBLOCK), 0); }
  void TearDown() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }

  // Everything written to the pipe so far (never waits).
  std::string written() {
    std::string out;
    char chunk[4096];
    for (ssize_t n; (n = ::read(fds_[0], chunk, sizeof chunk)) > 0;) out.append(chunk, n);
    return out;
  }

  std::shared_ptr<spdlog::logger> logger(std::size_t batch_bytes) {
    auto made = std::make_shared<spdlog::logger>(
        "buffered-test", std::make_shared<BufferedLogSink>(fds_[1], batch_bytes));
    made->set_pattern("%l %v");
    made->flush_on(spdlog::level::warn);
    return made;
  }

  int fds_[2] = {-1, -1};
};

TEST_F(BufferedLogSinkTest, LinesWaitForAFlushAndGoOutInOrder) {
  auto log = logger(64 * 1024);
  log->info("first");
  log->info("second");
  EXPECT_EQ(written(), "");
  log->warn("third");  // flush_on(warn): everything before it goes too
  EXPECT_EQ(written(), "info first\ninfo second\nwarning third\n");
  log->info("fourth");
  EXPECT_EQ(written(), "");
  log->flush();
  EXPECT_EQ(written(), "info fourth\n");
}

TEST_F(BufferedLogSinkTest, AFullBatchGoesOutWithoutAFlush) {
  auto log = logger(20);
  log->info("0123456789");  // 16 bytes with its level and newline
  EXPECT_EQ(written(), "");
  log->info("abc");
  EXPECT_EQ(written(), "info 0123456789\ninfo abc\n");
}

TEST_F(BufferedLogSinkTest, DestroyingTheSinkWritesWhatIsLeft) {
  {
    auto log = logger(64 * 1024);
    log->info("last words");
  }
  EXPECT_EQ(written(), "info last words\n");
}

}  // namespace
}  // namespace disclose::cli
