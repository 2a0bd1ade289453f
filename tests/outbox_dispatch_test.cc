// The outbox dispatcher and its HTTP client against real sockets on 127.0.0.1: a scripted
// receiver (the project's own Beast server on port 0), silent peers that accept and never
// answer, and a real SQLite store. Time is a FixedTimeSource and the jitter draw is pinned, so
// what is due is decided by the test; the io_context runs in bounded run_for loops, never sleeps.
#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>

#include "disclose/notification.h"
#include "disclose/store.h"
#include "disclose/time_source.h"
#include "http/server.h"
#include "notify/http_client.h"
#include "notify/outbox_dispatcher.h"
#include "sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using disclose::DeliveryVerdict;
using disclose::FixedTimeSource;
using disclose::Instant;
using disclose::Moment;
using disclose::Notification;
using disclose::OutboxItem;
using disclose::OutboxStatus;
using disclose::OutgoingRequest;
using disclose::Store;
using disclose::Subscription;
using disclose::SubscriptionKind;
using disclose::http::Request;
using disclose::http::Response;
using disclose::notify::DispatcherOptions;
using disclose::notify::HttpClient;
using disclose::notify::HttpClientOptions;
using disclose::notify::HttpResult;
using disclose::notify::OutboxDispatcher;
using namespace std::chrono_literals;

constexpr auto kDeadline = 20s;  // generous bound for anything that should happen promptly

// "whsec_" + base64 of a 32-byte key, as Standard Webhooks secrets are written.
const std::string kKey = "0123456789abcdef0123456789abcdef";

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string hmac_sha256(const std::string& key, const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

const std::string kSecret = "whsec_" + base64(kKey);

Instant t0() {
  return std::chrono::time_point_cast<std::chrono::seconds>(
             std::chrono::sys_days{std::chrono::year{2025} / 3 / 3}) +
         1h;  // 09:00 in Beijing
}

Moment at(Instant instant) {
  return Moment{instant, disclose::local_date(instant, 8 * 60)};
}

// Records every request and answers from a per-path script (then 200 "{}").
class Receiver : public disclose::http::Handler {
 public:
  Response handle(const Request& request) override {
    requests.push_back(request);
    const std::string path = request.target.substr(0, request.target.find('?'));
    auto& script = scripts[path];
    if (script.empty()) {
      Response ok;
      ok.body = "{}";
      return ok;
    }
    Response next = script.front();
    script.pop_front();
    return next;
  }

  void script(const std::string& path, int status, std::string body = "{}",
              std::vector<std::pair<std::string, std::string>> headers = {}) {
    Response response;
    response.status = status;
    response.body = std::move(body);
    response.headers = std::move(headers);
    scripts[path].push_back(std::move(response));
  }

  std::vector<Request> to(const std::string& path) const {
    std::vector<Request> out;
    for (const auto& request : requests) {
      if (request.target.substr(0, request.target.find('?')) == path) out.push_back(request);
    }
    return out;
  }

  std::vector<Request> requests;
  std::map<std::string, std::deque<Response>> scripts;
};

// Accepts connections and never reads or answers: a hung receiver.
class SilentPeer {
 public:
  explicit SilentPeer(asio::io_context& io)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::size_t accepted() const { return sockets_.size(); }
  // Leaves the accepted connections hanging but gives the io_context no more work.
  void stop_accepting() {
    error_code ignored;
    acceptor_.close(ignored);
  }
  // Closing the accepted sockets ends the client's wait with an error at once.
  void close() {
    error_code ignored;
    acceptor_.close(ignored);
    for (auto& socket : sockets_) socket.close(ignored);
  }

 private:
  void accept() {
    acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
      if (ec) return;
      sockets_.push_back(std::move(socket));
      accept();
    });
  }
  tcp::acceptor acceptor_;
  std::vector<tcp::socket> sockets_;
};

// A throwaway self-signed certificate for `san` ("IP:127.0.0.1" or "DNS:localhost").
class TlsFiles {
 public:
  explicit TlsFiles(const std::string& san) {
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("disclose test"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str());
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
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

class OutboxDispatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::warn);
    disclose::http::ServerOptions options;
    options.port = 0;
    server_ = std::make_unique<disclose::http::Server>(io_, options, receiver_, metrics_);
    store_ = disclose::open_sqlite_store({":memory:"});
  }

  void TearDown() override {
    if (dispatcher_) dispatcher_->stop();
    if (server_) server_->stop();
    for (auto& peer : peers_) peer->close();
    // Everything stops by itself: run() returns once nothing is left on the io_context.
    EXPECT_TRUE(run_until([&] { return io_.stopped(); })) << "io_context did not run down";
    dispatcher_.reset();
    server_.reset();
  }

  bool run_until(const std::function<bool()>& done, std::chrono::seconds limit = kDeadline) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      if (io_.stopped()) return done();
      io_.run_for(10ms);
    }
    return true;
  }

  // Runs the loop for a while without expecting anything to happen (negative checks).
  void run_idle(std::chrono::milliseconds span = 300ms) {
    const auto until = std::chrono::steady_clock::now() + span;
    while (std::chrono::steady_clock::now() < until && !io_.stopped()) io_.run_for(10ms);
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }

  Subscription subscribe(const std::string& target_url,
                         SubscriptionKind kind = SubscriptionKind::webhook) {
    Subscription subscription;
    subscription.url = target_url;
    subscription.kind = kind;
    subscription.secret = kSecret;
    subscription.description = "test";
    return store_->add_subscription(subscription);
  }

  static Notification notification(int n = 1) {
    Notification note;
    note.type = "case.registered";
    note.timestamp = t0();
    note.data =
        json::object{{"case", json::object{{"id", n},
                                           {"number", "2025-自然资源-000" + std::to_string(n)},
                                           {"state", "registered"},
                                           {"state_label", "已登记"},
                                           {"agency", "zrzy"},
                                           {"agency_name", "区自然资源局"}}},
                     {"link", "https://disclose.example/cases/" + std::to_string(n)}};
    return note;
  }

  OutboxItem enqueue(const Subscription& subscription, int n = 1) {
    return store_->enqueue(subscription.id, 0, notification(n), clock_.now().at);
  }

  OutboxItem row(const OutboxItem& item) const {
    auto found = store_->find_outbox(item.id);
    EXPECT_TRUE(found.has_value());
    return found.value_or(OutboxItem{});
  }

  void start(DispatcherOptions options = fast_options()) {
    dispatcher_ = std::make_unique<OutboxDispatcher>(io_, *store_, clock_, options,
                                                     [this] { return jitter_; });
    dispatcher_->start();
  }

  static DispatcherOptions fast_options() {
    DispatcherOptions options;
    options.idle_poll = 50ms;
    options.request_timeout = 5s;
    return options;
  }

  bool status_is(const OutboxItem& item, OutboxStatus status) {
    auto found = store_->find_outbox(item.id);
    return found && found->status == status;
  }

  bool attempts_are(const OutboxItem& item, int attempts) {
    auto found = store_->find_outbox(item.id);
    return found && found->attempts >= attempts;
  }

  void advance(std::chrono::seconds by) { clock_.set(at(clock_.now().at + by)); }

  asio::io_context io_;
  Receiver receiver_;
  disclose::http::Metrics metrics_;
  std::unique_ptr<disclose::http::Server> server_;
  std::unique_ptr<Store> store_;
  FixedTimeSource clock_{at(t0())};
  double jitter_ = 0.0;  // 0: a retry is due at once (the delay is drawn in [0, …))
  std::vector<std::unique_ptr<SilentPeer>> peers_;
  std::unique_ptr<OutboxDispatcher> dispatcher_;

  SilentPeer& silent_peer() {
    peers_.push_back(std::make_unique<SilentPeer>(io_));
    return *peers_.back();
  }
};

// --- the dispatcher ----------------------------------------------------------------------------

TEST_F(OutboxDispatchTest, DeliversWithAStandardWebhooksSignatureAReceiverCanVerify) {
  auto subscription = subscribe(url("/hook/a"));
  auto item = enqueue(subscription);
  start();
  ASSERT_TRUE(run_until([&] { return status_is(item, OutboxStatus::delivered); }));

  ASSERT_EQ(receiver_.requests.size(), 1u);
  const Request& request = receiver_.requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/hook/a");
  EXPECT_NE(request.header("content-type").find("application/json"), std::string::npos);
  EXPECT_EQ(request.header("connection"), "close");

  // As a receiver does it: recompute the HMAC over "id.timestamp.body" with the decoded key.
  const std::string id = request.header("webhook-id");
  const std::string timestamp = request.header("webhook-timestamp");
  EXPECT_EQ(id, item.message_id);
  EXPECT_EQ(timestamp, std::to_string(t0().time_since_epoch().count()));
  const std::string expected =
      "v1," + base64(hmac_sha256(kKey, id + "." + timestamp + "." + request.body));
  bool verified = false;
  const std::string signatures = request.header("webhook-signature");
  for (std::size_t start = 0; start <= signatures.size();) {
    const std::size_t end = std::min(signatures.find(' ', start), signatures.size());
    if (signatures.substr(start, end - start) == expected) verified = true;
    start = end + 1;
  }
  EXPECT_TRUE(verified) << signatures << " vs " << expected;
  EXPECT_NO_THROW(json::parse(request.body));

  const auto stored = row(item);
  EXPECT_EQ(stored.attempts, 1);
  ASSERT_TRUE(stored.delivered_at.has_value());
  EXPECT_EQ(*stored.delivered_at, t0());
  EXPECT_EQ(dispatcher_->stats().delivered, 1u);
}

TEST_F(OutboxDispatchTest, RetriesAfterA500WithTheSameIdAndBody) {
  auto subscription = subscribe(url("/hook/a"));
  receiver_.script("/hook/a", 500, "oops");
  auto item = enqueue(subscription);
  start();
  ASSERT_TRUE(run_until([&] { return status_is(item, OutboxStatus::delivered); }));

  auto requests = receiver_.to("/hook/a");
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("webhook-id"), item.message_id);
  EXPECT_EQ(requests[1].header("webhook-id"), item.message_id);
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_EQ(row(item).attempts, 2);
  EXPECT_EQ(dispatcher_->stats().retried, 1u);
}

TEST_F(OutboxDispatchTest, HonoursRetryAfterOn429ByTheInjectedClock) {
  auto subscription = subscribe(url("/hook/a"));
  receiver_.script("/hook/a", 429, "{}", {{"Retry-After", "120"}});
  auto item = enqueue(subscription);
  start();
  ASSERT_TRUE(run_until([&] { return attempts_are(item, 1); }));

  auto stored = row(item);
  EXPECT_EQ(stored.status, OutboxStatus::pending);
  EXPECT_EQ(stored.attempts, 1);
  EXPECT_EQ(stored.next_attempt_at, t0() + 120s);
  EXPECT_FALSE(stored.last_error.empty());

  // Not due by the fixed clock: several idle polls pass without a second request.
  dispatcher_->wake();
  run_idle();
  EXPECT_EQ(receiver_.requests.size(), 1u);

  advance(119s);
  dispatcher_->wake();
  run_idle(150ms);
  EXPECT_EQ(receiver_.requests.size(), 1u);

  advance(1s);
  dispatcher_->wake();
  ASSERT_TRUE(run_until([&] { return status_is(item, OutboxStatus::delivered); }));
  EXPECT_EQ(receiver_.requests.size(), 2u);
  EXPECT_EQ(row(item).attempts, 2);
}

TEST_F(OutboxDispatchTest, A404IsDeadAtOnceAndReplayDeliversIt) {
  auto subscription = subscribe(url("/hook/a"));
  receiver_.script("/hook/a", 404, "no such hook");
  auto item = enqueue(subscription);
  start();
  ASSERT_TRUE(run_until([&] { return status_is(item, OutboxStatus::dead); }));
  auto stored = row(item);
  EXPECT_EQ(stored.attempts, 1);
  EXPECT_NE(stored.last_error.find("404"), std::string::npos) << stored.last_error;
  EXPECT_EQ(receiver_.requests.size(), 1u);

  run_idle(150ms);
  EXPECT_EQ(receiver_.requests.size(), 1u);  // dead rows are left alone

  ASSERT_TRUE(store_->replay(item.id, clock_.now().at));
  dispatcher_->wake();
  ASSERT_TRUE(run_until([&] { return status_is(item, OutboxStatus::delivered); }));
  ASSERT_EQ(receiver_.requests.size(), 2u);
  EXPECT_EQ(receiver_.requests[1].header("webhook-id"), item.message_id);
}

TEST_F(OutboxDispatchTest, ARowLeasedByACrashedDispatcherIsDeliveredAfterTheLease) {
  auto subscription = subscribe(url("/hook/a"));
  auto item = enqueue(subscription);
  // A previous process claimed the row and died before recording anything.
  const auto options = fast_options();
  ASSERT_EQ(store_->claim_outbox(t0(), t0() + options.lease, 10).size(), 1u);
  start(options);
  dispatcher_->wake();
  run_idle(150ms);
  EXPECT_TRUE(receiver_.requests.empty());

  advance(options.lease);
  dispatcher_->wake();
  ASSERT_TRUE(run_until([&] { return status_is(item, OutboxStatus::delivered); }));
  ASSERT_EQ(receiver_.requests.size(), 1u);
  EXPECT_EQ(receiver_.requests[0].header("webhook-id"), item.message_id);
}

TEST_F(OutboxDispatchTest, AHungReceiverDoesNotDelayAnotherSubscription) {
  SilentPeer& hung = silent_peer();
  auto slow = subscribe("http://127.0.0.1:" + std::to_string(hung.port()) + "/hook");
  auto fast = subscribe(url("/hook/b"));
  auto stuck = enqueue(slow, 1);  // older, so claimed first
  auto item = enqueue(fast, 2);
  auto options = fast_options();
  options.request_timeout = 30s;  // longer than the test runs: the slow request stays in flight
  start(options);

  ASSERT_TRUE(
      run_until([&] { return status_is(item, OutboxStatus::delivered) && hung.accepted() == 1; }));
  // The hung one is still in flight, leased: a crash now would redeliver it after the lease.
  auto pending = row(stuck);
  EXPECT_EQ(pending.status, OutboxStatus::pending);
  EXPECT_EQ(pending.attempts, 0);
  EXPECT_EQ(pending.next_attempt_at, t0() + options.lease);
  EXPECT_EQ(dispatcher_->stats().in_flight, 1);

  // The peer hangs up: the attempt fails and is rescheduled, not lost.
  jitter_ = 0.5;  // 5 s away by the fixed clock: no immediate retries against the closed port
  hung.close();
  ASSERT_TRUE(run_until([&] { return attempts_are(stuck, 1); }));
  EXPECT_EQ(row(stuck).status, OutboxStatus::pending);
}

TEST_F(OutboxDispatchTest, CapsRequestsPerSubscriptionAndDefersTheRest) {
  SilentPeer& hung = silent_peer();
  auto slow = subscribe("http://127.0.0.1:" + std::to_string(hung.port()) + "/hook");
  auto fast = subscribe(url("/hook/b"));
  std::vector<OutboxItem> stuck;
  for (int i = 0; i < 3; ++i) stuck.push_back(enqueue(slow, i + 1));
  auto item = enqueue(fast, 9);
  auto options = fast_options();
  options.request_timeout = 30s;
  options.max_in_flight = 4;
  options.max_in_flight_per_subscription = 2;
  start(options);

  ASSERT_TRUE(
      run_until([&] { return status_is(item, OutboxStatus::delivered) && hung.accepted() == 2; }));
  run_idle(150ms);
  EXPECT_EQ(hung.accepted(), 2u);  // never more than the cap at once
  auto third = row(stuck[2]);
  EXPECT_EQ(third.status, OutboxStatus::pending);
  EXPECT_EQ(third.attempts, 0);            // deferral is not an attempt
  EXPECT_EQ(third.next_attempt_at, t0());  // put back due at once, passed over while full
  EXPECT_EQ(dispatcher_->stats().deferred, 1u);
  EXPECT_EQ(dispatcher_->stats().in_flight, 2);
}

// A backlog on one subscription goes out through its slots as fast as its deliveries end: the
// clock never moves here, so a row pushed back to any later time would never be sent. (This
// replaces ABacklogDrainsThroughTheSlotsWithoutDeferrals, whose single subscription had the
// whole global cap and so never reached the per-subscription one.)
TEST_F(OutboxDispatchTest, ABacklogOfOneSubscriptionDrainsAtItsCapWithoutWaiting) {
  auto subscription = subscribe(url("/hook/a"));
  auto other = subscribe(url("/hook/b"));
  std::vector<OutboxItem> items;
  for (int i = 0; i < 60; ++i) items.push_back(enqueue(subscription, i + 1));
  items.push_back(enqueue(other, 61));  // the newest, behind the whole backlog
  auto options = fast_options();
  options.max_in_flight = 8;
  options.max_in_flight_per_subscription = 2;
  start(options);
  ASSERT_TRUE(run_until([&] { return dispatcher_->stats().delivered == items.size(); }));
  for (const auto& item : items) EXPECT_EQ(row(item).status, OutboxStatus::delivered);
  // Each row once, under its own message id.
  std::set<std::string> ids;
  for (const auto& request : receiver_.requests) ids.insert(request.header("webhook-id"));
  EXPECT_EQ(ids.size(), items.size());
  EXPECT_EQ(receiver_.requests.size(), items.size());
  // The other subscription was not kept waiting for the backlog: it went out in the first pass.
  auto first_b = std::find_if(receiver_.requests.begin(), receiver_.requests.end(),
                              [](const auto& r) { return r.target == "/hook/b"; });
  ASSERT_NE(first_b, receiver_.requests.end());
  EXPECT_LT(first_b - receiver_.requests.begin(), 8);
}

TEST_F(OutboxDispatchTest, ConnectionRefusedIsARetry) {
  uint16_t closed_port = 0;
  {
    tcp::acceptor probe(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    closed_port = probe.local_endpoint().port();
  }
  auto subscription = subscribe("http://127.0.0.1:" + std::to_string(closed_port) + "/hook");
  auto item = enqueue(subscription);
  jitter_ = 0.5;  // the retry is 5 s away by the fixed clock, so it is not tried again here
  start();
  ASSERT_TRUE(run_until([&] { return attempts_are(item, 1); }));
  auto stored = row(item);
  EXPECT_EQ(stored.status, OutboxStatus::pending);
  EXPECT_EQ(stored.next_attempt_at, t0() + 5s);
  EXPECT_NE(stored.last_error.find("connect"), std::string::npos) << stored.last_error;
}

TEST_F(OutboxDispatchTest, GivesUpAfterThePolicyWindow) {
  auto subscription = subscribe(url("/hook/a"));
  receiver_.script("/hook/a", 503);
  receiver_.script("/hook/a", 503);
  auto item = enqueue(subscription);
  jitter_ = 0.5;
  start();
  ASSERT_TRUE(run_until([&] { return attempts_are(item, 1); }));
  EXPECT_EQ(row(item).status, OutboxStatus::pending);

  advance(73h);  // past give_up_after (72 h from the first attempt)
  dispatcher_->wake();
  ASSERT_TRUE(run_until([&] { return status_is(item, OutboxStatus::dead); }));
  auto stored = row(item);
  EXPECT_EQ(stored.attempts, 2);
  EXPECT_NE(stored.last_error.find("gave up"), std::string::npos) << stored.last_error;
  EXPECT_EQ(receiver_.requests.size(), 2u);
}

TEST_F(OutboxDispatchTest, TheRequestTimeoutIsHonoured) {
  SilentPeer& hung = silent_peer();
  auto subscription = subscribe("http://127.0.0.1:" + std::to_string(hung.port()) + "/hook");
  auto item = enqueue(subscription);
  jitter_ = 0.5;
  auto options = fast_options();
  options.request_timeout = 200ms;
  start(options);
  ASSERT_TRUE(run_until([&] { return attempts_are(item, 1); }));
  auto stored = row(item);
  EXPECT_EQ(stored.status, OutboxStatus::pending);
  EXPECT_NE(stored.last_error.find("timed out after 200 ms"), std::string::npos)
      << stored.last_error;
}

TEST_F(OutboxDispatchTest, ADisabledSubscriptionMakesItsRowsDeadWithoutARequest) {
  auto subscription = subscribe(url("/hook/a"));
  auto item = enqueue(subscription);
  subscription.enabled = false;
  ASSERT_TRUE(store_->update_subscription(subscription));
  start();
  ASSERT_TRUE(run_until([&] { return status_is(item, OutboxStatus::dead); }));
  EXPECT_EQ(row(item).last_error, "subscription disabled");
  EXPECT_TRUE(receiver_.requests.empty());
}

TEST_F(OutboxDispatchTest, StopLetsTheRequestInFlightFinishAndRecordsIt) {
  SilentPeer& hung = silent_peer();
  auto subscription = subscribe("http://127.0.0.1:" + std::to_string(hung.port()) + "/hook");
  auto item = enqueue(subscription);
  jitter_ = 0.5;
  auto options = fast_options();
  options.request_timeout = 300ms;
  start(options);
  ASSERT_TRUE(run_until([&] { return hung.accepted() == 1; }));
  dispatcher_->stop();
  server_->stop();
  hung.stop_accepting();
  // The io_context runs down once the request times out; its verdict is recorded first.
  ASSERT_TRUE(run_until([&] { return io_.stopped(); }));
  auto stored = row(item);
  EXPECT_EQ(stored.attempts, 1);
  EXPECT_EQ(stored.status, OutboxStatus::pending);
}

// --- the HTTP client on its own -------------------------------------------------------------

class HttpClientTest : public OutboxDispatchTest {
 protected:
  HttpResult send(HttpClient& client, OutgoingRequest request,
                  std::chrono::milliseconds timeout = 5s) {
    std::optional<HttpResult> result;
    asio::co_spawn(io_, client.send(request, timeout),
                   [&](std::exception_ptr failure, HttpResult value) {
                     EXPECT_FALSE(failure);
                     result = std::move(value);
                   });
    EXPECT_TRUE(run_until([&] { return result.has_value(); }));
    return result.value_or(HttpResult{});
  }

  static OutgoingRequest post(std::string target_url, std::string body = "{\"a\":1}") {
    OutgoingRequest request;
    request.url = std::move(target_url);
    request.headers = {{"Content-Type", "application/json"}, {"X-Test", "yes"}};
    request.body = std::move(body);
    return request;
  }
};

TEST_F(HttpClientTest, SendsPathQueryHeadersAndBodyAndReadsTheAnswer) {
  HttpClient client;
  receiver_.script("/robot/send", 429, "{\"errcode\":45009}", {{"Retry-After", "30"}});
  auto result = send(client, post(url("/robot/send?key=abc&sign=x%2By")));
  ASSERT_TRUE(result.transport_ok) << result.error;
  EXPECT_EQ(result.status, 429);
  EXPECT_EQ(result.retry_after, "30");
  EXPECT_EQ(result.body, "{\"errcode\":45009}");
  ASSERT_EQ(receiver_.requests.size(), 1u);
  const auto& seen = receiver_.requests[0];
  EXPECT_EQ(seen.target, "/robot/send?key=abc&sign=x%2By");
  EXPECT_EQ(seen.header("host"), "127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_EQ(seen.header("x-test"), "yes");
  EXPECT_EQ(seen.body, "{\"a\":1}");
}

TEST_F(HttpClientTest, ABodyOverTheLimitStillYieldsTheStatus) {
  HttpClientOptions options;
  options.body_limit = 1024;
  HttpClient client(options);
  receiver_.script("/big", 200, std::string(100 * 1024, 'x'));
  auto result = send(client, post(url("/big")));
  ASSERT_TRUE(result.transport_ok) << result.error;
  EXPECT_EQ(result.status, 200);
  EXPECT_LE(result.body.size(), 1024u);
}

TEST_F(HttpClientTest, BadUrlsAreErrorsNotExceptions) {
  HttpClient client;
  for (const std::string bad : {"not a url", "ftp://127.0.0.1/x", "http://127.0.0.1:99999/x"}) {
    auto result = send(client, post(bad));
    EXPECT_FALSE(result.transport_ok) << bad;
    EXPECT_FALSE(result.error.empty()) << bad;
  }
}

TEST_F(HttpClientTest, ResolvesHostNames) {
  HttpClient client;
  // localhost may resolve to ::1 first; the receiver listens on 127.0.0.1 only, so this also
  // shows every resolved address being tried.
  auto result = send(client, post("http://localhost:" + std::to_string(server_->port()) + "/n"));
  ASSERT_TRUE(result.transport_ok) << result.error;
  EXPECT_EQ(result.status, 200);
  ASSERT_EQ(receiver_.requests.size(), 1u);
  EXPECT_EQ(receiver_.requests[0].header("host"), "localhost:" + std::to_string(server_->port()));
}

TEST_F(HttpClientTest, TimesOutAgainstASilentPeer) {
  HttpClient client;
  SilentPeer& hung = silent_peer();
  auto result = send(client, post("http://127.0.0.1:" + std::to_string(hung.port()) + "/x"), 200ms);
  EXPECT_FALSE(result.transport_ok);
  EXPECT_NE(result.error.find("timed out after 200 ms"), std::string::npos) << result.error;
}

class HttpsClientTest : public HttpClientTest {
 protected:
  // Replaces the plain receiver with an HTTPS one using `files`.
  void serve_tls(const TlsFiles& files) {
    server_->stop();
    disclose::http::ServerOptions options;
    options.port = 0;
    options.tls_certificate = files.certificate();
    options.tls_private_key = files.private_key();
    tls_server_ = std::make_unique<disclose::http::Server>(io_, options, receiver_, metrics_);
  }
  std::string tls_url(const std::string& host, const std::string& path) const {
    return "https://" + host + ":" + std::to_string(tls_server_->port()) + path;
  }
  void TearDown() override {
    if (tls_server_) tls_server_->stop();
    HttpClientTest::TearDown();
    tls_server_.reset();
  }
  std::unique_ptr<disclose::http::Server> tls_server_;
};

TEST_F(HttpsClientTest, VerifiesTheCertificateAndItsAddress) {
  TlsFiles files("IP:127.0.0.1");
  serve_tls(files);

  HttpClient untrusting;  // system trust store only: a self-signed certificate is refused
  auto refused = send(untrusting, post(tls_url("127.0.0.1", "/hook")));
  EXPECT_FALSE(refused.transport_ok);
  EXPECT_NE(refused.error.find("negotiating TLS with 127.0.0.1: certificate verify failed"),
            std::string::npos)
      << refused.error;
  EXPECT_TRUE(receiver_.requests.empty());

  HttpClientOptions options;
  options.ca_file = files.certificate();
  HttpClient trusting(options);
  auto ok = send(trusting, post(tls_url("127.0.0.1", "/hook?x=1")));
  ASSERT_TRUE(ok.transport_ok) << ok.error;
  EXPECT_EQ(ok.status, 200);
  ASSERT_EQ(receiver_.requests.size(), 1u);
  EXPECT_EQ(receiver_.requests[0].target, "/hook?x=1");
}

TEST_F(HttpsClientTest, VerifiesAHostName) {
  TlsFiles files("DNS:localhost");
  serve_tls(files);
  HttpClientOptions options;
  options.ca_file = files.certificate();
  HttpClient client(options);
  auto ok = send(client, post(tls_url("localhost", "/hook")));
  ASSERT_TRUE(ok.transport_ok) << ok.error;
  EXPECT_EQ(ok.status, 200);
  // The same certificate does not vouch for the address.
  auto refused = send(client, post(tls_url("127.0.0.1", "/hook")));
  EXPECT_FALSE(refused.transport_ok);
  EXPECT_EQ(receiver_.requests.size(), 1u);
}

TEST_F(HttpsClientTest, TheTimeoutCoversTheHandshake) {
  HttpClient client;
  SilentPeer& hung = silent_peer();
  auto result =
      send(client, post("https://127.0.0.1:" + std::to_string(hung.port()) + "/x"), 200ms);
  EXPECT_FALSE(result.transport_ok);
  EXPECT_NE(result.error.find("timed out after 200 ms while negotiating TLS"), std::string::npos)
      << result.error;
}

TEST_F(HttpsClientTest, ACertificateForAnotherNameIsRefused) {
  TlsFiles files("DNS:receiver.example");
  serve_tls(files);
  HttpClientOptions options;
  options.ca_file = files.certificate();
  HttpClient client(options);
  auto result = send(client, post(tls_url("127.0.0.1", "/hook")));
  EXPECT_FALSE(result.transport_ok);
  EXPECT_NE(result.error.find("mismatch"), std::string::npos) << result.error;
  EXPECT_TRUE(receiver_.requests.empty());
}

}  // namespace
