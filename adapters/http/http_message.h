// Plain HTTP request and response values, so the API can be called (and tested, and fuzzed)
// without a socket. The Beast server converts to and from these at the edge.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace disclose::http {

struct Request {
  std::string method;  // "GET", "POST", …
  std::string target;  // path and query, e.g. "/api/v1/cases?state=review"
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;
  std::string request_id;  // assigned by the server (also sent back as X-Request-Id)
  std::string remote;      // peer address, for logs

  // Case-insensitive header lookup; "" when absent.
  std::string header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
  // The matched route pattern (e.g. "/api/v1/cases/{id}") for metrics; "" when none matched.
  std::string route;
  // Set by the handler after authenticating, for the access log ("u:12"); never the token.
  std::string actor;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Must not throw: every failure becomes a response.
  virtual Response handle(const Request& request) = 0;
};

}  // namespace disclose::http
