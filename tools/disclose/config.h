// The server's configuration: one YAML file, every key optional (README.md documents each), then
// command-line flags on top. With no file at all the defaults run: 127.0.0.1:8080, the embedded
// database under ./var, the bundled workflows and calendars.
#pragma once

#include <stdexcept>
#include <string>

#include "http/server.h"

namespace disclose::cli {

struct ServeConfig {
  std::string db = "var/disclose.db";
  std::string workflows;  // "" = the usual search (see Context::workflows_dir)
  std::string sqlite_synchronous = "FULL";
  int utc_offset_minutes = 8 * 60;  // Asia/Shanghai
  std::string log_level = "info";   // trace | debug | info | warn | error
  http::ServerOptions server;       // listen address, limits, timeouts, TLS, log format
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads `path` over the defaults. Throws ConfigError "FILE:LINE: message" for unknown keys,
// wrong types and bad values.
ServeConfig load_serve_config(const std::string& path, ServeConfig defaults = {});
// "ADDR:PORT" (IPv6 as "[::1]:8080"); throws ConfigError naming the flag.
void apply_listen(const std::string& listen, http::ServerOptions& server, const std::string& where);
// "+08:00" / "-05:30" / "Asia/Shanghai" (the one zone name known without a tz database).
int parse_utc_offset(const std::string& text, const std::string& where);

}  // namespace disclose::cli
