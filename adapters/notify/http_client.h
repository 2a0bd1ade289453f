// The outgoing HTTP client for notifications: one request per connection, as a coroutine on the
// caller's io_context. Plain HTTP and HTTPS (SNI, certificate and host name verification).
//
// Network failures are values, never exceptions: the dispatcher turns every failure into a
// retry decision, and a throw per unreachable robot would make that a catch block.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "disclose/notification.h"

namespace disclose::notify {

struct HttpResult {
  bool transport_ok = false;  // a response was received (whatever its status)
  int status = 0;
  std::string retry_after;  // the Retry-After header as sent, "" when absent
  std::string body;         // at most HttpClientOptions::body_limit bytes
  std::string error;        // why there is no response: resolve, connect, TLS, timeout, …
};

struct HttpClientOptions {
  std::size_t body_limit = 64 * 1024;  // a larger response body is cut off (status still counts)
  // Extra trust anchors in PEM (a private CA), added to the system's default verify paths.
  std::string ca_file;
  std::string user_agent = "disclose-notify/0.1";
};

class HttpClient {
 public:
  // Throws std::system_error when the TLS context cannot be set up (e.g. an unreadable ca_file).
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request on the awaiting coroutine's executor. The whole exchange (resolve,
  // connect, TLS handshake, write, read) is bounded by `timeout`. The client must outlive the
  // returned coroutine.
  boost::asio::awaitable<HttpResult> send(const OutgoingRequest& request,
                                          std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace disclose::notify
