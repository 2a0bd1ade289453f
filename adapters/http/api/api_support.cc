#include "http/api/api_support.h"

#include <algorithm>
#include <charconv>

#include <boost/json.hpp>

namespace disclose::http {

namespace json = boost::json;

Response json_response(int status, const json::value& body) {
  Response r;
  r.status = status;
  r.body = json::serialize(body);
  return r;
}

Response error_response(int status, const std::string& code, const std::string& message,
                        const std::string& field, json::object extra) {
  json::object error{{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  for (auto& [k, v] : extra) error[k] = v;
  return json_response(status, json::object{{"error", std::move(error)}});
}

ApiError api_error(const ActionError& error) {
  int status = 422;
  switch (error.code) {
    case ErrorCode::missing_input:
    case ErrorCode::invalid_input:
    case ErrorCode::unknown_workflow:
      status = 400;
      break;
    case ErrorCode::unknown_action:
      status = 404;
      break;
    case ErrorCode::role_not_permitted:
    case ErrorCode::out_of_scope:
      status = 403;
      break;
    case ErrorCode::not_allowed_in_state:
    case ErrorCode::clock_not_running:
      status = 409;
      break;
    case ErrorCode::date_in_future:
    case ErrorCode::date_out_of_order:
    case ErrorCode::extension_cap_exceeded:
    case ErrorCode::extension_after_deadline:
      status = 422;
      break;
  }
  std::string field = error.field;
  if (error.code == ErrorCode::unknown_workflow && field.empty()) field = "workflow";
  return ApiError{status, to_string(error.code), error.message, field, {}};
}

json::object parse_object_body(const Request& request) {
  if (request.body.empty()) return {};
  json::parse_options options;
  options.max_depth = 32;
  json::stream_parser parser({}, options);
  boost::system::error_code ec;
  size_t used = parser.write(request.body.data(), request.body.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    throw ApiError{
        400,
        "invalid_json",
        "the body is not valid JSON (at byte " + std::to_string(used) + "): " + ec.message(),
        "",
        {}};
  }
  json::value value = parser.release();
  if (!value.is_object())
    throw ApiError{400, "invalid_json", "the body must be a JSON object", "", {}};
  return std::move(value.as_object());
}

std::optional<std::string> query_text(const Call& call, const std::string& name) {
  auto it = call.query.find(name);
  if (it == call.query.end()) return std::nullopt;
  if (it->second.size() > 1000)
    throw ApiError{400, "invalid_query", name + ": longer than 1000 bytes", name, {}};
  return it->second;
}

std::optional<Date> query_date(const Call& call, const std::string& name) {
  auto text = query_text(call, name);
  if (!text) return std::nullopt;
  auto date = Date::parse(*text);
  if (!date) throw ApiError{400, "invalid_query", name + ": expected YYYY-MM-DD", name, {}};
  return date;
}

std::optional<long long> query_integer(const Call& call, const std::string& name, long long min,
                                       long long max) {
  auto text = query_text(call, name);
  if (!text) return std::nullopt;
  long long n = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || ptr != text->data() + text->size() || n < min || n > max)
    throw ApiError{400,
                   "invalid_query",
                   name + ": expected a whole number from " + std::to_string(min) + " to " +
                       std::to_string(max),
                   name,
                   {}};
  return n;
}

std::optional<bool> query_bool(const Call& call, const std::string& name) {
  auto text = query_text(call, name);
  if (!text) return std::nullopt;
  if (*text == "true" || *text == "1") return true;
  if (*text == "false" || *text == "0") return false;
  throw ApiError{400, "invalid_query", name + ": expected true or false", name, {}};
}

int64_t path_id(const Call& call, const std::string& name) {
  const std::string& text = call.params.at(name);
  long long n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || ptr != text.data() + text.size() || n <= 0)
    throw ApiError{404, "not_found", "no such " + name, "", {}};
  return n;
}

std::string body_string(const json::object& body, const std::string& name, bool required,
                        size_t max_bytes) {
  auto it = body.find(name);
  if (it == body.end() || it->value().is_null()) {
    if (required) throw ApiError{400, "missing_input", name + ": required", name, {}};
    return "";
  }
  if (!it->value().is_string())
    throw ApiError{400, "invalid_input", name + ": expected a string", name, {}};
  std::string value(it->value().get_string());
  if (required && value.empty())
    throw ApiError{400, "invalid_input", name + ": must not be empty", name, {}};
  if (value.size() > max_bytes)
    throw ApiError{400,
                   "invalid_input",
                   name + ": longer than " + std::to_string(max_bytes) + " bytes",
                   name,
                   {}};
  return value;
}

std::optional<bool> body_bool(const json::object& body, const std::string& name) {
  auto it = body.find(name);
  if (it == body.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_bool())
    throw ApiError{400, "invalid_input", name + ": expected true or false", name, {}};
  return it->value().get_bool();
}

void only_fields(const json::object& body, std::initializer_list<const char*> allowed) {
  for (const auto& member : body) {
    // A plain name, not a structured binding: clang 14 (the fuzz build) cannot capture those.
    const json::string_view key = member.key();
    bool known =
        std::any_of(allowed.begin(), allowed.end(), [&](const char* name) { return key == name; });
    // An empty key still gets a name the message and the field can show.
    const std::string name = key.empty() ? "\"\"" : std::string(key);
    if (!known) throw ApiError{400, "invalid_input", name + ": unknown field", name, {}};
  }
}

}  // namespace disclose::http
