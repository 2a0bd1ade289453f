#include "loadgen/record_log.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace loadgen {

RecordLog::RecordLog(const std::string& path) {
  if (path.empty()) return;
  file_ = std::fopen(path.c_str(), "a");
  if (!file_) throw std::runtime_error("record: cannot open " + path + ": " + std::strerror(errno));
}

RecordLog::~RecordLog() {
  if (file_) std::fclose(file_);
}

void RecordLog::write(const std::string& method, const std::string& path, int64_t case_id,
                      int64_t version, const std::string& action) {
  if (!file_) return;
  std::string line = method + "\t" + path + "\t" + std::to_string(case_id) + "\t" +
                     std::to_string(version) + "\t" + action + "\n";
  std::lock_guard lock(mutex_);
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

}  // namespace loadgen
