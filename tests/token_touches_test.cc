// Token touches: queued by the request, written behind it in batches; flush() and the destructor
// write whatever is queued; a failed write is dropped, not retried forever or thrown at a reader.
#include "sqlite/token_touches.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace disclose::sqlite {
namespace {

// Records every batch the touches write.
struct Recorder {
  std::mutex mutex;
  std::vector<TokenTouches::Touches> batches;
  TokenTouches::Writer writer() {
    return [this](const TokenTouches::Touches& touches) {
      std::lock_guard lock(mutex);
      batches.push_back(touches);
    };
  }
};

TEST(TokenTouchesTest, FlushWritesTheQueueAsOneBatchKeepingEachTokensFirstTime) {
  Recorder recorder;
  TokenTouches touches(recorder.writer(), /*background=*/false);
  touches.touch("a", "2026-03-02T01:00:00Z");
  touches.touch("b", "2026-03-02T01:00:05Z");
  touches.touch("a", "2026-03-02T01:00:09Z");  // already queued: keeps its first time
  EXPECT_TRUE(recorder.batches.empty());       // nothing is written by touch() itself
  touches.flush();
  ASSERT_EQ(recorder.batches.size(), 1u);
  EXPECT_EQ(recorder.batches[0],
            (TokenTouches::Touches{{"a", "2026-03-02T01:00:00Z"}, {"b", "2026-03-02T01:00:05Z"}}));
  touches.flush();  // an empty queue costs no write
  EXPECT_EQ(recorder.batches.size(), 1u);
}

TEST(TokenTouchesTest, TheDestructorWritesWhatIsStillQueued) {
  Recorder recorder;
  {
    TokenTouches touches(recorder.writer(), /*background=*/false);
    touches.touch("a", "2026-03-02T01:00:00Z");
  }
  ASSERT_EQ(recorder.batches.size(), 1u);
  EXPECT_EQ(recorder.batches[0], (TokenTouches::Touches{{"a", "2026-03-02T01:00:00Z"}}));
}

TEST(TokenTouchesTest, AFailedWriteIsDroppedAndLaterTouchesAreStillWritten) {
  Recorder recorder;
  bool fail = true;
  TokenTouches touches(
      [&](const TokenTouches::Touches& batch) {
        if (fail) throw std::runtime_error("database is locked");
        recorder.writer()(batch);
      },
      /*background=*/false);
  touches.touch("a", "2026-03-02T01:00:00Z");
  EXPECT_NO_THROW(touches.flush());
  fail = false;
  touches.touch("b", "2026-03-02T01:01:00Z");
  touches.flush();
  ASSERT_EQ(recorder.batches.size(), 1u);
  EXPECT_EQ(recorder.batches[0], (TokenTouches::Touches{{"b", "2026-03-02T01:01:00Z"}}));
}

TEST(TokenTouchesTest, TheBackgroundThreadWritesWithoutAnyFlush) {
  std::promise<TokenTouches::Touches> written;
  auto future = written.get_future();
  bool first = true;
  TokenTouches touches([&](const TokenTouches::Touches& batch) {
    if (first) written.set_value(batch);  // only the thread writes until the destructor
    first = false;
  });
  touches.touch("a", "2026-03-02T01:00:00Z");
  // Waits for the thread, not for a guessed time; the bound only keeps a broken build from
  // hanging the suite.
  ASSERT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_EQ(future.get(), (TokenTouches::Touches{{"a", "2026-03-02T01:00:00Z"}}));
}

}  // namespace
}  // namespace disclose::sqlite
