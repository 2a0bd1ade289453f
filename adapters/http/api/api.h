// The staff HTTP API (/api/v1, DESIGN.md §7): authenticates bearer tokens, checks role and agency
// scope on every route, turns requests into engine calls and store writes, and maps every typed
// failure to a JSON error with the right status. Pure request → response: no sockets here.
#pragma once

#include <functional>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "auth/password_hash.h"
#include "disclose/calendar.h"
#include "disclose/engine.h"
#include "disclose/store.h"
#include "disclose/time_source.h"
#include "http/http_message.h"
#include "http/metrics.h"

namespace disclose::http {

// What a calendar import through the API did (the same work as `disclose calendar import`).
struct CalendarImportReport {
  std::vector<CalendarYear> years;  // the years imported
  int cases_checked = 0;
  int cases_changed = 0;         // open cases whose deadlines moved (each got an event)
  std::string calendar_version;  // of the calendar now in force
};

struct ApiOptions {
  std::string openapi_json;  // served at /api/v1/openapi.json
  int default_page_size = 50;
  int max_page_size = 500;
  // Called after a request queued notifications outside a case write (test message, replay),
  // so the outbox dispatcher looks at once; may be empty.
  std::function<void()> notifications_queued;
  // More figures for /metrics (name with labels, value), e.g. the dispatcher's counters.
  std::function<std::vector<std::pair<std::string, double>>()> extra_gauges;
  // Sign-in (issue #7). Session cookies carry `Secure` when the server speaks TLS.
  bool secure_cookies = false;
  // Cost of new password hashes (stored hashes keep their own); tests lower it.
  auth::ScryptCost password_cost;
  // Saves imported calendar years, puts them in force for the engine and recomputes open cases'
  // deadlines. Throws CalendarError for data the calendar cannot hold (nothing saved). Without
  // it, PUT /api/v1/calendar/{year} answers 501.
  std::function<CalendarImportReport(const std::vector<CalendarYear>&)> import_calendar;
  // Whether the request being served holds the server to itself (under `disclose serve`: the
  // CalendarGate's gate, taken alone on this thread). An import that finds it false answers 503
  // and changes nothing: traits() and the route authenticate in two reads, so a token issued
  // between them must not bring an import in beside other requests. Unset: the caller keeps
  // imports apart from everything else itself (tests, a single-threaded caller).
  std::function<bool()> holds_server_alone;
};

class Api final : public Handler {
 public:
  // All references must outlive the Api.
  Api(Store& store, const Engine& engine, const TimeSource& clock, Metrics& metrics,
      ApiOptions options);
  ~Api() override;

  Response handle(const Request& request) override;
  // As handle(), but a case action answers once its commit group is durable, from the store's
  // committing thread, instead of holding the calling thread until then.
  void handle_async(const Request& request, Respond respond) override;
  // answers_without_blocking for a case action with a bearer token: it reads and computes,
  // then waits for its commit without blocking. (A console session's use may write the
  // session's last-seen time, and every other route may wait on the database or work for
  // long.) runs_alone for a calendar import (PUT /api/v1/calendar/{year}) by a caller who may
  // import (an active admin with scope all, as the store says now): anyone else is refused
  // before it runs and must not hold every other request back on the way. Both as the router
  // matches the request (on the percent-decoded path).
  RequestTraits traits(const Request& request) const override;

  // Every (method, pattern) the API serves, e.g. ("GET", "/api/v1/cases/{id}"): the OpenAPI
  // document must describe exactly these.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace disclose::http
