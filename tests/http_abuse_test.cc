// Connection abuse against a real http::Server on 127.0.0.1 (issue #6, hostile input): slowloris,
// a thousand idle connections, the connection cap, oversized heads and bodies (also chunked),
// garbage pipelined after a valid request, and request lines of random bytes. Each test keeps a
// bystander client on its own keep-alive connection and asserts that it is served before, during
// and after the abuse.
//
// The clients are plain POSIX sockets (a thousand Beast clients would each need an io_context).
// Every wait is poll() on a socket with a bounded deadline; the only pacing of the slowloris
// trickle is the bystander's own round trips, never a sleep.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/http.hpp>

#include "http/server.h"

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using disclose::http::Handler;
using disclose::http::Metrics;
using disclose::http::Request;
using disclose::http::Response;
using disclose::http::Server;
using disclose::http::ServerOptions;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kDeadline = 10s;  // upper bound for anything the server should do promptly

class CountingHandler : public Handler {
 public:
  Response handle(const Request& request) override {
    ++calls;
    Response response;
    response.body =
        "{\"target\":\"" + std::string(request.target.size() < 64 ? request.target : "") + "\"}";
    return response;
  }
  std::atomic<int> calls{0};
};

struct ParsedResponse {
  int status = 0;
  bool keep_alive = false;
  std::string body;
};

// A blocking-with-deadline client on a raw socket.
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      fd_ = -1;
      return;
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }

  // False when the peer has gone (reset or broken pipe).
  bool send_all(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Waits up to `timeout` for bytes; appends them to the buffer. Returns false once the peer
  // closed (EOF or reset) or the wait timed out; `closed()` tells which.
  bool receive_some(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready <= 0) return false;
    std::array<char, 16384> chunk;
    ssize_t n = ::recv(fd_, chunk.data(), chunk.size(), 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(chunk.data(), static_cast<std::size_t>(n));
    return true;
  }

  // True when the peer has closed, checked without waiting.
  bool peer_closed_now() {
    while (!closed_ && receive_some(0ms)) {
    }
    return closed_;
  }

  // Reads until the peer closes; true when it did within the deadline.
  bool read_until_closed(std::chrono::milliseconds deadline = kDeadline) {
    const auto until = Clock::now() + deadline;
    while (!closed_) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      if (left <= 0ms) return false;
      receive_some(left);
    }
    return true;
  }

  // The next whole response from the buffer, reading more as needed; nullopt when the peer
  // closed first or the deadline passed.
  std::optional<ParsedResponse> read_response(std::chrono::milliseconds deadline = kDeadline) {
    const auto until = Clock::now() + deadline;
    for (;;) {
      if (auto parsed = take_response()) return parsed;
      if (closed_) return std::nullopt;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      if (left <= 0ms) return std::nullopt;
      receive_some(left);
    }
  }

  // Every complete response in what was received so far (use after read_until_closed).
  std::vector<ParsedResponse> all_responses() {
    std::vector<ParsedResponse> out;
    while (auto parsed = take_response()) out.push_back(*parsed);
    return out;
  }

  const std::string& received() const { return buffer_; }

 private:
  std::optional<ParsedResponse> take_response() {
    if (buffer_.empty()) return std::nullopt;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.eager(true);
    parser.body_limit(64u << 20);
    boost::system::error_code ec;
    std::size_t used = parser.put(asio::buffer(buffer_), ec);
    if (ec || !parser.is_done()) return std::nullopt;
    ParsedResponse r;
    r.status = parser.get().result_int();
    r.keep_alive = parser.get().keep_alive();
    r.body = parser.get().body();
    buffer_.erase(0, used);
    return r;
  }

  int fd_ = -1;
  bool closed_ = false;
  std::string buffer_;
};

std::string get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

class HttpAbuseTest : public testing::Test {
 protected:
  void start(ServerOptions options) {
    spdlog::set_level(spdlog::level::warn);  // a line per refused connection would drown the output
    options.address = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<Server>(io_, options, handler_, metrics_);
    runner_ = std::thread([this] {
      io_.run();
      ran_.set_value();
    });
    bystander_ = std::make_unique<RawClient>(server_->port());
    ASSERT_TRUE(bystander_->connected());
    expect_bystander_served("before");
  }

  void TearDown() override {
    if (!runner_.joinable()) return;
    server_->stop();
    if (ran_future_.wait_for(kDeadline) != std::future_status::ready) {
      ADD_FAILURE() << "the server did not stop within the deadline";
      io_.stop();
    }
    runner_.join();
  }

  // One round trip on the bystander's keep-alive connection.
  void expect_bystander_served(const std::string& when) {
    ++bystander_requests_;
    ASSERT_TRUE(bystander_->send_all(get("/bystander"))) << when;
    auto response = bystander_->read_response();
    ASSERT_TRUE(response.has_value()) << "the bystander was not answered " << when;
    EXPECT_EQ(response->status, 200) << when;
    EXPECT_TRUE(response->keep_alive) << when;
  }

  uint16_t port() const { return server_->port(); }

  // A fresh connection that is answered 200 (the server serves newcomers too).
  void expect_newcomer_served(const std::string& when) {
    RawClient client(port());
    ASSERT_TRUE(client.connected()) << when;
    ASSERT_TRUE(client.send_all(get("/newcomer"))) << when;
    auto response = client.read_response();
    ASSERT_TRUE(response.has_value()) << when;
    EXPECT_EQ(response->status, 200) << when;
  }

  CountingHandler handler_;
  Metrics metrics_;
  asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::thread runner_;
  std::promise<void> ran_;
  std::future<void> ran_future_ = ran_.get_future();
  std::unique_ptr<RawClient> bystander_;
  int bystander_requests_ = 0;
};

// Raises the soft descriptor limit to at least `wanted`; false when the hard limit is lower.
bool raise_open_file_limit(rlim_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  if (limit.rlim_cur >= wanted) return true;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < wanted) return false;
  limit.rlim_cur = wanted;
  return ::setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

TEST_F(HttpAbuseTest, SlowlorisIsCutOffByTheHeaderTimeoutWhileOthersAreServed) {
  ServerOptions options;
  options.header_timeout = 400ms;
  start(options);

  // Ten clients trickle a head that never ends, one byte each per bystander round trip: every
  // read makes progress, so only the whole-head timeout can end them.
  constexpr int kSlow = 10;
  const auto began = Clock::now();
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < kSlow; ++i) {
    slow.push_back(std::make_unique<RawClient>(port()));
    ASSERT_TRUE(slow.back()->connected());
    ASSERT_TRUE(slow.back()->send_all("GET /slow HTTP/1.1\r\nHost: a\r\nX-Slow: "));
  }
  std::vector<std::optional<Clock::duration>> cut_after(kSlow);
  int open = kSlow;
  while (open > 0 && Clock::now() - began < kDeadline) {
    for (int i = 0; i < kSlow; ++i) {
      if (cut_after[i]) continue;
      if (!slow[i]->send_all("a") || slow[i]->peer_closed_now()) {
        cut_after[i] = Clock::now() - began;
        --open;
      }
    }
    expect_bystander_served("while the slow clients trickle");
  }
  ASSERT_EQ(open, 0) << "slow clients still connected after " << kDeadline.count() << " s";
  for (int i = 0; i < kSlow; ++i) {
    // Connected before the server's clock started, so never cut before the timeout.
    EXPECT_GE(*cut_after[i], options.header_timeout) << i;
    // Told why before the close.
    EXPECT_TRUE(slow[i]->received().starts_with("HTTP/1.1 408 ")) << slow[i]->received();
  }
  EXPECT_GT(bystander_requests_, kSlow);
  EXPECT_EQ(handler_.calls, bystander_requests_);
  expect_newcomer_served("after the slow clients were cut off");
}

TEST_F(HttpAbuseTest, AThousandIdleConnectionsDoNotStarveAnActiveClient) {
  constexpr int kIdle = 1000;
  // Client and server ends both live in this process.
  if (!raise_open_file_limit(2 * kIdle + 256)) GTEST_SKIP() << "RLIMIT_NOFILE hard limit too low";
  ServerOptions options;
  options.max_connections = kIdle + 100;
  options.header_timeout = 60s;  // the idle ones stay for the whole test
  start(options);

  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < kIdle; ++i) {
    idle.push_back(std::make_unique<RawClient>(port()));
    ASSERT_TRUE(idle.back()->connected()) << i;
    if (i % 250 == 0) expect_bystander_served("while idle connections pile up");
  }
  // Accepts are FIFO, so a newcomer served now was accepted after every idle connection.
  expect_newcomer_served("with a thousand idle connections open");
  expect_bystander_served("with a thousand idle connections open");
  // Every idle connection and the bystander are open. The newcomer, which has hung up, may
  // still be counted: each connection ends on its own strand, in no order with the others.
  const std::string rendered = metrics_.render();
  const std::string gauge = "disclose_http_connections_open ";
  const auto at = rendered.find("\n" + gauge);
  ASSERT_NE(at, std::string::npos) << rendered;
  const long open_now = std::stol(rendered.substr(at + 1 + gauge.size()));
  EXPECT_GE(open_now, kIdle + 1) << "expected the bystander and every idle connection to be open";
  EXPECT_LE(open_now, kIdle + 2);
  for (int i = 0; i < kIdle; i += 97) EXPECT_FALSE(idle[i]->peer_closed_now()) << i;
}

TEST_F(HttpAbuseTest, BeyondTheCapConnectionsGet503ThenCloseAndAFreedSlotIsUsedAgain) {
  constexpr int kIdle = 1000;
  if (!raise_open_file_limit(2 * kIdle + 256)) GTEST_SKIP() << "RLIMIT_NOFILE hard limit too low";
  ServerOptions options;
  options.max_connections = kIdle + 1;  // the bystander and the idle ones fill it exactly
  options.header_timeout = 60s;
  start(options);

  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < kIdle; ++i) {
    idle.push_back(std::make_unique<RawClient>(port()));
    ASSERT_TRUE(idle.back()->connected()) << i;
  }
  for (int i = 0; i < 3; ++i) {
    RawClient over(port());
    ASSERT_TRUE(over.connected());
    over.send_all(get("/over"));  // the server may already have answered and closed
    ASSERT_TRUE(over.read_until_closed()) << "an over-cap connection was kept open";
    auto responses = over.all_responses();
    ASSERT_EQ(responses.size(), 1u) << over.received();
    EXPECT_EQ(responses[0].status, 503);
    EXPECT_FALSE(responses[0].keep_alive);
    expect_bystander_served("while over-cap connections are refused");
  }
  EXPECT_NE(metrics_.render().find("disclose_http_connections_rejected_total 3\n"),
            std::string::npos);

  // Hanging up one idle connection frees its slot once the server sees the EOF; a newcomer may
  // still meet a 503 until then, but never waits, and is served within the deadline.
  idle.front().reset();
  const auto until = Clock::now() + kDeadline;
  std::optional<int> status;
  while (Clock::now() < until) {
    RawClient client(port());
    ASSERT_TRUE(client.connected());
    client.send_all(get("/freed"));
    auto response = client.read_response();
    ASSERT_TRUE(response.has_value());
    status = response->status;
    if (status == 200) break;
    ASSERT_EQ(status, 503);
    ASSERT_TRUE(client.read_until_closed());
  }
  EXPECT_EQ(status, 200) << "the freed slot was never used again";
  expect_bystander_served("after a slot was freed");
}

TEST_F(HttpAbuseTest, OversizedHeadGets431AndCloses) {
  ServerOptions options;
  options.header_limit = 4096;
  start(options);
  for (const std::string& head :
       {"GET /big HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(8000, 'x') + "\r\n\r\n",
        "GET /many HTTP/1.1\r\nHost: a\r\n" +
            [] {
              std::string fields;
              // Well past the limit: Beast counts it per read, so a head just over it can pass.
              for (int i = 0; i < 2000; ++i) fields += "X-F" + std::to_string(i) + ": v\r\n";
              return fields;
            }() +
            "\r\n",
        "GET /" + std::string(8000, 'p') + " HTTP/1.1\r\nHost: a\r\n\r\n"}) {
    SCOPED_TRACE(head.substr(0, 40));
    RawClient client(port());
    ASSERT_TRUE(client.connected());
    client.send_all(head);
    ASSERT_TRUE(client.read_until_closed()) << client.received();
    auto responses = client.all_responses();
    ASSERT_EQ(responses.size(), 1u) << client.received().substr(0, 200);
    EXPECT_EQ(responses[0].status, 431);
    EXPECT_NE(responses[0].body.find("header_too_large"), std::string::npos);
    expect_bystander_served("after an oversized head");
  }
  EXPECT_EQ(handler_.calls, bystander_requests_);
}

TEST_F(HttpAbuseTest, OversizedBodyGets413WithContentLengthAndWhenChunked) {
  ServerOptions options;
  options.body_limit = 1024;
  start(options);
  const std::string declared =
      "POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 4096\r\n\r\n" + std::string(4096, 'b');
  std::string chunked = "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 8; ++i) chunked += "200\r\n" + std::string(0x200, 'c') + "\r\n";
  chunked += "0\r\n\r\n";
  for (const std::string& request : {declared, chunked}) {
    RawClient client(port());
    ASSERT_TRUE(client.connected());
    client.send_all(request);  // the server may refuse before it has read it all
    ASSERT_TRUE(client.read_until_closed());
    auto responses = client.all_responses();
    ASSERT_EQ(responses.size(), 1u) << client.received().substr(0, 200);
    EXPECT_EQ(responses[0].status, 413);
    EXPECT_NE(responses[0].body.find("payload_too_large"), std::string::npos);
    expect_bystander_served("after an oversized body");
  }
  EXPECT_EQ(handler_.calls, bystander_requests_);
}

TEST_F(HttpAbuseTest, GarbagePipelinedAfterAValidRequestGets400AfterTheValidAnswer) {
  start(ServerOptions{});
  RawClient client(port());
  ASSERT_TRUE(client.connected());
  const std::string garbage("\x01\x02\xff not http at all\r\n\r\n", 24);
  ASSERT_TRUE(client.send_all(get("/valid") + garbage));
  ASSERT_TRUE(client.read_until_closed());
  auto responses = client.all_responses();
  ASSERT_EQ(responses.size(), 2u) << client.received();
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[0].body, "{\"target\":\"/valid\"}");
  EXPECT_EQ(responses[1].status, 400);
  EXPECT_NE(responses[1].body.find("bad_request"), std::string::npos);
  EXPECT_FALSE(responses[1].keep_alive);
  expect_bystander_served("after the garbage");
  EXPECT_EQ(handler_.calls, bystander_requests_ + 1);
}

TEST_F(HttpAbuseTest, RequestLinesOfRandomBytesGet400OrACloseAndNeverReachTheHandler) {
  ServerOptions options;
  options.header_timeout = 2s;
  start(options);
  std::mt19937 random(6);  // fixed: a failure replays
  int answered_400 = 0;
  for (int i = 0; i < 50; ++i) {
    std::string line(1 + random() % 200, '\0');
    for (char& c : line) c = static_cast<char>(random() & 0xff);
    RawClient client(port());
    ASSERT_TRUE(client.connected());
    client.send_all(line + "\r\nHost: a\r\n\r\n");
    ASSERT_TRUE(client.read_until_closed()) << i << ": the connection was kept open";
    auto responses = client.all_responses();
    ASSERT_LE(responses.size(), 1u) << i;
    if (!responses.empty()) {
      EXPECT_EQ(responses[0].status, 400) << i;
      ++answered_400;
    }
    if (i % 10 == 0) expect_bystander_served("between random request lines");
  }
  // A random line fails on its first bytes, so the server can answer nearly all of them.
  EXPECT_GT(answered_400, 40);
  expect_bystander_served("after the random request lines");
  EXPECT_EQ(handler_.calls, bystander_requests_);
}

}  // namespace
