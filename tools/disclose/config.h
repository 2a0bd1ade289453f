// The server's configuration: one YAML file, every key optional (README.md documents each), then
// command-line flags on top. With no file at all the defaults run: 127.0.0.1:8080, the embedded
// database under ./var, the bundled workflows and calendars.
#pragma once

#include <stdexcept>
#include <string>

#include "http/server.h"

namespace disclose::cli {

// The server's options as `serve` starts them: sockets on 2 threads, which also run case actions
// (they wait for their commit group without a thread: RequestTraits::answers_without_blocking);
// other requests on 64 handler threads, so that other writes (registrations, administration) also
// wait for their commit together — a commit group holds at most one of those per handler thread.
inline http::ServerOptions serve_defaults() {
  http::ServerOptions options;
  options.handler_threads = 64;
  options.io_threads = 2;
  return options;
}

struct ServeConfig {
  std::string db = "var/disclose.db";
  std::string workflows;  // "" = the usual search (see Context::workflows_dir)
  std::string sqlite_synchronous = "FULL";
  int utc_offset_minutes = 8 * 60;                // Asia/Shanghai
  std::string log_level = "info";                 // trace | debug | info | warn | error
  http::ServerOptions server = serve_defaults();  // listen, limits, timeouts, TLS, log format
  // Where staff open the console; links in notifications point there.
  std::string public_url = "http://127.0.0.1:8080";
  struct Timers {
    bool enabled = true;     // false: no reminders or expiry actions (e.g. a read-only replica)
    int sweep_seconds = 60;  // the longest the timer loop sleeps (clock jumps are seen this fast)
  } timers;
  // How long a POST's Idempotency-Key answer is remembered (replayed to a retry); then the
  // housekeeping loop forgets it and the same key is a new request. 0: kept forever.
  int idempotency_retention_hours = 24;
  struct Notifications {
    bool enabled = true;  // false: notifications queue up but are not sent
    int max_in_flight = 32;
    int max_in_flight_per_subscription = 4;
    int timeout_seconds = 10;     // per request
    int lease_seconds = 60;       // a row being sent is sent again after this if the server died
    int retry_base_seconds = 10;  // first backoff step (full jitter)
    int retry_cap_seconds = 6 * 3600;
    int give_up_hours = 72;  // then the notification is dead (listed, replayable)
  } notifications;
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
