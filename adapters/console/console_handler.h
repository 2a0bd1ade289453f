// Serves the web console in front of the API (issue #7, CONSOLE_CONTRACT.md):
//   /api/*, /healthz, /readyz, /metrics, and every method but GET and HEAD → the API handler;
//   GET /assets/<path> → the embedded file (ETag, 304 on If-None-Match; unknown → 404 JSON);
//   any other GET → index.html, so deep links such as /cases/123 open the console.
// Console responses carry the Content-Security-Policy and the other browser hardening headers.
// The API knows nothing of the console.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "console/embedded_files.h"
#include "http/http_message.h"

namespace disclose::console {

class ConsoleHandler final : public http::Handler {
 public:
  // `api` must outlive the handler; `files` defaults to the embedded console.
  explicit ConsoleHandler(http::Handler& api,
                          std::span<const EmbeddedFile> files = embedded_console_files());

  http::Response handle(const http::Request& request) override;
  // The API's requests go on to its handle_async (a case write answers after its commit); the
  // console's files are answered at once.
  void handle_async(const http::Request& request, http::Respond respond) override;
  // The API's traits for what goes to the API; the console's own files have none.
  http::RequestTraits traits(const http::Request& request) const override;

 private:
  // Whether the request is the API's (see the top of this file).
  static bool for_api(const http::Request& request);
  http::Response serve_file(const http::Request& request, const EmbeddedFile& file) const;
  const EmbeddedFile* find(std::string_view path) const;

  http::Handler& api_;
  std::span<const EmbeddedFile> files_;
};

// The Content-Type for a file name by its extension ("application/octet-stream" if unknown).
std::string content_type_for(std::string_view path);

}  // namespace disclose::console
