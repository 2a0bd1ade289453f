// The web console in front of the API (issue #7): embedded files with ETags and 304s, the
// browser hardening headers, index.html for deep links, and everything API-shaped passed on.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include <boost/json.hpp>

#include "console/console_handler.h"
#include "disclose/audit.h"
#include "disclose/time_source.h"
#include "engine_fixture.h"
#include "http/api/api.h"
#include "http/metrics.h"
#include "sqlite/sqlite_store.h"

namespace disclose::console {
namespace {

namespace fs = std::filesystem;
const fs::path kWebDir = fs::path(DISCLOSE_SOURCE_WORKFLOWS) / ".." / "adapters/console/web";

std::string header_of(const http::Response& r, const std::string& name) {
  for (const auto& [key, value] : r.headers)
    if (key == name) return value;
  return "";
}

// Answers every request with its target, so delegation is visible.
class EchoApi final : public http::Handler {
 public:
  http::Response handle(const http::Request& request) override {
    http::Response r;
    r.body = "api:" + request.method + " " + request.target;
    return r;
  }
};

const std::string kIndexHtml = "<!doctype html><title>Disclose</title>";
const std::string kAppJs = "console.log('app');";
const EmbeddedFile kFiles[] = {
    {"assets/app.js", kAppJs, "1111"},
    {"assets/logo.svg", "<svg/>", "2222"},
    {"index.html", kIndexHtml, "3333"},
};

class ConsoleTest : public ::testing::Test {
 protected:
  http::Response get(const std::string& target, const std::string& if_none_match = "",
                     const std::string& method = "GET") {
    http::Request r;
    r.method = method;
    r.target = target;
    if (!if_none_match.empty()) r.headers.emplace_back("If-None-Match", if_none_match);
    return handler_.handle(r);
  }

  static void expect_security_headers(const http::Response& r, const std::string& what) {
    EXPECT_EQ(header_of(r, "Content-Security-Policy"),
              "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
              "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        << what;
    EXPECT_EQ(header_of(r, "X-Content-Type-Options"), "nosniff") << what;
    EXPECT_EQ(header_of(r, "Referrer-Policy"), "same-origin") << what;
    EXPECT_EQ(header_of(r, "X-Frame-Options"), "DENY") << what;
  }

  EchoApi api_;
  ConsoleHandler handler_{api_, kFiles};
};

TEST_F(ConsoleTest, AssetsCarryTypeETagAndNoCache) {
  http::Response js = get("/assets/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, kAppJs);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(header_of(js, "ETag"), "\"1111\"");
  EXPECT_EQ(header_of(js, "Cache-Control"), "no-cache");
  expect_security_headers(js, "js");
  EXPECT_EQ(get("/assets/logo.svg").content_type, "image/svg+xml");
  EXPECT_EQ(get("/assets/app.js?v=2").body, kAppJs);
}

TEST_F(ConsoleTest, IfNoneMatchAnswers304) {
  http::Response same = get("/assets/app.js", "\"1111\"");
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  EXPECT_EQ(header_of(same, "ETag"), "\"1111\"");
  expect_security_headers(same, "304");
  EXPECT_EQ(get("/assets/app.js", "\"0000\", W/\"1111\"").status, 304);
  EXPECT_EQ(get("/assets/app.js", "*").status, 304);
  EXPECT_EQ(get("/assets/app.js", "\"0000\"").status, 200);
  EXPECT_EQ(get("/cases/1", "\"3333\"").status, 304);
}

TEST_F(ConsoleTest, UnknownAssetIsA404JsonError) {
  for (const std::string target : {"/assets/nope.js", "/assets/../index.html", "/assets/"}) {
    http::Response r = get(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.content_type, "application/json") << target;
    EXPECT_EQ(boost::json::parse(r.body).at("error").at("code"), "not_found") << target;
    expect_security_headers(r, target);
  }
}

TEST_F(ConsoleTest, ConsolePathsGetIndexHtml) {
  for (const std::string target : {"/", "/login", "/cases", "/cases/123", "/cases/123?tab=history",
                                   "/register", "/reports", "/admin/users", "/apiary"}) {
    http::Response r = get(target);
    EXPECT_EQ(r.status, 200) << target;
    EXPECT_EQ(r.body, kIndexHtml) << target;
    EXPECT_EQ(r.content_type, "text/html; charset=utf-8") << target;
    EXPECT_EQ(header_of(r, "ETag"), "\"3333\"") << target;
    expect_security_headers(r, target);
  }
  EXPECT_EQ(get("/cases/1", "", "HEAD").status, 200);
}

TEST_F(ConsoleTest, ApiAndOperationsPathsAndOtherMethodsGoToTheApi) {
  for (const std::string target :
       {"/api/v1/cases", "/api/v1/unknown", "/api", "/healthz", "/readyz", "/metrics"}) {
    http::Response r = get(target);
    EXPECT_EQ(r.body, "api:GET " + target);
    EXPECT_TRUE(header_of(r, "Content-Security-Policy").empty()) << target;
  }
  EXPECT_EQ(get("/cases/1", "", "POST").body, "api:POST /cases/1");
  EXPECT_EQ(get("/assets/app.js", "", "DELETE").body, "api:DELETE /assets/app.js");
}

TEST(ContentTypes, ByExtension) {
  EXPECT_EQ(content_type_for("a/b.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("x.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("x.png"), "image/png");
  EXPECT_EQ(content_type_for("x.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("x.json"), "application/json");
  EXPECT_EQ(content_type_for("x.unknown"), "application/octet-stream");
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The build embeds exactly the files of adapters/console/web, byte for byte, with their sha256.
TEST(EmbeddedConsole, EveryFileOfTheWebDirectoryIsEmbedded) {
  std::map<std::string, std::string> on_disk;
  for (const auto& entry : fs::recursive_directory_iterator(kWebDir)) {
    if (!entry.is_regular_file()) continue;
    std::string relative = fs::relative(entry.path(), kWebDir).generic_string();
    if (relative.front() == '.' || relative.find("/.") != std::string::npos) continue;
    on_disk[relative] = read_file(entry.path());
  }
  ASSERT_TRUE(on_disk.count("index.html"));
  std::map<std::string, std::string> embedded;
  for (const EmbeddedFile& f : embedded_console_files()) {
    embedded[std::string(f.path)] = std::string(f.bytes);
    EXPECT_EQ(f.sha256, sha256_hex(std::string(f.bytes))) << f.path;
  }
  EXPECT_EQ(embedded, on_disk);
}

// With the real Api behind it: unknown API paths stay JSON 404s, the console still loads.
TEST(EmbeddedConsole, InFrontOfTheRealApi) {
  auto store = open_sqlite_store(SqliteOptions{":memory:"});
  FixedTimeSource clock(fixture::moment("2025-11-03"));
  http::Metrics metrics;
  http::Api api(*store, fixture::Harness::shared().engine(), clock, metrics, {});
  ConsoleHandler console(api);
  auto get = [&](const std::string& target) {
    http::Request r;
    r.method = "GET";
    r.target = target;
    return console.handle(r);
  };
  http::Response unknown = get("/api/v1/unknown");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(boost::json::parse(unknown.body).at("error").at("code"), "not_found");
  EXPECT_EQ(get("/healthz").status, 200);
  EXPECT_EQ(get("/api/v1/me").status, 401);
  http::Response index = get("/cases/123");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, read_file(kWebDir / "index.html"));
  // The API's say about its requests reaches the calendar gate in front of the console.
  User admin;
  admin.name = "区府办管理员";
  admin.role = "admin";
  admin.agency = "qzf";
  admin.scope_all = true;
  store->add_agency(Agency{"qzf", "区政府办公室", "区府办"});
  http::Request import;
  import.method = "PUT";
  import.target = "/api/v1/calendar/2026";
  import.headers.emplace_back("Authorization",
                              "Bearer " + store->issue_token(store->add_user(admin).id).token);
  EXPECT_TRUE(console.traits(import).runs_alone);
  import.method = "GET";
  EXPECT_FALSE(console.traits(import).runs_alone);
}

}  // namespace
}  // namespace disclose::console
