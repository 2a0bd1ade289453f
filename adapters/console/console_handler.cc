#include "console/console_handler.h"

#include <boost/json.hpp>
#include <utility>

namespace disclose::console {

namespace {

constexpr std::string_view kIndex = "index.html";

constexpr std::pair<const char*, const char*> kSecurityHeaders[] = {
    {"Content-Security-Policy",
     "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
     "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "same-origin"},
    {"X-Frame-Options", "DENY"},
};

// Paths the API answers even for GET: everything under /api and the operations endpoints.
bool api_path(std::string_view path) {
  return path == "/api" || path.starts_with("/api/") || path == "/healthz" || path == "/readyz" ||
         path == "/metrics";
}

void add_security_headers(http::Response& r) {
  for (const auto& [name, value] : kSecurityHeaders) r.headers.emplace_back(name, value);
}

// True when If-None-Match names `etag` (or is "*"); weak forms compare equal (RFC 9110 13.1.2).
bool matches_etag(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
  }
  return false;
}

}  // namespace

std::string content_type_for(std::string_view path) {
  static constexpr std::pair<std::string_view, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [extension, type] : kTypes)
    if (path.ends_with(extension)) return type;
  return "application/octet-stream";
}

ConsoleHandler::ConsoleHandler(http::Handler& api, std::span<const EmbeddedFile> files)
    : api_(api), files_(files) {}

const EmbeddedFile* ConsoleHandler::find(std::string_view path) const {
  for (const EmbeddedFile& file : files_)
    if (file.path == path) return &file;
  return nullptr;
}

bool ConsoleHandler::for_api(const http::Request& request) {
  std::string_view target = request.target;
  std::string_view path = target.substr(0, target.find('?'));
  return (request.method != "GET" && request.method != "HEAD") || api_path(path);
}

void ConsoleHandler::handle_async(const http::Request& request, http::Respond respond) {
  if (for_api(request)) return api_.handle_async(request, std::move(respond));
  respond(handle(request));
}

http::RequestTraits ConsoleHandler::traits(const http::Request& request) const {
  return for_api(request) ? api_.traits(request) : http::RequestTraits{};
}

http::Response ConsoleHandler::handle(const http::Request& request) {
  if (for_api(request)) return api_.handle(request);
  std::string_view target = request.target;
  std::string_view path = target.substr(0, target.find('?'));

  const EmbeddedFile* file = nullptr;
  http::Response r;
  if (path.starts_with("/assets/")) {
    r.route = "/assets/*";
    file = find(path.substr(1));
  } else {
    r.route = "/*";  // one metrics label for every deep link
    file = find(kIndex);
  }
  if (!file) {
    r.status = 404;
    r.body = boost::json::serialize(boost::json::object{
        {"error", boost::json::object{{"code", "not_found"}, {"message", "no such file"}}}});
    add_security_headers(r);
    return r;
  }
  http::Response served = serve_file(request, *file);
  served.route = r.route;
  return served;
}

http::Response ConsoleHandler::serve_file(const http::Request& request,
                                          const EmbeddedFile& file) const {
  http::Response r;
  std::string etag = "\"" + std::string(file.sha256) + "\"";
  // Always revalidate: a new binary may carry new files under the same names.
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("ETag", etag);
  add_security_headers(r);
  if (matches_etag(request.header("If-None-Match"), etag)) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  r.content_type = content_type_for(file.path);
  r.body = std::string(file.bytes);
  return r;
}

}  // namespace disclose::console
