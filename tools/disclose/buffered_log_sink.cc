#include "disclose/buffered_log_sink.h"

#include <unistd.h>

#include <cerrno>

namespace disclose::cli {

BufferedLogSink::BufferedLogSink(int fd, std::size_t batch_bytes)
    : fd_(fd), batch_bytes_(batch_bytes) {
  pending_.reserve(batch_bytes_);
}

BufferedLogSink::~BufferedLogSink() {
  flush();
}

void BufferedLogSink::sink_it_(const spdlog::details::log_msg& message) {
  spdlog::memory_buf_t line;
  formatter_->format(message, line);
  pending_.append(line.data(), line.size());
  if (pending_.size() >= batch_bytes_) flush_();
}

void BufferedLogSink::flush_() {
  std::size_t written = 0;
  while (written < pending_.size()) {
    ssize_t n = ::write(fd_, pending_.data() + written, pending_.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // a closed or broken stderr: the lines are dropped, the server goes on
    written += static_cast<std::size_t>(n);
  }
  pending_.clear();
}

}  // namespace disclose::cli
