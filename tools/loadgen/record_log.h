// The --record file: one line per case write the server acknowledged with a 2xx, appended as the
// answer arrives, so that a crash test can check afterwards that each of them is in the database:
//
//   POST <TAB> /api/v1/cases/12/actions/accept <TAB> 12 <TAB> 3 <TAB> accept
//   method       path                                 case   version (= the event's seq)  action
//
// A registration is `POST /api/v1/cases <id> 1 register`. Lines are flushed one by one (a
// killed generator leaves only whole lines behind). Safe to use from several threads.
#pragma once

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace loadgen {

class RecordLog {
 public:
  // An empty path records nothing. Throws std::runtime_error when the file cannot be opened.
  explicit RecordLog(const std::string& path);
  ~RecordLog();
  RecordLog(const RecordLog&) = delete;
  RecordLog& operator=(const RecordLog&) = delete;

  void write(const std::string& method, const std::string& path, int64_t case_id, int64_t version,
             const std::string& action);

 private:
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
};

}  // namespace loadgen
