// The staff API over real sockets: http::Server on 127.0.0.1 (port 0) with the Api as its
// handler, an io_context running on its own thread, and a synchronous Beast client. Every wait
// for the server is bounded (poll on the socket), never a sleep.
#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <latch>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "disclose/bulk_export.h"
#include "disclose/store.h"
#include "disclose/time_source.h"
#include "engine_fixture.h"
#include "http/api/api.h"
#include "http/metrics.h"
#include "http/server.h"
#include "sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace disclose::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace fs = std::filesystem;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

const std::string kOpenApiPath = DISCLOSE_SOURCE_WORKFLOWS "/../adapters/http/api/openapi.json";
// Generous: only a broken server ever waits this long.
constexpr std::chrono::milliseconds kBound = 15s;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string registration(const std::string& received_on = "2025-09-26") {
  return R"({"workflow": "gov-info-disclosure", "agency": "zrzy", "channel": "online",
             "received_on": ")" +
         received_on + R"(", "receipt_evidence": "平台确认回执",
             "applicant": {"kind": "natural_person", "name": "张三",
                           "id_number": "370302199001011234", "phone": "13800000000"},
             "request": {"description": "2024年某地块征收补偿方案"}, "tags": ["征地拆迁"]})";
}

// Waits until the socket has something to read (data or end of stream); false on timeout.
bool readable_within(tcp::socket& socket, std::chrono::milliseconds bound) {
  pollfd fd{socket.native_handle(), POLLIN, 0};
  int ready = ::poll(&fd, 1, static_cast<int>(bound.count()));
  return ready == 1;
}

using Reply = bhttp::response<bhttp::string_body>;
using Headers = std::vector<std::pair<std::string, std::string>>;

// One keep-alive connection, synchronous.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  void write(const std::string& method, const std::string& target, const std::string& token,
             const std::string& body = "", const Headers& headers = {}) {
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
    for (const auto& [name, value] : headers) req.set(name, value);
    if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    bhttp::write(socket_, req);
  }

  // Reads one response; fails the test (and returns status 0) when none starts within kBound.
  Reply read() {
    Reply res;
    if (buffer_.size() == 0 && !readable_within(socket_, kBound)) {
      ADD_FAILURE() << "no response within " << kBound.count() << " ms";
      return res;
    }
    beast::error_code ec;
    bhttp::read(socket_, buffer_, res, ec);
    if (ec) ADD_FAILURE() << "reading the response: " << ec.message();
    return res;
  }

  Reply send(const std::string& method, const std::string& target, const std::string& token,
             const std::string& body = "", const Headers& headers = {}) {
    write(method, target, token, body, headers);
    return read();
  }

  tcp::socket& socket() { return socket_; }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

json::value parse(const Reply& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body(), ec);
  if (ec) ADD_FAILURE() << "not JSON: " << r.body();
  return v;
}

std::string error_code_of(const Reply& r) {
  json::value v = parse(r);
  if (!v.is_object() || !v.as_object().contains("error")) return "";
  return std::string(v.at("error").at("code").as_string());
}

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_sqlite_store(SqliteOptions{(dir_ / "http.db").string()});
    store_->add_agency(Agency{"zrzy", "区自然资源局", "自然资源"});
    store_->add_agency(Agency{"fgw", "区发展和改革委员会", "发改"});
    for (const char* role : {"registrar", "handler", "reviewer", "supervisor", "auditor"})
      add_user(role, role, "zrzy");
    add_user("fgw_registrar", "registrar", "fgw");
    ApiOptions options;
    options.openapi_json = read_file(kOpenApiPath);
    api_ = std::make_unique<Api>(*store_, fixture::Harness::shared().engine(), clock_, metrics_,
                                 options);
  }

  void TearDown() override {
    stop_server();
    api_.reset();
    store_.reset();
  }

  void add_user(const std::string& key, const std::string& role, const std::string& agency) {
    User u;
    u.name = key;
    u.role = role;
    u.agency = agency;
    User stored = store_->add_user(u);
    ids_[key] = "u:" + std::to_string(stored.id);
    tokens_[key] = store_->issue_token(stored.id).token;
  }

  void start_server(ServerOptions options = {}) {
    options.address = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<Server>(io_, options, *api_, metrics_);
    ASSERT_NE(server_->port(), 0);
    std::promise<void> done;
    stopped_ = done.get_future();
    io_thread_ = std::thread([this, done = std::move(done)]() mutable {
      io_.run();
      done.set_value();
    });
  }

  // Graceful stop; true when the io_context's run() returned within the bound.
  bool stop_server() {
    if (!server_) return true;
    server_->stop();
    bool returned = stopped_.wait_for(kBound) == std::future_status::ready;
    if (!returned) io_.stop();
    io_thread_.join();
    server_.reset();
    return returned;
  }

  uint16_t port() const { return server_->port(); }
  const std::string& token(const std::string& who) { return tokens_.at(who); }

  fixture::TempDir dir_;
  std::unique_ptr<Store> store_;
  FixedTimeSource clock_{fixture::moment("2025-11-03")};
  Metrics metrics_;
  std::unique_ptr<Api> api_;
  std::map<std::string, std::string> tokens_;
  std::map<std::string, std::string> ids_;
  asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::thread io_thread_;
  std::future<void> stopped_;
};

TEST_F(HttpApiTest, WholeLifecycleOverOneConnection) {
  start_server();
  Client client(port());

  Reply health = client.send("GET", "/healthz", "");
  EXPECT_EQ(health.result_int(), 200);
  EXPECT_FALSE(health[bhttp::field::content_type].empty());
  EXPECT_FALSE(health["X-Request-Id"].empty());
  Reply ready = client.send("GET", "/readyz", "", "", {{"X-Request-Id", "probe-1"}});
  EXPECT_EQ(ready.result_int(), 200);
  EXPECT_EQ(ready["X-Request-Id"], "probe-1");

  Reply unauth = client.send("GET", "/api/v1/cases", "");
  EXPECT_EQ(unauth.result_int(), 401);
  EXPECT_EQ(error_code_of(unauth), "unauthenticated");
  EXPECT_FALSE(unauth[bhttp::field::www_authenticate].empty());

  Reply created = client.send("POST", "/api/v1/cases", token("registrar"), registration());
  ASSERT_EQ(created.result_int(), 201) << created.body();
  int64_t id = parse(created).at("id").as_int64();
  std::string path = "/api/v1/cases/" + std::to_string(id);
  EXPECT_EQ(created[bhttp::field::location], path);
  EXPECT_EQ(created[bhttp::field::etag], "\"1\"");
  EXPECT_EQ(parse(created).at("number").as_string(), "2025-自然资源-0001");

  struct Step {
    std::string action, who, input;
  };
  const std::vector<Step> steps = {
      {"submit_review", "registrar", "{}"},
      {"accept", "reviewer", R"({"assignee": ")" + ids_.at("handler") + R"("})"},
      {"consult", "handler",
       R"({"on": "2025-09-30", "party": "agency", "party_name": "区住建局",
           "party_received_on": "2025-10-09"})"},
      {"consultation_done", "handler", R"({"on": "2025-10-15", "opinion": "agree"})"},
      {"draft_reply", "handler",
       R"({"determination": "granted", "basis": "条例第三十六条第（一）项", "reasons": "予以公开"})"},
      {"approve_reply", "reviewer", ""},
      {"record_delivery", "registrar",
       R"({"method": "post", "on": "2025-10-20", "tracking_no": "EMS1234567890"})"},
      {"archive", "registrar", ""},
  };
  int64_t version = 1;
  for (const Step& s : steps) {
    Reply r = client.send("POST", path + "/actions/" + s.action, token(s.who), s.input,
                          {{"If-Match", "\"" + std::to_string(version) + "\""}});
    ASSERT_EQ(r.result_int(), 200) << s.action << ": " << r.body();
    ++version;
    EXPECT_EQ(r[bhttp::field::etag], "\"" + std::to_string(version) + "\"");
    EXPECT_EQ(parse(r).at("version").as_int64(), version);
  }
  Reply archived = client.send("GET", path, token("auditor"));
  ASSERT_EQ(archived.result_int(), 200);
  json::value c = parse(archived);
  EXPECT_EQ(c.at("state").as_string(), "archived");
  EXPECT_EQ(c.at("outcome").at("determination").as_string(), "granted");
  EXPECT_EQ(c.at("registration").at("applicant").at("phone").as_string(), "138****0000");

  Reply history = client.send("GET", path + "/history", token("supervisor"));
  ASSERT_EQ(history.result_int(), 200);
  json::value events = parse(history).at("events");
  ASSERT_EQ(events.as_array().size(), steps.size() + 1);
  for (size_t i = 1; i < events.as_array().size(); ++i)
    EXPECT_EQ(events.as_array()[i].at("prev_hash"), events.as_array()[i - 1].at("hash"));

  Reply other_agency = client.send("GET", path, token("fgw_registrar"));
  EXPECT_EQ(other_agency.result_int(), 404);
  Reply unknown = client.send("GET", "/api/v1/cases/999999", token("registrar"));
  EXPECT_EQ(unknown.result_int(), 404);
  EXPECT_EQ(error_code_of(unknown), "not_found");
  Reply wrong_method = client.send("DELETE", path, token("registrar"));
  EXPECT_EQ(wrong_method.result_int(), 405);
  EXPECT_EQ(wrong_method[bhttp::field::allow], "GET");
  Reply bad_json = client.send("POST", "/api/v1/cases", token("registrar"), "{\"workflow\":");
  EXPECT_EQ(bad_json.result_int(), 400);
  EXPECT_EQ(error_code_of(bad_json), "invalid_json");

  Reply doc = client.send("GET", "/api/v1/openapi.json", "");
  EXPECT_EQ(doc.result_int(), 200);
  EXPECT_EQ(parse(doc).at("openapi").as_string(), "3.0.3");
  // One case still open, so the open-cases gauge has a series.
  ASSERT_EQ(client.send("POST", "/api/v1/cases", token("registrar"), registration("2025-10-31"))
                .result_int(),
            201);
  Reply metrics = client.send("GET", "/metrics", "");
  EXPECT_EQ(metrics.result_int(), 200);
  EXPECT_NE(metrics.body().find("disclose_open_cases{state=\"registered\"} 1"), std::string::npos)
      << metrics.body();
  EXPECT_NE(metrics.body().find("/api/v1/cases/{id}/actions/{action}"), std::string::npos)
      << "requests are recorded by route pattern";

  EXPECT_TRUE(stop_server()) << "run() did not return after stop()";
}

// Two clients act on one case with the same If-Match at the same moment: exactly one wins.
TEST_F(HttpApiTest, ConcurrentActionsWithTheSameVersion) {
  start_server();
  Client setup(port());
  Reply created = setup.send("POST", "/api/v1/cases", token("registrar"), registration());
  ASSERT_EQ(created.result_int(), 201) << created.body();
  std::string path = "/api/v1/cases/" + std::to_string(parse(created).at("id").as_int64());

  Client first(port()), second(port());
  int64_t version = 1;
  for (int round = 0; round < 5; ++round) {
    Headers if_match = {{"If-Match", "\"" + std::to_string(version) + "\""}};
    std::latch start(2);
    auto racer = [&](Client& client, const std::string& who, const std::string& text) {
      return std::async(std::launch::async, [&, who, text] {
        start.arrive_and_wait();
        return client.send("POST", path + "/actions/note", token(who),
                           R"({"text": ")" + text + R"("})", if_match);
      });
    };
    auto a = racer(first, "registrar", "登记员备注");
    auto b = racer(second, "handler", "承办人备注");
    Reply ra = a.get(), rb = b.get();
    int ok = (ra.result_int() == 200) + (rb.result_int() == 200);
    int conflict = (ra.result_int() == 409) + (rb.result_int() == 409);
    EXPECT_EQ(ok, 1) << ra.body() << " / " << rb.body();
    EXPECT_EQ(conflict, 1) << ra.body() << " / " << rb.body();
    const Reply& lost = ra.result_int() == 409 ? ra : rb;
    EXPECT_EQ(error_code_of(lost), "version_conflict");
    EXPECT_EQ(parse(lost).at("error").at("current_version").as_int64(), version + 1);
    ++version;
  }
  Reply history = setup.send("GET", path + "/history", token("auditor"));
  EXPECT_EQ(parse(history).at("events").as_array().size(), 6u);  // register + one per round
  EXPECT_TRUE(stop_server());
}

TEST_F(HttpApiTest, OversizedBodyIs413AndNothingIsWritten) {
  start_server();
  Client client(port());
  std::string huge = "{\"request\": \"" + std::string(2u << 20, 'x') + "\"}";
  client.write("POST", "/api/v1/cases", token("registrar"), huge);
  Reply r = client.read();
  EXPECT_EQ(r.result_int(), 413) << r.body();
  EXPECT_EQ(error_code_of(r), "payload_too_large");
  EXPECT_FALSE(r.keep_alive());

  // An oversized head is refused too.
  Client headers(port());
  Reply big_head = headers.send("GET", "/api/v1/me", token("registrar"), "",
                                {{"X-Padding", std::string(32 * 1024, 'p')}});
  EXPECT_EQ(big_head.result_int(), 431);

  Client check(port());
  Reply list = check.send("GET", "/api/v1/cases", token("registrar"));
  ASSERT_EQ(list.result_int(), 200);
  EXPECT_TRUE(parse(list).at("cases").as_array().empty());
  EXPECT_TRUE(stop_server());
}

// A client that sends half a request head is cut off after header_timeout; one that sends half
// its body, after body_timeout. The test waits for end of stream, bounded, with no sleep.
TEST_F(HttpApiTest, SlowClientsAreDisconnected) {
  ServerOptions options;
  options.header_timeout = 300ms;
  options.body_timeout = 300ms;
  start_server(options);

  auto wait_for_eof = [&](tcp::socket& socket, const std::string& what) {
    auto started = std::chrono::steady_clock::now();
    ASSERT_TRUE(readable_within(socket, kBound)) << what << ": still open after the bound";
    std::array<char, 512> sink;
    beast::error_code ec;
    size_t n = socket.read_some(asio::buffer(sink), ec);
    auto waited = std::chrono::steady_clock::now() - started;
    EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset)
        << what << ": got " << n << " bytes, " << ec.message();
    EXPECT_GE(waited, 250ms) << what << ": closed before the timeout";
  };

  // Half a head is answered 408 (a client can tell a timeout from a crash), then closed.
  Client head(port());
  std::string half = "POST /api/v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ";
  asio::write(head.socket(), asio::buffer(half));
  {
    auto started = std::chrono::steady_clock::now();
    ASSERT_TRUE(readable_within(head.socket(), kBound)) << "no answer to half a head";
    beast::flat_buffer buffer;
    Reply response;
    beast::error_code ec;
    bhttp::read(head.socket(), buffer, response, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms);
    EXPECT_EQ(response.result_int(), 408);
    EXPECT_FALSE(response.keep_alive());
    EXPECT_EQ(json::parse(response.body()).at("error").at("code"), "request_timeout");
    std::array<char, 512> sink;
    head.socket().read_some(asio::buffer(sink), ec);
    EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  }

  // Half a body is cut off without an answer: the body timeout keeps Beast's expiry.

  Client body(port());
  std::string partial =
      "POST /api/v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
      token("registrar") +
      "\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"workflow\"";
  asio::write(body.socket(), asio::buffer(partial));
  wait_for_eof(body.socket(), "half a body");

  // The server still serves others.
  Client fine(port());
  EXPECT_EQ(fine.send("GET", "/healthz", "").result_int(), 200);
  EXPECT_TRUE(stop_server());
}

// stop() closes idle keep-alive connections and lets run() return.
TEST_F(HttpApiTest, StopClosesIdleConnections) {
  start_server();
  Client idle(port());
  EXPECT_EQ(idle.send("GET", "/api/v1/me", token("auditor")).result_int(), 200);
  Client connected(port());
  EXPECT_EQ(connected.send("GET", "/healthz", "").result_int(), 200);
  const uint16_t was = port();
  EXPECT_TRUE(stop_server()) << "run() did not return after stop()";
  ASSERT_TRUE(readable_within(idle.socket(), kBound));
  std::array<char, 64> sink;
  beast::error_code ec;
  idle.socket().read_some(asio::buffer(sink), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  // Nothing listens any more.
  asio::io_context io;
  tcp::socket probe(io);
  beast::error_code refused;
  probe.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), was), refused);
  EXPECT_TRUE(refused) << "still accepting after stop()";
}

// The report and export routes over a socket: the bulk export arrives in HTTP/1.1 chunks and
// verifies; an HTTP/1.0 client (no chunks) gets the same body with a Content-Length; the other
// routes answer on the same keep-alive connection with their file types.
TEST_F(HttpApiTest, ReportAndExportRoutesOverASocket) {
  start_server();
  Client client(port());
  int64_t last = 0;
  for (int i = 0; i < 3; ++i) {
    Reply created = client.send("POST", "/api/v1/cases", token("registrar"), registration());
    ASSERT_EQ(created.result_int(), 201) << created.body();
    last = parse(created).at("id").as_int64();
  }

  Reply bulk = client.send("GET", "/api/v1/exports/cases", token("supervisor"));
  ASSERT_EQ(bulk.result_int(), 200) << bulk.body();
  EXPECT_TRUE(bulk.chunked());
  EXPECT_EQ(bulk[bhttp::field::content_length], "");
  EXPECT_EQ(bulk[bhttp::field::content_type], "application/x-ndjson");
  BulkExportVerifier verifier;
  std::istringstream lines(bulk.body());
  std::string line;
  while (std::getline(lines, line)) verifier.add_line(line);
  VerifyResult verified = verifier.finish();
  EXPECT_TRUE(verified.ok) << verified.message;
  EXPECT_NE(verified.message.find("ok: 3 cases, 3 events"), std::string::npos) << verified.message;

  Reply xlsx =
      client.send("GET", "/api/v1/reports/annual?year=2025&format=xlsx", token("supervisor"));
  ASSERT_EQ(xlsx.result_int(), 200) << xlsx.body();
  EXPECT_EQ(xlsx[bhttp::field::content_type],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(xlsx.body().rfind("PK", 0), 0u);
  Reply csv = client.send("GET", "/api/v1/cases/" + std::to_string(last) + "/export?format=csv",
                          token("auditor"));
  ASSERT_EQ(csv.result_int(), 200);
  EXPECT_EQ(csv[bhttp::field::content_disposition],
            "attachment; filename=\"case-" + std::to_string(last) + ".csv\"");
  Reply stats = client.send("GET", "/api/v1/reports/stats?from=2025-01-01", token("auditor"));
  ASSERT_EQ(stats.result_int(), 200) << stats.body();
  EXPECT_EQ(parse(stats).at("received").as_int64(), 3);

  // HTTP/1.0 has no chunked encoding: the stream is gathered into one body.
  bhttp::request<bhttp::empty_body> old{bhttp::verb::get, "/api/v1/exports/cases", 10};
  old.set(bhttp::field::host, "127.0.0.1");
  old.set(bhttp::field::authorization, "Bearer " + token("supervisor"));
  Client old_client(port());
  bhttp::write(old_client.socket(), old);
  Reply gathered = old_client.read();
  ASSERT_EQ(gathered.result_int(), 200);
  EXPECT_FALSE(gathered.chunked());
  EXPECT_EQ(gathered[bhttp::field::content_length], std::to_string(gathered.body().size()));
  // The same export but for the moment it was generated at (equal: the clock is fixed).
  EXPECT_EQ(gathered.body(), bulk.body());
}

}  // namespace
}  // namespace disclose::http
