// A scratch directory for one test, gone when the test is: every test that needs files gets its
// own fresh directory, so tests can run in parallel and none sees another's leftovers. mkdtemp
// makes the name, so two processes can never pick the same one.
#pragma once

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace disclose::fixture {

class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "disclose-test") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (!mkdtemp(pattern.data()))
      throw std::runtime_error("cannot create " + pattern + ": " + std::strerror(errno));
    path_ = pattern;
  }
  // Never throws: a destructor may run during unwinding, and a leftover directory is harmless.
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace disclose::fixture
