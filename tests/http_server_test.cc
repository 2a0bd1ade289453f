// The Beast server against real sockets on 127.0.0.1: limits, timeouts, the connection cap,
// graceful stop, TLS, access log and metrics. Waits are on futures or socket events, each bounded
// by a generous client-side deadline, never on sleeps.
#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>

#include "http/server.h"
#include "temp_dir.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace json = boost::json;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using disclose::http::Handler;
using disclose::http::Metrics;
using disclose::http::Request;
using disclose::http::RequestTraits;
using disclose::http::Respond;
using disclose::http::Response;
using disclose::http::Server;
using disclose::http::ServerOptions;
using namespace std::chrono_literals;

constexpr auto kDeadline = 10s;  // upper bound for anything the server should do promptly

// Echoes what it was given, so tests can see exactly what crossed the edge; /hold parks the io
// thread until the test releases it, which is how a request is kept in flight.
class EchoHandler : public Handler {
 public:
  Response handle(const Request& request) override {
    ++calls;
    if (request.target.starts_with("/hold")) {
      entered.set_value();
      released.wait();
    }
    if (request.target == "/throw") throw std::runtime_error("boom");
    {
      std::lock_guard lock(mutex);
      seen_request_ids.push_back(request.request_id);
    }
    json::object echo{{"method", request.method},
                      {"target", request.target},
                      {"body", request.body.size() <= 1024 ? request.body : std::string()},
                      {"size", request.body.size()},
                      {"request_id", request.request_id},
                      {"remote", request.remote},
                      {"x_test", request.header("x-TEST")}};
    Response response;
    response.body = json::serialize(echo);
    response.headers.emplace_back("X-Extra", "yes");
    response.headers.emplace_back("Content-Length", "999");  // must not override framing
    if (request.target.starts_with("/api/echo")) response.route = "/api/echo";
    response.actor = "u:7";
    return response;
  }

  // /later answers without blocking: handle_async hands its Respond to the test, which answers
  // when it likes; /later/throw throws instead.
  RequestTraits traits(const Request& request) const override {
    return {.answers_without_blocking = request.target.starts_with("/later")};
  }
  void handle_async(const Request& request, Respond respond) override {
    if (!request.target.starts_with("/later")) return Handler::handle_async(request, respond);
    if (request.target == "/later/throw") throw std::runtime_error("boom later");
    later_thread = std::this_thread::get_id();
    later.set_value(std::move(respond));
  }

  void release() {
    std::call_once(release_once, [this] { release_promise.set_value(); });
  }

  std::atomic<int> calls{0};
  std::promise<void> entered;
  std::promise<void> release_promise;
  std::shared_future<void> released = release_promise.get_future().share();
  std::once_flag release_once;
  std::mutex mutex;
  std::vector<std::string> seen_request_ids;
  std::promise<Respond> later;
  std::thread::id later_thread;
};

bhttp::request<bhttp::string_body> make_request(bhttp::verb verb, std::string target,
                                                std::string body = "") {
  bhttp::request<bhttp::string_body> request{verb, target, 11};
  request.set(bhttp::field::host, "127.0.0.1");
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

// A blocking client built from async operations on its own io_context, so every wait carries
// the stream's deadline instead of hanging the test.
template <class Stream>
class BasicClient {
 public:
  template <class... Args>
  explicit BasicClient(Args&... args) : stream_(io_, args...) {}

  error_code connect(uint16_t port) {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    return run([&](auto handler) { lowest().async_connect(endpoint, handler); });
  }
  error_code handshake() {
    return run([&](auto handler) { stream_.async_handshake(ssl::stream_base::client, handler); });
  }
  error_code send(const std::string& bytes) {
    return run([&](auto handler) { asio::async_write(stream_, asio::buffer(bytes), handler); });
  }
  error_code write(bhttp::request<bhttp::string_body> request) {
    return run([&](auto handler) { bhttp::async_write(stream_, request, handler); });
  }
  error_code read(bhttp::response<bhttp::string_body>& response, bool head = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64u << 20);
    if (head) parser.skip(true);
    auto ec = run([&](auto handler) { bhttp::async_read(stream_, buffer_, parser, handler); });
    if (!ec) response = parser.release();
    return ec;
  }
  error_code read_interim(unsigned& status) {
    bhttp::response_parser<bhttp::empty_body> parser;
    auto ec =
        run([&](auto handler) { bhttp::async_read_header(stream_, buffer_, parser, handler); });
    status = parser.get().result_int();
    return ec;
  }
  bhttp::response<bhttp::string_body> roundtrip(bhttp::request<bhttp::string_body> request) {
    bhttp::response<bhttp::string_body> response;
    EXPECT_FALSE(write(std::move(request)));
    auto ec = read(response);
    EXPECT_FALSE(ec) << ec.message();
    return response;
  }
  // Reads until the server closes; returns how it ended (eof or reset; timeout means it never did).
  error_code read_until_closed(std::string* received = nullptr) {
    std::array<char, 4096> chunk;
    if (received) received->append(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    for (;;) {
      std::size_t got = 0;
      auto ec = run([&](auto handler) {
        stream_.async_read_some(asio::buffer(chunk), [&, handler](error_code e, std::size_t n) {
          got = n;
          handler(e, n);
        });
      });
      if (received) received->append(chunk.data(), got);
      if (ec) return ec;
    }
  }
  Stream& stream() { return stream_; }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  template <class Start>
  error_code run(Start start) {
    error_code result = asio::error::would_block;
    lowest().expires_after(kDeadline);
    start([&result](error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  asio::io_context io_;
  Stream stream_;
  beast::flat_buffer buffer_;
};

using Client = BasicClient<beast::tcp_stream>;
using TlsClient = BasicClient<beast::ssl_stream<beast::tcp_stream>>;

bool closed_by_peer(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == bhttp::error::end_of_stream || ec == ssl::error::stream_truncated;
}

json::object error_of(const std::string& body) {
  auto value = json::parse(body);
  return value.as_object().at("error").as_object();
}

bool is_hex16(const std::string& s) {
  return s.size() == 16 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

class HttpServerTest : public testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    options.address = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<Server>(io_, options, handler_, metrics_);
    // The io_context on options.io_threads threads, as `disclose serve` runs it.
    runner_ = std::thread([this, threads = options.io_threads] {
      std::vector<std::thread> more;
      for (std::size_t i = 1; i < threads; ++i) more.emplace_back([this] { io_.run(); });
      io_.run();
      for (std::thread& t : more) t.join();
      ran_.set_value();
    });
  }

  // Graceful stop, then waits for run() to return; false if it did not within the deadline.
  bool stop_and_wait() {
    server_->stop();
    bool returned = ran_future_.wait_for(kDeadline) == std::future_status::ready;
    if (!returned) io_.stop();
    runner_.join();
    return returned;
  }

  void TearDown() override {
    handler_.release();
    if (runner_.joinable()) stop_and_wait();
  }

  uint16_t port() const { return server_->port(); }
  std::string capture_access_log(bool json_log);

  std::unique_ptr<Client> connected() {
    auto client = std::make_unique<Client>();
    auto ec = client->connect(port());
    EXPECT_FALSE(ec) << ec.message();
    return client;
  }

  // A connection whose request (/hold) has reached the handler and stays there until
  // handler_.release(). Null, with the test failed, if it never arrived.
  std::unique_ptr<Client> held_request() {
    auto held = connected();
    if (held->write(make_request(bhttp::verb::get, "/hold"))) {
      ADD_FAILURE() << "could not send /hold";
      return nullptr;
    }
    if (handler_.entered.get_future().wait_for(kDeadline) != std::future_status::ready) {
      ADD_FAILURE() << "/hold never reached the handler";
      return nullptr;
    }
    return held;
  }

  EchoHandler handler_;
  Metrics metrics_;
  asio::io_context io_;  // after handler and metrics: destroyed first, with any leftover work
  std::unique_ptr<Server> server_;
  std::thread runner_;
  std::promise<void> ran_;
  std::future<void> ran_future_ = ran_.get_future();
};

TEST(HttpRequestTest, HeaderLookupIsCaseInsensitive) {
  Request request;
  request.headers = {{"Content-Type", "text/plain"}, {"X-Request-Id", "abc"}};
  EXPECT_EQ(request.header("content-type"), "text/plain");
  EXPECT_EQ(request.header("X-REQUEST-ID"), "abc");
  EXPECT_EQ(request.header("Accept"), "");
}

TEST_F(HttpServerTest, GetAndPostRoundTripWithRequestIds) {
  start();
  auto client = connected();

  auto get = make_request(bhttp::verb::get, "/api/echo?x=1");
  get.set("X-Test", "hello");
  auto response = client->roundtrip(get);
  EXPECT_EQ(response.result_int(), 200);
  auto echo = json::parse(response.body()).as_object();
  EXPECT_EQ(echo.at("method"), "GET");
  EXPECT_EQ(echo.at("target"), "/api/echo?x=1");
  EXPECT_EQ(echo.at("x_test"), "hello");
  EXPECT_TRUE(std::string(echo.at("remote").as_string()).starts_with("127.0.0.1:"));
  const std::string id(response["X-Request-Id"]);
  EXPECT_TRUE(is_hex16(id)) << id;
  EXPECT_EQ(echo.at("request_id"), json::value(id));
  EXPECT_EQ(response[bhttp::field::content_type], "application/json");
  EXPECT_EQ(response[bhttp::field::content_length], std::to_string(response.body().size()));
  EXPECT_EQ(response[bhttp::field::cache_control], "no-store");
  EXPECT_EQ(response[bhttp::field::server], "disclose");
  EXPECT_EQ(response["X-Extra"], "yes");

  auto post = make_request(bhttp::verb::post, "/api/echo", "{\"a\":1}");
  post.set("X-Request-Id", "client-ID_1.2");
  response = client->roundtrip(post);
  EXPECT_EQ(response.result_int(), 200);
  echo = json::parse(response.body()).as_object();
  EXPECT_EQ(echo.at("method"), "POST");
  EXPECT_EQ(echo.at("body"), "{\"a\":1}");
  EXPECT_EQ(response["X-Request-Id"], "client-ID_1.2");
  EXPECT_EQ(echo.at("request_id"), "client-ID_1.2");

  // Ids that could carry anything into logs are replaced.
  for (std::string bad : {std::string("has space"), std::string(65, 'a'), std::string("a\"b")}) {
    auto request = make_request(bhttp::verb::get, "/plain");
    request.set("X-Request-Id", bad);
    response = client->roundtrip(request);
    EXPECT_TRUE(is_hex16(std::string(response["X-Request-Id"])));
    // Outside /api the server adds no cache policy.
    EXPECT_EQ(response.count(bhttp::field::cache_control), 0u);
  }
}

TEST_F(HttpServerTest, FreshRequestIdPerRequest) {
  start();
  auto client = connected();
  std::set<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.insert(
        std::string(client->roundtrip(make_request(bhttp::verb::get, "/x"))["X-Request-Id"]));
  }
  EXPECT_EQ(ids.size(), 5u);
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  start();
  auto client = connected();
  auto first = client->roundtrip(make_request(bhttp::verb::get, "/api/echo?n=1"));
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_TRUE(first.keep_alive());
  auto second = client->roundtrip(make_request(bhttp::verb::get, "/api/echo?n=2"));
  EXPECT_EQ(second.result_int(), 200);
  EXPECT_EQ(json::parse(second.body()).at("target"), "/api/echo?n=2");
  EXPECT_NE(first["X-Request-Id"], second["X-Request-Id"]);
  EXPECT_EQ(handler_.calls, 2);
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  auto client = connected();
  std::string both =
      "GET /api/echo?n=1 HTTP/1.1\r\nHost: a\r\n\r\n"
      "POST /api/echo?n=2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
      "GET /api/echo?n=3 HTTP/1.1\r\nHost: a\r\n\r\n";
  ASSERT_FALSE(client->send(both));
  for (std::string expected : {"/api/echo?n=1", "/api/echo?n=2", "/api/echo?n=3"}) {
    bhttp::response<bhttp::string_body> response;
    ASSERT_FALSE(client->read(response));
    EXPECT_EQ(response.result_int(), 200);
    EXPECT_EQ(json::parse(response.body()).at("target"), json::value(expected));
  }
}

TEST_F(HttpServerTest, LargeBodyWithinLimitIsAccepted) {
  start();
  auto client = connected();
  auto response =
      client->roundtrip(make_request(bhttp::verb::post, "/api/echo", std::string(512 * 1024, 'x')));
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(json::parse(response.body()).at("size"), 512 * 1024);
}

TEST_F(HttpServerTest, OversizedBodyGets413AndNeverReachesTheHandler) {
  start();
  {
    auto client = connected();
    ASSERT_FALSE(
        client->write(make_request(bhttp::verb::post, "/api/echo", std::string(2 << 20, 'x'))));
    bhttp::response<bhttp::string_body> response;
    ASSERT_FALSE(client->read(response));
    EXPECT_EQ(response.result_int(), 413);
    EXPECT_EQ(error_of(response.body()).at("code"), "payload_too_large");
    EXPECT_FALSE(response.keep_alive());
    EXPECT_TRUE(is_hex16(std::string(response["X-Request-Id"])));
    EXPECT_EQ(response[bhttp::field::content_type], "application/json");
    EXPECT_TRUE(closed_by_peer(client->read_until_closed()));
  }
  {
    // Chunked: the limit trips while reading the body rather than at the header.
    auto client = connected();
    std::string chunked =
        "POST /api/echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        "100000\r\n" +
        std::string(0x100000, 'y') + "\r\n" + "100000\r\n" + std::string(0x100000, 'y') +
        "\r\n0\r\n\r\n";
    ASSERT_FALSE(client->send(chunked));
    bhttp::response<bhttp::string_body> response;
    ASSERT_FALSE(client->read(response));
    EXPECT_EQ(response.result_int(), 413);
    EXPECT_EQ(error_of(response.body()).at("code"), "payload_too_large");
  }
  EXPECT_EQ(handler_.calls, 0);
}

TEST_F(HttpServerTest, OversizedHeaderGets431) {
  start();
  auto client = connected();
  auto request = make_request(bhttp::verb::get, "/api/echo");
  request.set("X-Big", std::string(32 * 1024, 'h'));
  ASSERT_FALSE(client->write(request));
  bhttp::response<bhttp::string_body> response;
  ASSERT_FALSE(client->read(response));
  EXPECT_EQ(response.result_int(), 431);
  EXPECT_EQ(error_of(response.body()).at("code"), "header_too_large");
  EXPECT_TRUE(closed_by_peer(client->read_until_closed()));
  EXPECT_EQ(handler_.calls, 0);
}

TEST_F(HttpServerTest, GarbageGets400AndTheConnectionCloses) {
  start();
  auto client = connected();
  static constexpr char kGarbage[] = "\x16\x03\x01\x02 \x00garbage\r\n\r\n";
  ASSERT_FALSE(client->send(std::string(kGarbage, sizeof kGarbage - 1)));
  bhttp::response<bhttp::string_body> response;
  ASSERT_FALSE(client->read(response));
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_EQ(error_of(response.body()).at("code"), "bad_request");
  EXPECT_EQ(response[bhttp::field::server], "disclose");
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(closed_by_peer(client->read_until_closed()));
  EXPECT_EQ(handler_.calls, 0);
}

TEST_F(HttpServerTest, RandomBytesNeverTakeTheServerDown) {
  ServerOptions options;
  options.header_timeout = 300ms;
  options.body_timeout = 300ms;
  start(options);
  std::mt19937 random(20240601);
  for (int i = 0; i < 40; ++i) {
    std::string bytes(1 + random() % 300, '\0');
    for (char& c : bytes) c = static_cast<char>(random() & 0xff);
    if (i % 2) bytes = "GET /" + bytes;  // get past the method check sometimes
    bytes += "\r\n\r\n";
    auto client = connected();
    client->send(bytes);  // the server may already have hung up
    std::string received;
    auto ec = client->read_until_closed(&received);
    EXPECT_TRUE(closed_by_peer(ec)) << i << ": " << ec.message();
    if (!received.empty()) {
      EXPECT_TRUE(received.starts_with("HTTP/1.1 ")) << received;
    }
  }
  auto client = connected();
  EXPECT_EQ(client->roundtrip(make_request(bhttp::verb::get, "/api/echo")).result_int(), 200);
}

TEST_F(HttpServerTest, HalfAHeaderThenSilenceGets408AndIsClosedAfterHeaderTimeout) {
  ServerOptions options;
  options.header_timeout = 200ms;
  start(options);
  auto client = connected();
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_FALSE(client->send("GET /api/echo HTTP/1.1\r\nHost: a\r\nX-Slow: "));
  std::string received;
  auto ec = client->read_until_closed(&received);
  const auto waited = std::chrono::steady_clock::now() - sent;
  EXPECT_TRUE(closed_by_peer(ec)) << ec.message();
  EXPECT_GE(waited, 150ms);  // closed by the timeout, not at once
  EXPECT_TRUE(received.starts_with("HTTP/1.1 408 ")) << received;
  EXPECT_NE(received.find("Connection: close"), std::string::npos) << received;
  EXPECT_NE(received.find("\"code\":\"request_timeout\""), std::string::npos) << received;
  EXPECT_EQ(handler_.calls, 0);

  // A keep-alive connection's second head gets the same (the idle wait before a request that
  // never starts gets no answer: IdleKeepAliveConnectionIsClosedAfterIdleTimeout).
  auto second = connected();
  EXPECT_EQ(second->roundtrip(make_request(bhttp::verb::get, "/api/echo")).result_int(), 200);
  ASSERT_FALSE(second->send("GET /api/echo HTTP/1.1\r\nHost: a\r\n"));
  received.clear();
  EXPECT_TRUE(closed_by_peer(second->read_until_closed(&received)));
  EXPECT_TRUE(received.starts_with("HTTP/1.1 408 ")) << received;
  EXPECT_EQ(handler_.calls, 1);
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  ServerOptions options;
  options.idle_timeout = 200ms;
  start(options);
  auto client = connected();
  auto response = client->roundtrip(make_request(bhttp::verb::get, "/api/echo"));
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_TRUE(response.keep_alive());
  std::string received;
  auto ec = client->read_until_closed(&received);
  EXPECT_TRUE(closed_by_peer(ec)) << ec.message();
  EXPECT_EQ(received, "");  // no request was started: no 408, just the close
}

TEST_F(HttpServerTest, ConnectionsOverTheCapGet503WhileOthersKeepWorking) {
  ServerOptions options;
  options.max_connections = 2;
  start(options);
  auto a = connected();
  auto b = connected();
  EXPECT_EQ(a->roundtrip(make_request(bhttp::verb::get, "/api/echo")).result_int(), 200);
  EXPECT_EQ(b->roundtrip(make_request(bhttp::verb::get, "/api/echo")).result_int(), 200);

  auto c = connected();
  c->write(make_request(bhttp::verb::get, "/api/echo"));
  bhttp::response<bhttp::string_body> refused;
  ASSERT_FALSE(c->read(refused));
  EXPECT_EQ(refused.result_int(), 503);
  EXPECT_EQ(error_of(refused.body()).at("code"), "service_unavailable");
  EXPECT_EQ(refused["Retry-After"], "1");
  EXPECT_TRUE(is_hex16(std::string(refused["X-Request-Id"])));
  EXPECT_TRUE(closed_by_peer(c->read_until_closed()));

  EXPECT_EQ(a->roundtrip(make_request(bhttp::verb::get, "/api/echo")).result_int(), 200);
  EXPECT_EQ(b->roundtrip(make_request(bhttp::verb::get, "/api/echo")).result_int(), 200);
  EXPECT_EQ(handler_.calls, 4);
  EXPECT_NE(metrics_.render().find("disclose_http_connections_rejected_total 1\n"),
            std::string::npos);
}

TEST_F(HttpServerTest, GracefulStopFinishesInFlightRequestsAndRefusesNewOnes) {
  start();
  auto idle = connected();
  EXPECT_EQ(idle->roundtrip(make_request(bhttp::verb::get, "/api/echo")).result_int(), 200);

  auto busy = held_request();
  ASSERT_TRUE(busy);
  server_->stop();

  // The kernel may still complete this handshake from the backlog, but no answer may come.
  Client late;
  bool late_connected = !late.connect(port());
  if (late_connected) late.send("GET /api/echo HTTP/1.1\r\nHost: a\r\n\r\n");

  handler_.release();
  bhttp::response<bhttp::string_body> response;
  ASSERT_FALSE(busy->read(response));
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_FALSE(response.keep_alive());  // Connection: close
  EXPECT_TRUE(closed_by_peer(busy->read_until_closed()));
  EXPECT_TRUE(closed_by_peer(idle->read_until_closed()));
  if (late_connected) {
    std::string received;
    auto ec = late.read_until_closed(&received);
    EXPECT_TRUE(closed_by_peer(ec)) << ec.message();
    EXPECT_EQ(received, "");
  }

  EXPECT_EQ(ran_future_.wait_for(kDeadline), std::future_status::ready);
  runner_.join();
  EXPECT_EQ(handler_.calls, 2);

  Client after;
  EXPECT_EQ(after.connect(port()), asio::error::connection_refused);
}

TEST_F(HttpServerTest, StopWithNothingInFlightReturnsAtOnce) {
  start();
  auto idle = connected();
  EXPECT_TRUE(stop_and_wait());
  EXPECT_TRUE(closed_by_peer(idle->read_until_closed()));
}

TEST_F(HttpServerTest, MetricsCountRequestsLatencyAndConnections) {
  start();
  auto client = connected();
  client->roundtrip(make_request(bhttp::verb::get, "/api/echo?a=1"));
  client->roundtrip(make_request(bhttp::verb::get, "/api/echo?a=2"));
  client->roundtrip(make_request(bhttp::verb::get, "/nowhere"));
  EXPECT_NE(metrics_.render().find("disclose_http_connections_open 1\n"), std::string::npos);
  {
    auto big = connected();
    big->write(make_request(bhttp::verb::post, "/api/echo", std::string(2 << 20, 'x')));
    bhttp::response<bhttp::string_body> response;
    ASSERT_FALSE(big->read(response));
  }
  // Recording happens after the write completes on the server; stopping orders it before us.
  client.reset();
  ASSERT_TRUE(stop_and_wait());

  const std::string text = metrics_.render();
  for (std::string line : {
           "# TYPE disclose_http_requests_total counter\n",
           "disclose_http_requests_total{route=\"/api/echo\",method=\"GET\",status=\"200\"} 2\n",
           "disclose_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"200\"} 1\n",
           "disclose_http_requests_total{route=\"unmatched\",method=\"POST\",status=\"413\"} 1\n",
           "# TYPE disclose_http_request_duration_seconds histogram\n",
           "disclose_http_request_duration_seconds_bucket{route=\"/api/echo\",le=\"+Inf\"} 2\n",
           "disclose_http_request_duration_seconds_count{route=\"/api/echo\"} 2\n",
           "disclose_http_request_duration_seconds_sum{route=\"/api/echo\"} ",
           "disclose_http_request_duration_seconds_bucket{route=\"unmatched\",le=\"2.5\"} ",
           "# TYPE disclose_http_connections_open gauge\n",
           "disclose_http_connections_open 0\n",
           "disclose_http_connections_rejected_total 0\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n--- in ---\n" << text;
  }
}

TEST(HttpMetricsTest, HistogramIsCumulativeAndLabelsAreEscaped) {
  Metrics metrics;
  metrics.record("/a\"b\\c\nd", "GET", 200, 0.003);
  metrics.record("/a\"b\\c\nd", "GET", 200, 10.0);
  const std::string text = metrics.render();
  const std::string label = "route=\"/a\\\"b\\\\c\\nd\"";
  EXPECT_NE(
      text.find("disclose_http_request_duration_seconds_bucket{" + label + ",le=\"0.0025\"} 0\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("disclose_http_request_duration_seconds_bucket{" + label + ",le=\"0.005\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("disclose_http_request_duration_seconds_bucket{" + label + ",le=\"2.5\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("disclose_http_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} 2\n"),
      std::string::npos);
  EXPECT_NE(text.find("disclose_http_request_duration_seconds_sum{" + label + "} 10.003\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("disclose_http_requests_total{" + label + ",method=\"GET\",status=\"200\"} 2\n"),
      std::string::npos);
}

TEST(HttpMetricsTest, GaugesAreGroupedUnderOneTypeLineEach) {
  Metrics metrics;
  metrics.connection_opened();
  metrics.connection_opened();
  metrics.connection_closed();
  metrics.connection_rejected();
  const std::string text = metrics.render({{"disclose_open_cases{state=\"review\"}", 3},
                                           {"disclose_outbox_pending", 2},
                                           {"disclose_open_cases{state=\"new\"}", 1.5}});
  EXPECT_NE(text.find("disclose_http_connections_open 1\n"), std::string::npos);
  EXPECT_NE(text.find("disclose_http_connections_rejected_total 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE disclose_open_cases gauge\n"
                      "disclose_open_cases{state=\"review\"} 3\n"
                      "disclose_open_cases{state=\"new\"} 1.5\n"
                      "# TYPE disclose_outbox_pending gauge\n"
                      "disclose_outbox_pending 2\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("# TYPE disclose_open_cases gauge"),
            text.rfind("# TYPE disclose_open_cases gauge"));
}

TEST_F(HttpServerTest, ExpectContinueGetsInterimResponse) {
  start();
  auto client = connected();
  ASSERT_FALSE(client->send(
      "POST /api/echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  unsigned status = 0;
  ASSERT_FALSE(client->read_interim(status));
  EXPECT_EQ(status, 100u);
  ASSERT_FALSE(client->send("hello"));
  bhttp::response<bhttp::string_body> response;
  ASSERT_FALSE(client->read(response));
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(json::parse(response.body()).at("body"), "hello");
}

TEST_F(HttpServerTest, HeadAnswersWithoutBodyAndKeepsTheConnectionUsable) {
  start();
  auto client = connected();
  ASSERT_FALSE(client->write(make_request(bhttp::verb::head, "/api/echo")));
  bhttp::response<bhttp::string_body> head;
  ASSERT_FALSE(client->read(head, true));
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_NE(head[bhttp::field::content_length], "0");
  EXPECT_EQ(head.body(), "");
  auto next = client->roundtrip(make_request(bhttp::verb::get, "/api/echo?after=head"));
  EXPECT_EQ(json::parse(next.body()).at("target"), "/api/echo?after=head");
}

TEST_F(HttpServerTest, Http10WithoutKeepAliveIsClosedAfterTheResponse) {
  start();
  auto client = connected();
  ASSERT_FALSE(client->send("GET /api/echo HTTP/1.0\r\n\r\n"));
  bhttp::response<bhttp::string_body> response;
  ASSERT_FALSE(client->read(response));
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_TRUE(closed_by_peer(client->read_until_closed()));
}

TEST_F(HttpServerTest, ThrowingHandlerBecomes500) {
  start();
  auto client = connected();
  auto response = client->roundtrip(make_request(bhttp::verb::get, "/throw"));
  EXPECT_EQ(response.result_int(), 500);
  EXPECT_EQ(error_of(response.body()).at("code"), "internal");
  EXPECT_EQ(client->roundtrip(make_request(bhttp::verb::get, "/x")).result_int(), 200);
}

// Runs one request with a client-chosen id through a server whose log goes to a string.
std::string HttpServerTest::capture_access_log(bool json_log) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  sink->set_pattern("%v");
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  ServerOptions options;
  options.json_log = json_log;
  start(options);
  auto client = connected();
  auto request = make_request(bhttp::verb::get, "/api/echo?name=%E5%BC%A0&id=110101");
  request.set("X-Request-Id", "trace-me");
  EXPECT_EQ(client->roundtrip(request).result_int(), 200);
  client.reset();
  EXPECT_TRUE(stop_and_wait());  // the io thread is done logging once run() has returned
  spdlog::set_default_logger(previous);

  const std::string log = captured.str();
  EXPECT_EQ(log.find("110101"), std::string::npos) << log;
  EXPECT_EQ(log.find("name="), std::string::npos) << log;
  std::istringstream lines(log);
  std::string access_line;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("trace-me") == std::string::npos) continue;
    EXPECT_EQ(access_line, "") << "more than one access line:\n" << log;
    access_line = line;
  }
  return access_line;
}

TEST_F(HttpServerTest, TextAccessLogHasOneLinePerRequestWithoutQueryStrings) {
  const std::string line = capture_access_log(false);
  for (std::string part :
       {"trace-me", "GET", "/api/echo", " 200 ", "ms", "actor=u:7", "remote=127.0.0.1:"}) {
    EXPECT_NE(line.find(part), std::string::npos) << part << " in " << line;
  }
}

TEST_F(HttpServerTest, JsonAccessLogIsOneObjectPerLine) {
  const std::string line = capture_access_log(true);
  ASSERT_FALSE(line.empty());
  auto entry = json::parse(line).as_object();
  EXPECT_EQ(entry.at("request_id"), "trace-me");
  EXPECT_EQ(entry.at("method"), "GET");
  EXPECT_EQ(entry.at("path"), "/api/echo");
  EXPECT_EQ(entry.at("status"), 200);
  EXPECT_EQ(entry.at("actor"), "u:7");
  EXPECT_TRUE(entry.at("duration_ms").is_number());
  EXPECT_TRUE(entry.at("ts").is_string());
  EXPECT_TRUE(std::string(entry.at("remote").as_string()).starts_with("127.0.0.1:"));
}

TEST_F(HttpServerTest, BindingAnOccupiedPortThrowsSystemError) {
  start();
  ServerOptions options;
  options.port = port();
  asio::io_context other;
  EXPECT_THROW(Server(other, options, handler_, metrics_), std::system_error);
}

// A throwaway self-signed certificate, made with the OpenSSL API so the test needs no files.
class TlsFiles {
 public:
  TlsFiles() {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    write_pem(certificate(), [&](BIO* bio) { return PEM_write_bio_X509(bio, cert); });
    write_pem(private_key(), [&](BIO* bio) {
      return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    });
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  std::string certificate() const { return (dir_ / "cert.pem").string(); }
  std::string private_key() const { return (dir_ / "key.pem").string(); }

 private:
  template <class Write>
  static void write_pem(const std::string& path, Write write) {
    BIO* bio = BIO_new_file(path.c_str(), "w");
    ASSERT_NE(bio, nullptr);
    EXPECT_EQ(write(bio), 1);
    BIO_free(bio);
  }
  disclose::fixture::TempDir dir_;
};

TEST_F(HttpServerTest, ServesHttpsWithTheGivenCertificate) {
  TlsFiles files;
  ServerOptions options;
  options.tls_certificate = files.certificate();
  options.tls_private_key = files.private_key();
  start(options);

  ssl::context context(ssl::context::tls_client);
  context.set_verify_mode(ssl::verify_none);
  TlsClient client(context);
  ASSERT_FALSE(client.connect(port()));
  auto ec = client.handshake();
  ASSERT_FALSE(ec) << ec.message();
  auto response = client.roundtrip(make_request(bhttp::verb::get, "/api/echo?tls=1"));
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(json::parse(response.body()).at("target"), "/api/echo?tls=1");
  EXPECT_TRUE(is_hex16(std::string(response["X-Request-Id"])));

  // Plain HTTP to the HTTPS port fails the handshake; the server just hangs up.
  auto plain = connected();
  plain->send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_TRUE(closed_by_peer(plain->read_until_closed()));

  auto again = client.roundtrip(make_request(bhttp::verb::get, "/api/echo?tls=2"));
  EXPECT_EQ(again.result_int(), 200);
}

TEST(HttpServerSetupTest, UnreadableTlsFilesAndHalfConfiguredTlsThrow) {
  EchoHandler handler;
  Metrics metrics;
  asio::io_context io;
  ServerOptions options;
  options.port = 0;
  options.tls_certificate = "/nonexistent/cert.pem";
  options.tls_private_key = "/nonexistent/key.pem";
  EXPECT_THROW(Server(io, options, handler, metrics), std::exception);
  options.tls_private_key.clear();
  EXPECT_THROW(Server(io, options, handler, metrics), std::invalid_argument);
}

}  // namespace

namespace {

// With handler threads, a handler that waits (as one waiting on a commit does) leaves the server
// free to read, run and answer other requests meanwhile.
TEST_F(HttpServerTest, WithHandlerThreadsAWaitingHandlerDoesNotHoldUpOthers) {
  ServerOptions options;
  options.handler_threads = 2;
  start(options);
  auto held = held_request();
  ASSERT_TRUE(held);

  auto other = connected();
  auto answered = other->roundtrip(make_request(bhttp::verb::get, "/api/echo"));
  EXPECT_EQ(answered.result_int(), 200);
  EXPECT_EQ(json::parse(answered.body()).at("target").as_string(), "/api/echo");

  handler_.release();
  bhttp::response<bhttp::string_body> released;
  ASSERT_FALSE(held->read(released));
  EXPECT_EQ(released.result_int(), 200);
  EXPECT_TRUE(stop_and_wait());
}

// A handler that answers without blocking runs on the connection's own io thread, even with
// handler threads, and may answer later from another thread (as a commit group's does);
// meanwhile that io thread serves other connections.
TEST_F(HttpServerTest, AHandlerThatAnswersLaterRunsOnTheIoThreadAndLeavesItFree) {
  ServerOptions options;
  options.handler_threads = 2;
  start(options);  // one io thread: the runner
  auto waiting = connected();
  ASSERT_FALSE(waiting->write(make_request(bhttp::verb::post, "/later", "x")));
  std::future<Respond> handed = handler_.later.get_future();
  ASSERT_EQ(handed.wait_for(kDeadline), std::future_status::ready);
  Respond respond = handed.get();
  EXPECT_EQ(handler_.later_thread, runner_.get_id());

  auto other = connected();
  EXPECT_EQ(other->roundtrip(make_request(bhttp::verb::get, "/api/echo")).result_int(), 200);

  std::thread([&] {
    Response response;
    response.status = 201;
    response.body = R"({"answered":"later"})";
    respond(std::move(response));
  }).join();
  bhttp::response<bhttp::string_body> answered;
  ASSERT_FALSE(waiting->read(answered));
  EXPECT_EQ(answered.result_int(), 201);
  EXPECT_EQ(answered.body(), R"({"answered":"later"})");
  EXPECT_TRUE(stop_and_wait());
}

TEST_F(HttpServerTest, AHandlerThatAnswersLaterAndThrowsBecomes500) {
  start();
  auto client = connected();
  auto response = client->roundtrip(make_request(bhttp::verb::post, "/later/throw", "x"));
  EXPECT_EQ(response.result_int(), 500);
  EXPECT_EQ(error_of(response.body()).at("code").as_string(), "internal");
}

TEST_F(HttpServerTest, WithHandlerThreadsAThrowingHandlerStillBecomes500) {
  ServerOptions options;
  options.handler_threads = 1;
  start(options);
  auto client = connected();
  auto response = client->roundtrip(make_request(bhttp::verb::get, "/throw"));
  EXPECT_EQ(response.result_int(), 500);
  EXPECT_EQ(error_of(response.body()).at("code").as_string(), "internal");
}

// With the io_context on several threads each connection keeps to its own strand: a handler
// that blocks its io thread (no handler pool here) leaves the other threads serving the other
// connections, concurrent keep-alive clients each get their own answers, and a graceful stop
// still closes idle connections and lets every thread return.
TEST_F(HttpServerTest, OnSeveralIoThreadsConnectionsAreServedInParallel) {
  ServerOptions options;
  options.io_threads = 4;
  start(options);
  auto held = held_request();
  ASSERT_TRUE(held);

  constexpr int kClients = 12;
  constexpr int kRequests = 40;
  std::atomic<int> mismatches{0}, failures{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      Client client;
      if (client.connect(port())) {
        ++failures;
        return;
      }
      for (int r = 0; r < kRequests; ++r) {
        std::string target = "/api/echo/" + std::to_string(c) + "/" + std::to_string(r);
        auto response = client.roundtrip(make_request(bhttp::verb::get, target));
        if (response.result_int() != 200) {
          ++failures;
          return;
        }
        if (json::parse(response.body()).at("target").as_string() != target) ++mismatches;
      }
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(handler_.calls, 1 + kClients * kRequests);

  auto idle = connected();
  EXPECT_EQ(idle->roundtrip(make_request(bhttp::verb::get, "/api/echo")).result_int(), 200);
  server_->stop();
  handler_.release();
  bhttp::response<bhttp::string_body> released;
  ASSERT_FALSE(held->read(released));
  EXPECT_EQ(released.result_int(), 200);
  EXPECT_TRUE(closed_by_peer(idle->read_until_closed()));
  EXPECT_EQ(ran_future_.wait_for(kDeadline), std::future_status::ready);
  runner_.join();
}

}  // namespace
