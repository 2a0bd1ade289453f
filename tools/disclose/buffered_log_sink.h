// The server's log sink: lines gather in memory and go to a file descriptor (stderr) in batches.
//
// spdlog's stderr sink writes and flushes every line: under load, the access log cost a write(2)
// per request on the io threads. Here a line goes out when 64 KiB have gathered, when spdlog
// flushes (serve asks it to every second, and at once after a warning or an error), and when
// the sink is destroyed. A crash loses at most the last second of informational lines.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>

#include <spdlog/sinks/base_sink.h>

namespace disclose::cli {

class BufferedLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // `fd` stays open and owned by the caller.
  explicit BufferedLogSink(int fd, std::size_t batch_bytes = 64 * 1024);
  ~BufferedLogSink() override;

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  void flush_() override;

 private:
  const int fd_;
  const std::size_t batch_bytes_;
  std::string pending_;
};

}  // namespace disclose::cli
