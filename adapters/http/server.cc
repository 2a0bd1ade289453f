#include "http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <exception>
#include <functional>
#include <limits>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "http/answer_hand_over.h"
#include "http/task_failure.h"

namespace disclose::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

// Failures are values here: a peer hanging up is routine, and an exception per disconnect would
// make every error path a catch block.
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr std::size_t kFirstRead = 4096;
// After a refused request the peer may still be sending its body; reading it (up to this much)
// before closing avoids a TCP reset that would destroy the error response in flight.
constexpr std::size_t kMaxDrain = 8u << 20;
// Over-cap connections each get a short-lived 503 writer; beyond this many, they are just closed.
constexpr std::size_t kMaxRejecting = 64;
constexpr std::chrono::milliseconds kTlsShutdownTimeout{1000};
// A head not complete by its deadline gets a 408 from our own timer; Beast's expiry closes the
// socket this much later in case the timer fired between two reads (see exchange()).
constexpr std::chrono::milliseconds kHeadBackstop{1000};
// After a 408 the peer gets this long, at most, to stop sending before the socket is closed.
constexpr std::chrono::milliseconds kDrainAfterTimeout{1000};

bool ascii_iequals(std::string_view a, std::string_view b) {
  auto lower = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) {
           return lower(static_cast<unsigned char>(x)) == lower(static_cast<unsigned char>(y));
         });
}

std::string json_string(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      // Bytes above ASCII are escaped one by one so the line stays valid JSON even when a peer
      // sent invalid UTF-8.
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  out += '"';
  return out;
}

std::string error_json(std::string_view code, std::string_view message) {
  return "{\"error\":{\"code\":" + json_string(code) + ",\"message\":" + json_string(message) +
         "}}";
}

Response internal_error() {
  Response response;
  response.status = 500;
  response.body = error_json("internal", "internal error");
  return response;
}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

// The method is a metrics label; an arbitrary client-chosen token would let anyone grow the
// series set without bound.
std::string metric_method(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",    "HEAD",    "POST",  "PUT",    "PATCH",
                                                "DELETE", "OPTIONS", "TRACE", "CONNECT"};
  for (auto known : kKnown) {
    if (method == known) return std::string(method);
  }
  return "OTHER";
}

// Query strings can carry names and ID numbers; logs keep the path only.
std::string_view path_of(std::string_view target) {
  return target.substr(0, std::min(target.find('?'), target.find('#')));
}

bool is_api_path(std::string_view path) {
  return path == "/api" || path.starts_with("/api/") || path.starts_with("/api?");
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n", 0, 3) != std::string_view::npos;  // NUL included
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

std::string endpoint_string(const tcp::endpoint& ep) {
  auto address = ep.address();
  std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(ep.port());
}

std::string utc_timestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buffer + n, sizeof buffer - n, ".%03dZ", static_cast<int>(millis.count()));
  return buffer;
}

[[noreturn]] void throw_setup_error(const error_code& ec, const std::string& what) {
  throw std::system_error(static_cast<std::error_code>(ec), what);
}

template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

// What happened to the connection after one exchange.
enum class Next { keep_alive, close, closed };

// The deadline of one request head on a plain connection: at `due` it cancels the stream's
// pending read (the socket stays open for the 408). Its state is shared with the timer's
// handler, which may already be queued when the read completes; both run on the connection's
// strand, so after disarm() the handler finds `done` and leaves the stream alone.
class HeadDeadline {
 public:
  static std::shared_ptr<HeadDeadline> arm(beast::tcp_stream& stream, SteadyClock::time_point due) {
    auto deadline = std::make_shared<HeadDeadline>(stream);
    deadline->timer_.expires_at(due);
    deadline->timer_.async_wait([deadline](error_code ec) {
      if (ec || deadline->done_) return;
      deadline->expired_ = true;
      deadline->stream_.cancel();
    });
    return deadline;
  }
  explicit HeadDeadline(beast::tcp_stream& stream)
      : stream_(stream), timer_(stream.get_executor()) {}
  // Stops the timer; true if it had already cut the read off.
  bool disarm() {
    done_ = true;
    timer_.cancel();
    return expired_;
  }

 private:
  beast::tcp_stream& stream_;
  asio::steady_timer timer_;
  bool done_ = false;
  bool expired_ = false;
};

}  // namespace

struct Server::Impl {
  // One per live socket, so stop() can interrupt those that are only waiting. Its fields are
  // touched only on the connection's own strand; stop() reaches them by posting there.
  struct Connection {
    asio::any_io_executor strand;         // the connection's; set once, read from any thread
    beast::tcp_stream* stream = nullptr;  // null once the connection's coroutine has ended
    bool idle = false;  // waiting for a request to start (or lingering): safe to cut off
  };

  // Keeps a connection listed for exactly as long as its coroutine runs.
  class Listed {
   public:
    Listed(Impl& impl, beast::tcp_stream& stream)
        : impl_(impl),
          connection_(
              std::make_shared<Connection>(Connection{stream.get_executor(), &stream, false})) {
      std::lock_guard lock(impl_.connections_mutex);
      it_ = impl_.connections.insert(impl_.connections.end(), connection_);
    }
    ~Listed() {
      connection_->stream = nullptr;
      std::lock_guard lock(impl_.connections_mutex);
      impl_.connections.erase(it_);
    }
    Listed(const Listed&) = delete;
    Listed& operator=(const Listed&) = delete;
    Connection& operator*() { return *connection_; }
    Connection* operator->() { return connection_.get(); }

   private:
    Impl& impl_;
    std::shared_ptr<Connection> connection_;
    std::list<std::shared_ptr<Connection>>::iterator it_;
  };

  Impl(asio::io_context& io, const ServerOptions& options, Handler& handler, Metrics& metrics)
      : options(options),
        handler(handler),
        metrics(metrics),
        io(io),
        strand(asio::make_strand(io)),
        answers(std::make_shared<AnswerHandOver>(io)),
        acceptor(strand),
        backoff(strand) {
    if (options.handler_threads > 0) workers.emplace(options.handler_threads);
  }

  ServerOptions options;
  Handler& handler;
  Metrics& metrics;
  asio::io_context& io;
  // The io_context may run on several threads (ServerOptions::io_threads). The acceptor and
  // shutdown run on this strand; each connection runs on a strand of its own, so connections
  // are served in parallel while each one's socket, timers and coroutine stay single-threaded.
  // What they share is below: atomics, or under connections_mutex. The handler and the metrics
  // are thread-safe already (handlers run on the worker pool).
  asio::strand<asio::io_context::executor_type> strand;
  // Where answers given on other threads wait for an io thread.
  std::shared_ptr<AnswerHandOver> answers;
  tcp::acceptor acceptor;
  asio::steady_timer backoff;
  std::optional<ssl::context> tls;
  uint16_t port = 0;
  // Read on every strand: a response built while stop() is being posted must already say
  // `Connection: close`.
  std::atomic<bool> stopping{false};
  bool shut_down = false;                 // on `strand`
  std::atomic<std::size_t> active{0};     // connections being served, against max_connections
  std::atomic<std::size_t> rejecting{0};  // over-cap connections being sent their 503
  std::mutex connections_mutex;
  std::list<std::shared_ptr<Connection>> connections;
  // Where handlers run when ServerOptions::handler_threads > 0: a handler may wait on the
  // database (a commit's fsync), and meanwhile the strand goes on reading and writing sockets.
  std::optional<asio::thread_pool> workers;

  // The handler's response, or a 500 if it threw (it must not, but a server cannot trust that).
  Response handle_safely(const Request& request);
  // The handler's handle_async, with `respond` called exactly once: with a 500 if the handler
  // threw before answering.
  void handle_async_safely(const Request& request, Respond respond);
  // handle_async_safely on a worker thread, or here on the connection's strand when the handler
  // answers the request without blocking; resumes the calling coroutine on its strand once the
  // response is in, from whichever thread gives it (no thread waits meanwhile).
  asio::awaitable<Response> handle_async_awaitable(const Request& request, bool on_worker);

  void open(asio::io_context& io);
  void shutdown();
  std::string new_request_id();
  bhttp::response<bhttp::string_body> to_beast(Response response, const std::string& request_id,
                                               unsigned version, bool keep_alive, bool head,
                                               std::string_view path);
  void access_log(const std::string& request_id, std::string_view method, std::string_view path,
                  int status, double seconds, std::string_view actor, std::string_view remote);

  static asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self);
  static asio::awaitable<void> session(std::shared_ptr<Impl> self, tcp::socket socket);
  static asio::awaitable<void> reject(std::shared_ptr<Impl> self, tcp::socket socket);

  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, Connection& connection, const std::string& remote);
  // One request and its response. The head must be complete by `head_due`.
  template <class Stream>
  asio::awaitable<Next> exchange(Stream& stream, Connection& connection, beast::flat_buffer& buffer,
                                 const std::string& remote, SteadyClock::time_point head_due);
  // Sends `res`'s head with Transfer-Encoding: chunked, then each piece `producer` gives.
  template <class Stream>
  asio::awaitable<boost::system::error_code> write_chunked(
      Stream& stream, bhttp::response<bhttp::string_body> res,
      std::function<bool(std::string&)>& producer, const std::string& request_id);
  template <class Stream>
  asio::awaitable<Next> refuse(Stream& stream, Connection& connection,
                               const bhttp::request_parser<bhttp::string_body>& parser,
                               error_code ec, SteadyClock::time_point started,
                               const std::string& remote);
  template <class Stream>
  // Sends FIN (TLS: close_notify); with `drain`, reads and discards what the peer still sends
  // for up to `drain_for` (default header_timeout), so closing does not reset the connection
  // before the peer has read the response.
  asio::awaitable<void> close_gracefully(
      Stream& stream, Connection& connection, bool drain,
      std::optional<std::chrono::milliseconds> drain_for = std::nullopt);
};

void Server::Impl::open(asio::io_context& io) {
  if (options.tls_certificate.empty() != options.tls_private_key.empty()) {
    throw std::invalid_argument("http: tls_certificate and tls_private_key must be set together");
  }
  error_code ec;
  if (!options.tls_certificate.empty()) {
    tls.emplace(ssl::context::tls_server);
    tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                     ec);
    if (ec) throw_setup_error(ec, "http: TLS options");
    tls->use_certificate_chain_file(options.tls_certificate, ec);
    if (ec) throw_setup_error(ec, "http: TLS certificate " + options.tls_certificate);
    tls->use_private_key_file(options.tls_private_key, ssl::context::pem, ec);
    if (ec) throw_setup_error(ec, "http: TLS private key " + options.tls_private_key);
  }

  tcp::endpoint endpoint;
  auto address = asio::ip::make_address(options.address, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options.port);
  } else {
    tcp::resolver resolver(io);
    auto results =
        resolver.resolve(options.address, std::to_string(options.port), tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      throw_setup_error(ec ? ec : asio::error::host_not_found,
                        "http: cannot resolve " + options.address);
    }
    endpoint = results.begin()->endpoint();
  }
  const std::string where = "http: listen on " + endpoint_string(endpoint);
  acceptor.open(endpoint.protocol(), ec);
  if (ec) throw_setup_error(ec, where);
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) throw_setup_error(ec, where);
  acceptor.bind(endpoint, ec);
  if (ec) throw_setup_error(ec, where);
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw_setup_error(ec, where);
  port = acceptor.local_endpoint(ec).port();
  if (ec) throw_setup_error(ec, where);
  spdlog::info("http: listening on {}://{}", tls ? "https" : "http",
               endpoint_string(tcp::endpoint(endpoint.address(), port)));
}

void Server::Impl::shutdown() {
  if (shut_down) return;
  shut_down = true;
  error_code ignored;
  acceptor.close(ignored);
  backoff.cancel();
  std::lock_guard lock(connections_mutex);
  for (const std::shared_ptr<Connection>& connection : connections) {
    // On the connection's strand, where its stream lives; by then it may have ended (stream
    // null) or be busy with a request (which ends it, since `stopping` is set).
    asio::post(connection->strand, [connection] {
      if (connection->stream && connection->idle) connection->stream->cancel();
    });
  }
}

std::string Server::Impl::new_request_id() {
  static constexpr char kHex[] = "0123456789abcdef";
  // One generator per thread: request ids are made on every io thread.
  thread_local std::mt19937_64 random(std::random_device{}());
  uint64_t bits = random();
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, bits >>= 4) id[i] = kHex[bits & 0xf];
  return id;
}

bhttp::response<bhttp::string_body> Server::Impl::to_beast(Response response,
                                                           const std::string& request_id,
                                                           unsigned version, bool keep_alive,
                                                           bool head, std::string_view path) {
  if (response.status < 200 || response.status > 599) {
    spdlog::error("http: handler returned status {} for {}; answering 500", response.status,
                  request_id);
    response = internal_error();
  }
  bhttp::response<bhttp::string_body> res;
  res.version(version);
  res.result(static_cast<unsigned>(response.status));
  for (auto& [name, value] : response.headers) {
    // Framing and identity are the server's; a handler header must not desynchronise the
    // connection or smuggle a second header in through a line break.
    if (!is_token(name) || has_line_break(value)) continue;
    if (ascii_iequals(name, "content-length") || ascii_iequals(name, "transfer-encoding") ||
        ascii_iequals(name, "connection") || ascii_iequals(name, "keep-alive") ||
        ascii_iequals(name, "server") || ascii_iequals(name, "x-request-id") ||
        ascii_iequals(name, "content-type")) {
      continue;
    }
    res.insert(name, value);
  }
  const bool valid_type = !response.content_type.empty() && !has_line_break(response.content_type);
  res.set(bhttp::field::content_type,
          valid_type ? response.content_type : std::string("application/octet-stream"));
  res.set(bhttp::field::server, "disclose");
  res.set("X-Request-Id", request_id);
  if (is_api_path(path)) res.set(bhttp::field::cache_control, "no-store");
  res.keep_alive(keep_alive);
  if (response.status == 204 || response.status == 304) {
    // Neither has a body; a Content-Length on them would describe some other representation
    // (RFC 9110 §8.6), so it is left out.
  } else {
    res.content_length(response.body.size());
    if (!head) res.body() = std::move(response.body);
  }
  return res;
}

void Server::Impl::access_log(const std::string& request_id, std::string_view method,
                              std::string_view path, int status, double seconds,
                              std::string_view actor, std::string_view remote) {
  const double millis = seconds * 1000.0;
  if (actor.empty()) actor = "-";
  if (method.empty()) method = "-";
  if (path.empty()) path = "-";
  if (options.json_log) {
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.3f", millis);
    spdlog::info(
        "{{\"ts\":{},\"event\":\"http_request\",\"request_id\":{},\"method\":{},\"path\":{},"
        "\"status\":{},\"duration_ms\":{},\"actor\":{},\"remote\":{}}}",
        json_string(utc_timestamp()), json_string(request_id), json_string(method),
        json_string(path), status, duration, json_string(actor), json_string(remote));
  } else {
    // Escaped so that a hostile target cannot forge extra log lines.
    auto unquoted = [](std::string_view text) {
      std::string quoted = json_string(text);
      return quoted.substr(1, quoted.size() - 2);
    };
    spdlog::info("http {} {} {} {} {:.3f}ms actor={} remote={}", request_id, unquoted(method),
                 unquoted(path), status, millis, unquoted(actor), remote);
  }
}

asio::awaitable<void> Server::Impl::accept_loop(std::shared_ptr<Impl> self) {
  for (;;) {
    // The socket is made on the strand its connection will run on.
    asio::any_io_executor connection_strand = asio::make_strand(self->io);
    auto [ec, socket] = co_await self->acceptor.async_accept(connection_strand, kAwait);
    if (self->stopping) co_return;  // a socket accepted now is closed unanswered
    if (ec) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) co_return;
      if (ec == asio::error::connection_aborted) continue;
      // Out of descriptors, typically: retrying at once would spin the io thread.
      spdlog::warn("http: accept failed: {}", ec.message());
      self->backoff.expires_after(std::chrono::milliseconds(100));
      co_await self->backoff.async_wait(kAwait);
      continue;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (self->active >= self->options.max_connections) {
      self->metrics.connection_rejected();
      // A 503 over TLS would need a handshake first, which is the work the cap exists to avoid.
      if (self->tls || self->rejecting >= kMaxRejecting) continue;
      ++self->rejecting;
      asio::co_spawn(connection_strand, reject(self, std::move(socket)),
                     LogTaskFailure{"http: connection task"});
      continue;
    }
    // Counted here, not when the session starts: several accepts can complete before the first
    // spawned session runs.
    ++self->active;
    self->metrics.connection_opened();
    asio::co_spawn(connection_strand, session(self, std::move(socket)),
                   LogTaskFailure{"http: connection task"});
  }
}

asio::awaitable<void> Server::Impl::session(std::shared_ptr<Impl> self, tcp::socket socket) {
  struct Release {
    Impl& impl;
    ~Release() {
      --impl.active;
      impl.metrics.connection_closed();
    }
  } release{*self};
  error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  const std::string remote = ec ? std::string("-") : endpoint_string(peer);
  try {
    if (self->tls) {
      TlsStream stream(std::move(socket), *self->tls);
      Listed connection(*self, beast::get_lowest_layer(stream));
      if (self->stopping) co_return;
      auto& lowest = beast::get_lowest_layer(stream);
      lowest.expires_after(self->options.header_timeout);
      connection->idle = true;
      auto [handshake_ec] = co_await stream.async_handshake(ssl::stream_base::server, kAwait);
      connection->idle = false;
      if (handshake_ec) {
        spdlog::debug("http: TLS handshake with {} failed: {}", remote, handshake_ec.message());
        co_return;
      }
      co_await self->serve(stream, *connection, remote);
    } else {
      PlainStream stream(std::move(socket));
      Listed connection(*self, stream);
      co_await self->serve(stream, *connection, remote);
    }
  } catch (const std::exception& e) {
    spdlog::error("http: connection from {} failed: {}", remote, e.what());
  }
}

asio::awaitable<void> Server::Impl::reject(std::shared_ptr<Impl> self, tcp::socket socket) {
  struct Release {
    Impl& impl;
    ~Release() { --impl.rejecting; }
  } release{*self};
  error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  const std::string remote = ec ? std::string("-") : endpoint_string(peer);
  PlainStream stream(std::move(socket));
  Listed connection(*self, stream);
  const std::string request_id = self->new_request_id();
  Response response;
  response.status = 503;
  response.headers.emplace_back("Retry-After", "1");
  response.body = error_json("service_unavailable", "too many open connections; retry later");
  auto res = self->to_beast(std::move(response), request_id, 11, false, false, "");
  spdlog::warn("http {} connection from {} rejected: {} connections open", request_id, remote,
               self->active.load());
  stream.expires_after(std::min(self->options.header_timeout, self->options.body_timeout));
  auto [write_ec, written] = co_await bhttp::async_write(stream, res, kAwait);
  if (write_ec) co_return;
  co_await self->close_gracefully(stream, *connection, true);
}

template <class Stream>
asio::awaitable<void> Server::Impl::serve(Stream& stream, Connection& connection,
                                          const std::string& remote) {
  auto& lowest = beast::get_lowest_layer(stream);
  beast::flat_buffer buffer;
  bool first = true;
  for (;;) {
    if (stopping) break;
    // A new connection has header_timeout for its whole first head; between requests the peer
    // gets idle_timeout to start the next one, then header_timeout to finish its head.
    SteadyClock::time_point head_due = SteadyClock::now() + options.header_timeout;
    lowest.expires_after(first ? options.header_timeout : options.idle_timeout);
    if (buffer.size() == 0) {
      connection.idle = true;
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kFirstRead), kAwait);
      connection.idle = false;
      if (ec) co_return;  // peer left, idle timeout, or stop() cut the wait short
      buffer.commit(n);
    }
    if (!first) {
      head_due = SteadyClock::now() + options.header_timeout;
      lowest.expires_after(options.header_timeout);
    }
    first = false;
    Next next = co_await exchange(stream, connection, buffer, remote, head_due);
    if (next == Next::closed) co_return;
    if (next == Next::close) break;
  }
  co_await close_gracefully(stream, connection, false);
}

template <class Stream>
asio::awaitable<boost::system::error_code> Server::Impl::write_chunked(
    Stream& stream, bhttp::response<bhttp::string_body> res,
    std::function<bool(std::string&)>& producer, const std::string& request_id) {
  auto& lowest = beast::get_lowest_layer(stream);
  bhttp::response<bhttp::empty_body> head{std::move(res.base())};
  head.erase(bhttp::field::content_length);
  head.chunked(true);
  bhttp::response_serializer<bhttp::empty_body> serializer{head};
  auto [head_ec, head_bytes] = co_await bhttp::async_write_header(stream, serializer, kAwait);
  if (head_ec) co_return head_ec;
  std::string piece;
  for (;;) {
    bool more = false;
    try {
      more = producer(piece);
    } catch (const std::exception& e) {
      // The status line is gone already: cutting the connection is the only honest signal.
      spdlog::error("http {} body stream threw mid-response: {}", request_id, e.what());
      co_return make_error_code(boost::system::errc::io_error);
    }
    if (!more) break;
    if (piece.empty()) continue;
    lowest.expires_after(options.body_timeout);
    auto [ec, n] =
        co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(piece)), kAwait);
    if (ec) co_return ec;
  }
  lowest.expires_after(options.body_timeout);
  auto [last_ec, n] = co_await asio::async_write(stream, bhttp::make_chunk_last(), kAwait);
  co_return last_ec;
}

template <class Stream>
asio::awaitable<Next> Server::Impl::exchange(Stream& stream, Connection& connection,
                                             beast::flat_buffer& buffer, const std::string& remote,
                                             SteadyClock::time_point head_due) {
  auto& lowest = beast::get_lowest_layer(stream);
  const auto started = SteadyClock::now();
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(options.header_limit, std::numeric_limits<std::uint32_t>::max())));
  parser.body_limit(options.body_limit);

  // On plain HTTP a head that is still incomplete at head_due gets a 408 before the close, so a
  // client can tell a timeout from a crash. Beast's own expiry closes the socket, which leaves
  // nothing to answer on: here a timer of our own cancels the read instead. (TLS keeps Beast's
  // expiry: a TLS stream whose read was cut off midway cannot be written to safely.)
  [[maybe_unused]] std::shared_ptr<HeadDeadline> deadline;
  if constexpr (!kIsTls<Stream>) {
    // Beast's expiry stays as a backstop a moment later: a timer firing between two of
    // async_read_header's reads cancels nothing, and the next read must not wait forever.
    lowest.expires_at(head_due + kHeadBackstop);
    deadline = HeadDeadline::arm(lowest, head_due);
  }
  auto [header_ec, header_bytes] =
      co_await bhttp::async_read_header(stream, buffer, parser, kAwait);
  if (deadline) {
    // A head that completed (or failed) just as the timer fired keeps its own outcome.
    if (deadline->disarm() && header_ec == asio::error::operation_aborted)
      header_ec = asio::error::timed_out;
    lowest.expires_after(options.body_timeout);  // whatever comes next is bounded again
  }
  if (header_ec) co_return co_await refuse(stream, connection, parser, header_ec, started, remote);

  if (!parser.is_done()) {
    lowest.expires_after(options.body_timeout);
    if (ascii_iequals(parser.get()[bhttp::field::expect], "100-continue")) {
      bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, parser.get().version()};
      auto [continue_ec, n] = co_await bhttp::async_write(stream, proceed, kAwait);
      if (continue_ec) co_return Next::closed;
    }
    auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, kAwait);
    if (body_ec) co_return co_await refuse(stream, connection, parser, body_ec, started, remote);
  }

  auto& message = parser.get();
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(message.body());
  request.remote = remote;
  std::string client_id = request.header("X-Request-Id");
  request.request_id = valid_request_id(client_id) ? std::move(client_id) : new_request_id();

  // Plain statements, not `?:` around co_await: GCC 12 destroys such temporaries too early.
  Response response;
  if (handler.traits(request).answers_without_blocking) {
    response = co_await handle_async_awaitable(request, false);
  } else if (workers) {
    response = co_await handle_async_awaitable(request, true);
  } else {
    response = handle_safely(request);
  }

  const std::string_view path = path_of(request.target);
  const bool keep_alive = message.keep_alive() && !stopping;
  const bool head = message.method() == bhttp::verb::head;
  // A streamed body goes out in chunks; HTTP/1.0 has no chunks and HEAD needs the length, so
  // those get it gathered into one body.
  std::function<bool(std::string&)> producer = std::move(response.body_stream);
  if (producer && (message.version() < 11 || head)) {
    try {
      std::string piece;
      while (producer(piece)) response.body += piece;
    } catch (const std::exception& e) {
      spdlog::error("http {} body stream threw: {}", request.request_id, e.what());
      response = internal_error();
    }
    producer = nullptr;
  }
  const std::string route = response.route.empty() ? "unmatched" : response.route;
  const std::string actor = response.actor;
  auto res =
      to_beast(std::move(response), request.request_id, message.version(), keep_alive, head, path);
  const int status = static_cast<int>(res.result_int());

  lowest.expires_after(options.body_timeout);
  boost::system::error_code write_ec;
  if (producer) {
    write_ec = co_await write_chunked(stream, std::move(res), producer, request.request_id);
  } else {
    auto [ec, written] = co_await bhttp::async_write(stream, res, kAwait);
    write_ec = ec;
  }
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  metrics.record(route, metric_method(request.method), status, seconds);
  access_log(request.request_id, request.method, path, status, seconds, actor, remote);
  if (write_ec) co_return Next::closed;
  co_return keep_alive ? Next::keep_alive : Next::close;
}

template <class Stream>
asio::awaitable<Next> Server::Impl::refuse(Stream& stream, Connection& connection,
                                           const bhttp::request_parser<bhttp::string_body>& parser,
                                           error_code ec, SteadyClock::time_point started,
                                           const std::string& remote) {
  int status = 0;
  std::string body;
  if (ec == bhttp::error::header_limit) {
    status = 431;
    body = error_json("header_too_large",
                      "request header exceeds " + std::to_string(options.header_limit) + " bytes");
  } else if (ec == bhttp::error::body_limit) {
    status = 413;
    body = error_json("payload_too_large",
                      "request body exceeds " + std::to_string(options.body_limit) + " bytes");
  } else if (ec == asio::error::timed_out) {
    status = 408;
    body =
        error_json("request_timeout", "request head not complete within " +
                                          std::to_string(options.header_timeout.count()) + " ms");
  } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
             ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    status = 400;
    body = error_json("bad_request", "malformed HTTP request: " + ec.message());
  } else {
    // Timeouts on TLS and of bodies (Beast has already closed the socket, so no 408 can be
    // sent), resets, EOF in the middle of a message, TLS failures: nothing to answer.
    spdlog::debug("http: connection from {} dropped: {}", remote, ec.message());
    co_return Next::closed;
  }

  std::string method;
  std::string path;
  std::string request_id;
  {
    // Whatever the parser got through before failing (a 413 on Content-Length still has its
    // start line and fields) makes the log line and the metric more useful.
    const auto& message = parser.get();
    method = std::string(message.method_string());
    path = std::string(path_of(message.target()));
    auto it = message.find("X-Request-Id");
    if (it != message.end() && valid_request_id(it->value())) request_id = std::string(it->value());
  }
  if (request_id.empty()) request_id = new_request_id();

  Response response;
  response.status = status;
  response.body = std::move(body);
  auto res = to_beast(std::move(response), request_id, 11, false, false, path);
  auto& lowest = beast::get_lowest_layer(stream);
  lowest.expires_after(options.body_timeout);
  auto [write_ec, written] = co_await bhttp::async_write(stream, res, kAwait);
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  metrics.record("unmatched", metric_method(method), status, seconds);
  access_log(request_id, method, path, status, seconds, "", remote);
  if (write_ec) co_return Next::closed;

  // A client that was too slow with its head does not get another header_timeout of draining.
  co_await close_gracefully(stream, connection, true,
                            status == 408 ? std::optional(kDrainAfterTimeout) : std::nullopt);
  co_return Next::closed;
}

template <class Stream>
asio::awaitable<void> Server::Impl::close_gracefully(
    Stream& stream, Connection& connection, bool drain,
    std::optional<std::chrono::milliseconds> drain_for) {
  auto& lowest = beast::get_lowest_layer(stream);
  if constexpr (kIsTls<Stream>) {
    // close_notify tells the client the response was complete; waiting for its reply is bounded
    // and interruptible, since many clients never send one.
    (void)drain;
    (void)drain_for;
    lowest.expires_after(
        std::min<std::chrono::milliseconds>(options.header_timeout, kTlsShutdownTimeout));
    connection.idle = true;
    auto [ec] = co_await stream.async_shutdown(kAwait);
    connection.idle = false;
  } else {
    error_code ignored;
    lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (!drain || stopping) co_return;
    lowest.expires_after(drain_for ? std::min(*drain_for, options.header_timeout)
                                   : options.header_timeout);
    connection.idle = true;
    std::array<char, 8192> sink;
    std::size_t drained = 0;
    while (drained < kMaxDrain) {
      auto [ec, n] = co_await lowest.async_read_some(asio::buffer(sink), kAwait);
      if (ec) break;
      drained += n;
    }
    connection.idle = false;
  }
}

Response Server::Impl::handle_safely(const Request& request) {
  try {
    return handler.handle(request);
  } catch (const std::exception& e) {
    spdlog::error("http {} handler threw: {}", request.request_id, e.what());
  } catch (...) {
    spdlog::error("http {} handler threw", request.request_id);
  }
  return internal_error();
}

void Server::Impl::handle_async_safely(const Request& request, Respond respond) {
  auto answered = std::make_shared<std::atomic<bool>>(false);
  Respond once = [answered, respond = std::move(respond)](Response response) {
    if (!answered->exchange(true)) respond(std::move(response));
  };
  try {
    handler.handle_async(request, once);
    return;
  } catch (const std::exception& e) {
    spdlog::error("http {} handler threw: {}", request.request_id, e.what());
  } catch (...) {
    spdlog::error("http {} handler threw", request.request_id);
  }
  once(internal_error());
}

asio::awaitable<Response> Server::Impl::handle_async_awaitable(const Request& request,
                                                               bool on_worker) {
  // `request` lives in the awaiting coroutine's frame, which stays suspended until the
  // completion below runs, so the handler may read it by reference until it responds.
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Response)>(
      [this, &request, on_worker](auto completion) {
        // Respond must be copyable; the completion is move-only and runs once. It is posted,
        // never run inside handle_async, even when the answer comes at once.
        // A commit group's answers come together, from the store's committing thread: they
        // reach the io threads in one hand-over (answer_hand_over.h), whose task dispatches
        // each to its connection's strand: resumed there and then if the strand is free.
        auto shared = std::make_shared<decltype(completion)>(std::move(completion));
        Respond respond = [shared, answers = answers](Response response) {
          answers->give([shared, response = std::move(response)]() mutable {
            auto home = asio::get_associated_executor(*shared);
            asio::dispatch(home, [shared, response = std::move(response)]() mutable {
              std::move (*shared)(std::move(response));
            });
          });
        };
        if (on_worker) {
          asio::post(*workers, [this, &request, respond = std::move(respond)] {
            handle_async_safely(request, respond);
          });
        } else {
          handle_async_safely(request, std::move(respond));
        }
      },
      asio::use_awaitable);
}

Server::Server(asio::io_context& io, const ServerOptions& options, Handler& handler,
               Metrics& metrics)
    : impl_(std::make_shared<Impl>(io, options, handler, metrics)) {
  impl_->open(io);
  asio::co_spawn(impl_->strand, Impl::accept_loop(impl_), LogTaskFailure{"http: accept loop"});
}

Server::~Server() {
  // The coroutines keep the implementation alive; without this they would go on serving with a
  // handler the caller is about to destroy.
  stop();
  // No handler may still be running once the caller destroys it.
  if (impl_->workers) impl_->workers->join();
}

uint16_t Server::port() const {
  return impl_->port;
}

void Server::stop() {
  impl_->stopping = true;
  asio::dispatch(impl_->strand, [impl = impl_] { impl->shutdown(); });
}

}  // namespace disclose::http
