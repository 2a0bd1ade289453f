// The web console's files (adapters/console/web), compiled into the binary at build time so
// `disclose serve` needs nothing on disk and nothing from the internet (issue #7).
#pragma once

#include <span>
#include <string_view>

namespace disclose::console {

struct EmbeddedFile {
  std::string_view path;    // relative to adapters/console/web, e.g. "assets/app.js"
  std::string_view bytes;   // the file's content
  std::string_view sha256;  // hex digest of `bytes`: the strong ETag
};

// Every file, sorted by path. Generated (see embed_files.cmake).
std::span<const EmbeddedFile> embedded_console_files();

}  // namespace disclose::console
