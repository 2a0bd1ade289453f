// Plain HTTP request and response values, so the API can be called (and tested, and fuzzed)
// without a socket. The Beast server converts to and from these at the edge.
#pragma once

#include <functional>
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
  // When set, the body is produced piece by piece instead (and `body` is ignored): each call puts
  // the next piece in its argument and returns false when there is no more. The server sends the
  // pieces as HTTP/1.1 chunks as they come, so a large export never sits whole in memory. It is
  // called on the server's thread after handle() returned; whatever it uses must outlive the
  // server. A throw after the first piece aborts the connection (the client sees a cut-off body).
  std::function<bool(std::string&)> body_stream;
  // The matched route pattern (e.g. "/api/v1/cases/{id}") for metrics; "" when none matched.
  std::string route;
  // Set by the handler after authenticating, for the access log ("u:12"); never the token.
  std::string actor;
};

// Takes a request's response; see Handler::handle_async.
using Respond = std::function<void(Response)>;

// What a handler says about a request before it handles it, in one look at its route.
struct RequestTraits {
  // handle_async answers the request without blocking its caller: it computes and reads
  // (briefly, from the database), and whatever must wait (a commit) answers later. The server
  // then calls it on the connection's own thread instead of handing it to a handler thread.
  bool answers_without_blocking = false;
  // The request changes what every other request reads (a calendar import replaces the working
  // calendar), so it must run with no other request in flight. The handler only says so; a
  // gate in front of it (cli::CalendarGate under `disclose serve`) keeps it apart.
  bool runs_alone = false;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Must not throw: every failure becomes a response.
  virtual Response handle(const Request& request) = 0;
  // The same for a caller that need not wait: `respond` takes the response exactly once, on
  // whichever thread has it, possibly after this returns (a case write answers from the store's
  // committing thread once its commit group is durable, so no thread sits waiting meanwhile).
  // `request` must stay valid until then. Must not throw. By default, handle() at once.
  virtual void handle_async(const Request& request, Respond respond) { respond(handle(request)); }
  // What the handler says about `request` before anyone handles it (RequestTraits).
  virtual RequestTraits traits(const Request& request) const {
    (void)request;
    return {};
  }
};

}  // namespace disclose::http
