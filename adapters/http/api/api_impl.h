// Private to the API: the state behind Api and one member function per route.
#pragma once

#include "disclose/json_text.h"
#include "http/api/api.h"
#include "http/api/api_support.h"
#include "http/api/login_limiter.h"

namespace disclose::http {

struct Api::Impl {
  using RouteFn = Response (Impl::*)(Call&);

  Impl(Store& store, const Engine& engine, const TimeSource& clock, Metrics& metrics,
       ApiOptions options);

  Response handle(const Request& request);
  void handle_async(const Request& request, Respond respond);
  // Routes, authenticates and runs the request. With `later`, a route may answer through it
  // after returning (a case action, once committed): then this returns nullopt.
  std::optional<Response> dispatch(const Request& request, Response& out_meta,
                                   const Respond* later);
  // The answer to an exception out of a route (ApiError, VersionConflict, or a 500).
  static Response error_answer(std::exception_ptr error, const Request& request);
  // The answer first given under an Idempotency-Key, for the same request again (same
  // `fingerprint`); ApiError 422 idempotency_key_reused for a different one.
  static Response replay(const IdempotencyRecord& stored, const std::string& fingerprint);
  // The answer to a case write whose commit failed with `error`; when a concurrent request
  // with the same Idempotency-Key committed first, the same request (`fingerprint`) is answered
  // as that one was, and another request is refused with 422, as if it had come second.
  Response failed_write_answer(std::exception_ptr error, const Request& request,
                               const std::string& actor, const std::string& idempotency_key,
                               const std::string& fingerprint);

  // Operations and discovery (api.cc).
  Response healthz(Call& call);
  Response readyz(Call& call);
  Response metrics_text(Call& call);
  Response openapi(Call& call);
  Response me(Call& call);
  Response list_workflows(Call& call);
  Response get_workflow(Call& call);
  Response calendar_due(Call& call);
  // Calendar years for the console's admin page (api_calendar.cc).
  Response get_calendar_year(Call& call);
  Response put_calendar_year(Call& call);

  // Sign-in sessions for the web console (api_session.cc).
  Response create_session(Call& call);
  Response get_session(Call& call);
  Response delete_session(Call& call);
  // Whether the request carries the console's session cookie (a value, valid or not).
  static bool has_session_cookie(const Request& request);
  // The session named by the request's cookie: nullopt without a cookie; ApiError 401
  // (unauthenticated, or session_expired after deleting it) when it is unknown or over.
  // Marks it seen, at most once a minute.
  std::optional<SessionLookup> cookie_session(const Request& request, const Moment& now,
                                              Response& meta);
  // Whether dispatch would, as the store says now, let the request's caller import a calendar:
  // an active admin with scope all, by bearer token or by an unexpired session (whose CSRF token
  // the request carries). Changes nothing but a token's last-used time; dispatch checks again.
  bool may_import_calendar(const Request& request) const;
  // The one rule for who imports calendars (every open case's deadlines move with one): an
  // admin with scope all. The route checks it before importing, may_import_calendar before
  // the import may hold the server alone; one rule keeps the two from drifting apart.
  static bool imports_calendars(const Actor& actor);
  // The actor a signed-in user acts as.
  static Actor actor_of(const User& user);
  // The user of the request's unexpired session when the request also carries its CSRF token
  // (as a change through the cookie needs); nullopt otherwise. Reads only.
  std::optional<User> session_user_for_change(const Request& request) const;
  // ApiError 403 csrf_failed unless the request carries the session's X-CSRF-Token.
  static void check_csrf(const Request& request, const SessionRecord& session);
  static bool carries_csrf(const Request& request, const SessionRecord& session);
  // The session the request's cookie names, as stored, expired or not; `hash` is the cookie
  // value's hash, "" when the request has no session cookie. Reads only.
  std::optional<SessionLookup> stored_session(const Request& request, std::string& hash) const;

  // Cases (api_cases.cc).
  Response create_case(Call& call);
  Response list_cases(Call& call);
  Response get_case(Call& call);
  Response act(Call& call);
  Response case_history(Call& call);
  Response case_clock(Call& call);

  // Administration (api_admin.cc).
  Response list_users(Call& call);
  Response create_user(Call& call);
  Response update_user(Call& call);
  Response list_tokens(Call& call);
  Response create_token(Call& call);
  Response revoke_token(Call& call);
  Response list_agencies(Call& call);
  Response create_agency(Call& call);
  // Notifications to staff (api_notify.cc).
  Response list_subscriptions(Call& call);
  Response create_subscription(Call& call);
  Response get_subscription(Call& call);
  Response update_subscription(Call& call);
  Response delete_subscription(Call& call);
  Response test_subscription(Call& call);
  Response list_notifications(Call& call);
  Response get_notification(Call& call);
  Response replay_notification(Call& call);
  // A subscription the caller manages, or ApiError 404.
  Subscription managed_subscription(Call& call, int64_t id);
  void check_subscription_scope(const Call& call, const Subscription& s) const;
  OutboxItem visible_notification(Call& call);
  // The user whose tokens are addressed: admins of that user's agency and the user themself.
  User token_owner(Call& call);

  // Reports and exports (api_reports.cc).
  void add_report_routes();
  Response annual_report(Call& call);
  Response report_stats(Call& call);
  Response export_case(Call& call);
  Response export_cases(Call& call);
  // The `agency` query of a report or export under the caller's scope; "" = every agency.
  std::string report_agency(const Call& call) const;

  // Helpers shared by the route files.
  // Loads a case the caller may read; 404 for unknown ids and for other agencies' cases.
  Case visible_case(Call& call);
  // A case as the caller sees it (case_view) with its links, as JSON text. `deadlines` are
  // engine.deadlines(a_case, today).
  std::string case_text(const Case& a_case, const Actor& viewer,
                        const std::vector<DeadlineView>& deadlines, bool allow_pii) const;
  void write_case(JsonText& out, const Case& a_case, const Actor& viewer,
                  const std::vector<DeadlineView>& deadlines, bool allow_pii) const;
  // Builder that remembers the response of a case write under the call's Idempotency-Key;
  // empty when the call has none. `body_of` renders the body from the stored case.
  IdempotencyBuilder remember(const Call& call, int status,
                              std::function<std::string(const Case&)> body_of) const;
  void require_role(const Call& call, std::initializer_list<const char*> roles) const;

  Store& store;
  const Engine& engine;
  const TimeSource& clock;
  Metrics& metrics;
  ApiOptions options;
  Router<RouteFn> router;
  std::vector<std::string> public_routes;  // patterns served without a token
  LoginLimiter login_limiter;
};

// The user object of GET /me and the session routes.
boost::json::object me_json(const User& user);

// Roles that handle cases and may see applicants' full ID numbers and phones.
bool handles_cases(const Actor& actor);

}  // namespace disclose::http
