// Fuzzes the staff HTTP API at handler level: http::Api::handle on a fresh in-memory SQLite
// store per input (so every finding replays on its own), seeded with three agencies and one user
// per role. An input is a short script of requests, so a fuzzed sequence can create a case and
// then act on it (ids are deterministic in a fresh store):
//
//   POST /api/v1/cases registrar          <- method, target, who (a seeded user, "none", or
//   Idempotency-Key: k1                      anything else = sent as a bogus token)
//                                         <- blank line, then the body up to the next "\n%%\n"
//   {"workflow": "gov-info-disclosure", …}
//   %%
//   POST /api/v1/cases/1/actions/submit_review registrar
//
// Contract checked beyond the sanitizers: handle() never throws, never answers 500 (bad input
// must be a 4xx naming the problem), errors are {"error": {"code", "message"}}, JSON responses
// parse, and streamed bodies end.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "disclose/store.h"
#include "fuzz_support.h"
#include "http/api/api.h"
#include "http/metrics.h"
#include "sqlite/sqlite_store.h"

namespace disclose::fuzz {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxRequests = 8;
constexpr std::size_t kMaxStreamPieces = 10'000;

struct Seeded {
  std::unique_ptr<Store> store;
  std::map<std::string, std::string> tokens;  // who → bearer token
};

Seeded seeded_store() {
  Seeded s;
  s.store = open_sqlite_store(SqliteOptions{":memory:", "NORMAL"});
  s.store->add_agency(Agency{"zrzy", "区自然资源局", "自然资源"});
  s.store->add_agency(Agency{"fgw", "区发展和改革委员会", "发改"});
  s.store->add_agency(Agency{"qzf", "区政府办公室", "区府办"});
  auto add = [&](const std::string& who, const std::string& role, const std::string& agency,
                 bool scope_all) {
    User u;
    u.name = who;
    u.role = role;
    u.agency = agency;
    u.scope_all = scope_all;
    User stored = s.store->add_user(u);
    s.tokens[who] = s.store->issue_token(stored.id).token;
  };
  for (const char* role : {"registrar", "handler", "reviewer", "supervisor", "auditor", "admin"})
    add(role, role, "zrzy", false);
  add("fgw_registrar", "registrar", "fgw", false);
  add("district_admin", "admin", "qzf", true);
  add("district_supervisor", "supervisor", "qzf", true);
  return s;
}

std::string_view next_line(std::string_view& text) {
  std::size_t end = text.find('\n');
  std::string_view line = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  return line;
}

// One request of the script: "METHOD TARGET [WHO]", header lines, a blank line, the body.
http::Request parse_request(std::string_view text, const Seeded& seeded, int index) {
  http::Request r;
  std::string_view first = next_line(text);
  std::size_t sp = first.find(' ');
  r.method = std::string(first.substr(0, sp));
  std::string_view rest = sp == std::string_view::npos ? std::string_view{} : first.substr(sp + 1);
  std::size_t sp2 = rest.find(' ');
  r.target = std::string(rest.substr(0, sp2));
  std::string who = sp2 == std::string_view::npos ? "" : std::string(rest.substr(sp2 + 1));
  if (!who.empty() && who != "none") {
    auto it = seeded.tokens.find(who);
    r.headers.emplace_back("Authorization",
                           "Bearer " + (it == seeded.tokens.end() ? who : it->second));
  }
  while (!text.empty()) {
    std::string_view line = next_line(text);
    if (line.empty()) break;
    std::size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    std::string_view value =
        colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.emplace_back(std::string(name), std::string(value));
  }
  r.body = std::string(text);
  r.request_id = "fuzz-" + std::to_string(index);
  r.remote = "127.0.0.1";
  return r;
}

void check_response(const http::Request& request, http::Response& response) {
  auto where = [&]() { return request.method + " " + request.target + " → "; };
  if (response.status < 200 || response.status > 599)
    finding(where() + "status " + std::to_string(response.status));
  if (response.status == 500) finding(where() + "500: " + response.body);
  if (response.body_stream) {
    std::string piece;
    std::size_t pieces = 0;
    while (response.body_stream(piece)) {
      if (++pieces > kMaxStreamPieces) finding(where() + "a streamed body that does not end");
      piece.clear();
    }
    return;
  }
  if (response.content_type.rfind("application/json", 0) != 0) return;
  boost::system::error_code ec;
  json::value v = json::parse(response.body, ec);
  if (ec) finding(where() + "a JSON response that does not parse: " + response.body);
  if (response.status >= 400) {
    const json::object* top = v.if_object();
    const json::value* error = top ? top->if_contains("error") : nullptr;
    if (!error || !error->is_object() || !error->as_object().contains("code") ||
        !error->as_object().contains("message"))
      finding(where() + "an error without {\"error\": {code, message}}: " + response.body);
  }
}

}  // namespace
}  // namespace disclose::fuzz

// Every run opens and drops a whole SQLite database; with ASan's default 256 MB quarantine each
// run touches fresh pages, and page faults took most of the time. A small quarantine still
// catches a use after free within a run, which is where one would be.
extern "C" const char* __asan_default_options() {
  return "quarantine_size_mb=16:thread_local_quarantine_size_kb=64";
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::critical);  // the 500 path logs; the finding says more
  (void)disclose::fuzz::BundledEngine::shared();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace disclose;
  std::string_view script(reinterpret_cast<const char*>(data), size);
  fuzz::Seeded seeded = fuzz::seeded_store();
  FixedTimeSource clock(fuzz::fixed_moment());
  http::Metrics metrics;
  http::ApiOptions options;
  // The real document is large and copied into every Api; a short one keeps the route served
  // without spending most of each run on copying it (its content is not what is fuzzed).
  options.openapi_json = R"({"openapi": "3.0.3"})";
  http::Api api(*seeded.store, fuzz::BundledEngine::shared().engine(), clock, metrics, options);

  for (std::size_t i = 0; i < fuzz::kMaxRequests && !script.empty(); ++i) {
    std::size_t end = script.find("\n%%\n");
    std::string_view one = script.substr(0, end);
    script.remove_prefix(end == std::string_view::npos ? script.size() : end + 4);
    http::Request request = fuzz::parse_request(one, seeded, static_cast<int>(i));
    http::Response response = api.handle(request);
    fuzz::check_response(request, response);
  }
  return 0;
}
