// The HTTP server: Boost.Beast on an io_context with C++20 coroutines, one coroutine per
// connection that owns its stream, each connection on a strand of its own (so the io_context
// may run on several threads). A handler runs on a worker pool when there is one, unless it
// answers without blocking (then on the connection's strand, answering later from wherever its
// work completes, e.g. a case action once its commit is durable). It enforces the limits
// (header and body size, timeouts, connection cap), assigns request ids, writes the access log and
// records metrics; everything else is the Handler's.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "http/http_message.h"
#include "http/metrics.h"

namespace disclose::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;                              // 0: the kernel picks (tests)
  std::size_t body_limit = 1 << 20;                  // 413 beyond
  std::size_t header_limit = 16 * 1024;              // 431 beyond
  std::chrono::milliseconds header_timeout{10'000};  // to receive a whole request head
  std::chrono::milliseconds body_timeout{30'000};    // to receive the body
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait for the next request
  std::size_t max_connections = 1024;                // beyond: accepted and closed at once
  std::string tls_certificate;                       // PEM files; both set = HTTPS only
  std::string tls_private_key;
  bool json_log = false;  // access log as JSON lines instead of text
  // Threads that run the handler, but for requests it answers without blocking (those run on
  // the connection's io thread). 0: every request on its io thread (tests, tools). More let
  // requests wait on the database concurrently, so their writes share commits.
  std::size_t handler_threads = 0;
  // Threads the application runs the io_context on (`disclose serve` does; the Server itself
  // runs none and is correct with any number). More spread the sockets' system calls, which
  // on loopback are most of a request's cost, over the cores.
  std::size_t io_threads = 1;
};

class Server {
 public:
  // Binds and listens at once (throws std::system_error when it cannot); serving starts when
  // the io_context runs. `handler` and `metrics` must outlive the server and every answer still
  // pending (a handler may answer after the server is gone; the io_context's run() returns only
  // once every connection has had its answers, so destroy the handler after that).
  Server(boost::asio::io_context& io, const ServerOptions& options, Handler& handler,
         Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (useful with port 0).
  uint16_t port() const;
  // Graceful stop: no new connections; requests in flight finish and their responses are sent;
  // idle keep-alive connections close. The io_context's run() returns once all are done.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace disclose::http
