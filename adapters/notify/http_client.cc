#include "notify/http_client.h"

#include <exception>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace disclose::notify {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
namespace urls = boost::urls;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

// Failures come back as values (see the header).
constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

struct Target {
  bool tls = false;
  std::string host;  // for DNS, SNI and certificate checks: no brackets, decoded
  std::string port;  // service for the resolver
  unsigned short port_number = 0;
  std::string host_header;                   // as the URL spells it, with a non-default port
  std::string path;                          // path and query
  std::optional<asio::ip::address> address;  // set when the host is an IP literal
};

std::optional<Target> parse_target(const std::string& url, std::string& error) {
  auto parsed = urls::parse_uri(url);
  if (!parsed) {
    error = "invalid URL: " + parsed.error().message();
    return std::nullopt;
  }
  const urls::url_view& u = *parsed;
  Target target;
  if (u.scheme_id() == urls::scheme::https) {
    target.tls = true;
  } else if (u.scheme_id() != urls::scheme::http) {
    error = "unsupported URL scheme: " + std::string(u.scheme());
    return std::nullopt;
  }
  target.host = u.host_address();
  if (target.host.empty()) {
    error = "URL has no host";
    return std::nullopt;
  }
  error_code ec;
  auto address = asio::ip::make_address(target.host, ec);
  if (!ec) target.address = address;
  const bool explicit_port = u.has_port() && !u.port().empty();
  target.port = explicit_port ? std::string(u.port()) : (target.tls ? "443" : "80");
  // Boost.URL accepts any digits; a port must also fit in 16 bits.
  if (target.port.size() > 5 || std::stoul(target.port) == 0 || std::stoul(target.port) > 65535) {
    error = "invalid port in URL: " + target.port;
    return std::nullopt;
  }
  target.port_number = static_cast<unsigned short>(std::stoul(target.port));
  target.host_header = std::string(u.encoded_host_and_port());
  if (u.has_port() && u.port().empty()) target.host_header.pop_back();  // "host:" → "host"
  target.path = std::string(u.encoded_target());
  if (target.path.empty() || target.path.front() != '/') target.path.insert(0, "/");
  return target;
}

std::string millis_text(std::chrono::milliseconds timeout) {
  return std::to_string(timeout.count()) + " ms";
}

// "while <phase>: <reason>", with Beast's stream deadline spelled as a timeout.
std::string failure(std::string_view phase, const error_code& ec,
                    std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout) {
    return "timed out after " + millis_text(timeout) + " while " + std::string(phase);
  }
  return std::string(phase) + ": " + ec.message();
}

bhttp::request<bhttp::string_body> to_beast(const OutgoingRequest& request, const Target& target,
                                            const std::string& user_agent) {
  bhttp::request<bhttp::string_body> message;
  const auto verb = bhttp::string_to_verb(request.method);
  if (verb == bhttp::verb::unknown) {
    message.method_string(request.method);
  } else {
    message.method(verb);
  }
  message.target(target.path);
  message.version(11);
  message.set(bhttp::field::host, target.host_header);
  message.set(bhttp::field::user_agent, user_agent);
  for (const auto& [name, value] : request.headers) message.set(name, value);
  // One request per connection: nothing to pool, and the connection's owner is this coroutine.
  message.set(bhttp::field::connection, "close");
  message.body() = request.body;
  message.prepare_payload();
  return message;
}

// Writes the request and reads the response on an established (and, for TLS, handshaken)
// stream whose deadline is already set.
template <class Stream>
asio::awaitable<HttpResult> exchange(Stream& stream, const bhttp::request<bhttp::string_body>& req,
                                     std::size_t body_limit, std::chrono::milliseconds timeout) {
  HttpResult result;
  auto [write_ec, written] = co_await bhttp::async_write(stream, req, kAwait);
  if (write_ec) {
    result.error = failure("sending the request", write_ec, timeout);
    co_return result;
  }
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(body_limit);
  auto [read_ec, read] = co_await bhttp::async_read(stream, buffer, parser, kAwait);
  if (read_ec && !parser.is_header_done()) {
    result.error = failure("reading the response", read_ec, timeout);
    co_return result;
  }
  // With the status line in hand, a cut-off body (over the limit, or a TLS peer that closed
  // without close_notify) still lets the status decide; robots' verdicts fit well within the
  // limit.
  auto& message = parser.get();
  result.transport_ok = true;
  result.status = static_cast<int>(message.result_int());
  auto retry_after = message.find(bhttp::field::retry_after);
  if (retry_after != message.end()) result.retry_after = std::string(retry_after->value());
  result.body = std::move(message.body());
  if (result.body.size() > body_limit) result.body.resize(body_limit);
  if (read_ec) result.error = failure("reading the response body", read_ec, timeout);
  co_return result;
}

void close_socket(beast::tcp_stream& stream) {
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.socket().close(ignored);
}

}  // namespace

struct HttpClient::Impl {
  HttpClientOptions options;
  ssl::context tls{ssl::context::tls_client};

  explicit Impl(HttpClientOptions opts) : options(std::move(opts)) {
    error_code ec;
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                    ec);
    if (ec) throw std::system_error(static_cast<std::error_code>(ec), "notify: TLS options");
    tls.set_default_verify_paths(ec);
    if (ec) throw std::system_error(static_cast<std::error_code>(ec), "notify: TLS trust store");
    if (!options.ca_file.empty()) {
      tls.load_verify_file(options.ca_file, ec);
      if (ec) {
        throw std::system_error(static_cast<std::error_code>(ec),
                                "notify: TLS CA file " + options.ca_file);
      }
    }
    tls.set_verify_mode(ssl::verify_peer);
  }

  asio::awaitable<HttpResult> send(const OutgoingRequest& request,
                                   std::chrono::milliseconds timeout);
};

asio::awaitable<HttpResult> HttpClient::Impl::send(const OutgoingRequest& request,
                                                   std::chrono::milliseconds timeout) {
  HttpResult result;
  std::optional<Target> target = parse_target(request.url, result.error);
  if (!target) co_return result;

  auto executor = co_await asio::this_coro::executor;
  const auto deadline = SteadyClock::now() + timeout;

  // Resolution: IP literals need none. A name is resolved under a watchdog that cancels the
  // resolver at the deadline; the watchdog holds only a weak reference, since its handler may
  // run after this coroutine is gone.
  std::vector<tcp::endpoint> endpoints;
  if (target->address) {
    endpoints.emplace_back(*target->address, target->port_number);
  } else {
    auto resolver = std::make_shared<tcp::resolver>(executor);
    asio::steady_timer watchdog(executor, deadline);
    watchdog.async_wait([weak = std::weak_ptr<tcp::resolver>(resolver)](error_code ec) {
      if (ec) return;
      if (auto alive = weak.lock()) alive->cancel();
    });
    auto [resolve_ec, resolved] =
        co_await resolver->async_resolve(target->host, target->port, kAwait);
    watchdog.cancel();
    if (resolve_ec) {
      result.error =
          resolve_ec == asio::error::operation_aborted
              ? "timed out after " + millis_text(timeout) + " while resolving " + target->host
              : "resolving " + target->host + ": " + resolve_ec.message();
      co_return result;
    }
    for (const auto& entry : resolved) endpoints.push_back(entry.endpoint());
  }

  const auto message = to_beast(request, *target, options.user_agent);
  if (!target->tls) {
    beast::tcp_stream stream(executor);
    // One deadline for everything that follows: Beast's stream timer closes the socket when it
    // passes, which completes any pending operation with beast::error::timeout.
    stream.expires_at(deadline);
    auto [connect_ec, endpoint] = co_await stream.async_connect(endpoints, kAwait);
    if (connect_ec) {
      result.error =
          failure("connecting to " + target->host + ":" + target->port, connect_ec, timeout);
      co_return result;
    }
    result = co_await exchange(stream, message, options.body_limit, timeout);
    close_socket(stream);
    co_return result;
  }

  beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
  auto& lowest = beast::get_lowest_layer(stream);
  lowest.expires_at(deadline);
  SSL* native = stream.native_handle();
  if (!target->address) {
    // SNI carries names only (RFC 6066 §3 excludes IP literals).
    if (SSL_set_tlsext_host_name(native, target->host.c_str()) != 1) {
      result.error = "TLS: cannot set SNI for " + target->host;
      co_return result;
    }
  }
  // OpenSSL's own name check (rather than a verify callback) makes a mismatch show up as
  // "hostname mismatch" in the error, which is what an admin reading last_error needs.
  X509_VERIFY_PARAM* param = SSL_get0_param(native);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int name_set = target->address
                           ? X509_VERIFY_PARAM_set1_ip_asc(param, target->host.c_str())
                           : X509_VERIFY_PARAM_set1_host(param, target->host.c_str(), 0);
  if (name_set != 1) {
    result.error = "TLS: cannot verify certificates for " + target->host;
    co_return result;
  }

  auto [connect_ec, endpoint] = co_await lowest.async_connect(endpoints, kAwait);
  if (connect_ec) {
    result.error =
        failure("connecting to " + target->host + ":" + target->port, connect_ec, timeout);
    co_return result;
  }
  auto [handshake_ec] = co_await stream.async_handshake(ssl::stream_base::client, kAwait);
  if (handshake_ec) {
    result.error = failure("negotiating TLS with " + target->host, handshake_ec, timeout);
    const long verify = SSL_get_verify_result(native);
    if (verify != X509_V_OK) {
      result.error += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
    }
    close_socket(lowest);
    co_return result;
  }
  result = co_await exchange(stream, message, options.body_limit, timeout);
  // No close_notify exchange: the response is complete (or its status is all that counts), and
  // waiting for the peer's reply would hold a delivery slot for nothing.
  close_socket(lowest);
  co_return result;
}

HttpClient::HttpClient(HttpClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpClient::~HttpClient() = default;

asio::awaitable<HttpResult> HttpClient::send(const OutgoingRequest& request,
                                             std::chrono::milliseconds timeout) {
  // Programming errors (a bad header value, allocation failure) must not escape either: the
  // caller counts on a value.
  try {
    co_return co_await impl_->send(request, timeout);
  } catch (const std::exception& e) {
    HttpResult result;
    result.error = std::string("client error: ") + e.what();
    co_return result;
  }
}

}  // namespace disclose::notify
