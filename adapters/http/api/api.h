// The staff HTTP API (/api/v1, DESIGN.md §7): authenticates bearer tokens, checks role and agency
// scope on every route, turns requests into engine calls and store writes, and maps every typed
// failure to a JSON error with the right status. Pure request → response: no sockets here.
#pragma once

#include <functional>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "disclose/engine.h"
#include "disclose/store.h"
#include "disclose/time_source.h"
#include "http/http_message.h"
#include "http/metrics.h"

namespace disclose::http {

struct ApiOptions {
  std::string openapi_json;  // served at /api/v1/openapi.json
  int default_page_size = 50;
  int max_page_size = 500;
  // Called after a request queued notifications outside a case write (test message, replay),
  // so the outbox dispatcher looks at once; may be empty.
  std::function<void()> notifications_queued;
  // More figures for /metrics (name with labels, value), e.g. the dispatcher's counters.
  std::function<std::vector<std::pair<std::string, double>>()> extra_gauges;
};

class Api final : public Handler {
 public:
  // All references must outlive the Api.
  Api(Store& store, const Engine& engine, const TimeSource& clock, Metrics& metrics,
      ApiOptions options);
  ~Api() override;

  Response handle(const Request& request) override;

  // Every (method, pattern) the API serves, e.g. ("GET", "/api/v1/cases/{id}"): the OpenAPI
  // document must describe exactly these.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace disclose::http
