// Shared pieces of the API handlers: the per-request Call, the ApiError thrown inside handlers
// (and turned into a JSON error response at the edge), and JSON helpers.
#pragma once

#include <map>
#include <optional>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "disclose/engine.h"
#include "disclose/store.h"
#include "http/api/router.h"
#include "http/http_message.h"

namespace disclose::http {

// An expected failure inside a handler: becomes {"error": {code, message, field}} with `status`.
struct ApiError {
  int status;
  std::string code;
  std::string message;
  std::string field;
  boost::json::object extra;  // more members of the error object (e.g. current_version)
};

struct Call {
  const Request& request;
  PathParams params;
  std::map<std::string, std::string> query;
  std::optional<User> user;
  Actor actor;
  Moment now;
  std::string idempotency_key;  // "" when none
  std::string fingerprint;      // of method, target and body, when a key is given
  // The sign-in session when the caller authenticated with the console's cookie (issue #7).
  std::optional<SessionRecord> session;
  // Headers (and the route and actor) that go out with whatever the handler answers, an error
  // included: a 401 that ends a session still clears its cookie.
  Response* meta = nullptr;
  // Set when the caller can take the answer later (Handler::handle_async); a route that answers
  // through it after returning sets `answered_later`, and what it returns is ignored.
  const Respond* later = nullptr;
  bool answered_later = false;
};

Response json_response(int status, const boost::json::value& body);
Response error_response(int status, const std::string& code, const std::string& message,
                        const std::string& field = "", boost::json::object extra = {});
// The HTTP form of an engine refusal.
ApiError api_error(const ActionError& error);

// The request body as a JSON object; an empty body is {}. Throws ApiError 400 naming the
// position of a syntax error, invalid UTF-8, or a non-object.
boost::json::object parse_object_body(const Request& request);

// Query helpers; each throws ApiError 400 naming the parameter when malformed.
std::optional<std::string> query_text(const Call& call, const std::string& name);
std::optional<Date> query_date(const Call& call, const std::string& name);
std::optional<long long> query_integer(const Call& call, const std::string& name, long long min,
                                       long long max);
std::optional<bool> query_bool(const Call& call, const std::string& name);

// A positive integer path parameter, or ApiError 404 (an id that cannot exist is "not found").
int64_t path_id(const Call& call, const std::string& name);

// Body member readers; throw ApiError 400 naming the field.
std::string body_string(const boost::json::object& body, const std::string& name, bool required,
                        size_t max_bytes = 1000);
std::optional<bool> body_bool(const boost::json::object& body, const std::string& name);
void only_fields(const boost::json::object& body, std::initializer_list<const char*> allowed);

}  // namespace disclose::http
