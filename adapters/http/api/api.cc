#include "http/api/api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <string_view>

#include "disclose/audit.h"
#include "disclose/utf8.h"
#include "http/api/api_impl.h"

namespace disclose::http {

namespace json = boost::json;

namespace {

constexpr const char* kPrefix = "/api/v1";

// Splits and percent-decodes the target; throws ApiError 400 when it is not a valid origin form.
// Decoded text must be UTF-8: it reaches store queries, and error messages echo it into JSON.
void parse_target(const std::string& target, std::vector<std::string>& segments,
                  std::map<std::string, std::string>& query) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) throw ApiError{400, "invalid_target", "the request target is malformed", "", {}};
  for (auto segment : parsed->segments()) {
    segments.emplace_back(segment);
    if (!is_utf8(segments.back()))
      throw ApiError{400, "invalid_target", "the request path is not valid UTF-8", "", {}};
  }
  for (auto param : parsed->params()) {
    std::string key(param.key);
    if (!is_utf8(key) || (param.has_value && !is_utf8(param.value)))
      throw ApiError{400, "invalid_query", "a query parameter is not valid UTF-8", "", {}};
    if (query.count(key))
      throw ApiError{400, "invalid_query", key + ": given more than once", key, {}};
    query[key] = param.has_value ? std::string(param.value) : "";
  }
}

std::string bearer_token(const Request& request) {
  std::string header = request.header("Authorization");
  const std::string scheme = "Bearer ";
  if (header.size() <= scheme.size()) return "";
  std::string head = header.substr(0, scheme.size());
  std::transform(head.begin(), head.end(), head.begin(), ::tolower);
  if (head != "bearer ") return "";
  return header.substr(scheme.size());
}

bool valid_idempotency_key(const std::string& key) {
  if (key.empty() || key.size() > 255) return false;
  return std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

json::object workflow_summary(const Workflow& w) {
  return json::object{{"name", w.name}, {"title", w.title}, {"version", w.version}};
}

const char* input_type_name(InputType type) {
  switch (type) {
    case InputType::date:
      return "date";
    case InputType::string:
      return "string";
    case InputType::text:
      return "text";
    case InputType::integer:
      return "integer";
    case InputType::boolean:
      return "boolean";
    case InputType::choice:
      return "choice";
    case InputType::string_list:
      return "string_list";
    case InputType::user:
      return "user";
    case InputType::determination:
      return "determination";
  }
  return "string";
}

json::object workflow_detail(const Workflow& w) {
  json::object out = workflow_summary(w);
  json::array states;
  for (const auto& s : w.states)
    states.push_back(json::object{
        {"name", s.name}, {"label", s.label}, {"open", s.open}, {"terminal", s.terminal}});
  out["states"] = std::move(states);
  json::array actions;
  for (const auto& a : w.actions) {
    json::object action{{"name", a.name}, {"label", a.label}, {"creates_case", a.creates_case}};
    json::array from(a.from.begin(), a.from.end());
    action["from"] = std::move(from);
    action["to"] = a.to ? json::value(*a.to) : json::value(nullptr);
    action["roles"] = json::array(a.roles.begin(), a.roles.end());
    json::array inputs;
    for (const auto& in : a.inputs) {
      json::object input{
          {"name", in.name}, {"type", input_type_name(in.type)}, {"required", in.required}};
      if (!in.values.empty()) input["values"] = json::array(in.values.begin(), in.values.end());
      if (in.min) input["min"] = *in.min;
      if (in.max) input["max"] = *in.max;
      if (in.default_value) input["default"] = *in.default_value;
      inputs.push_back(std::move(input));
    }
    action["inputs"] = std::move(inputs);
    actions.push_back(std::move(action));
  }
  out["actions"] = std::move(actions);
  json::array deadlines;
  for (const auto& d : w.deadlines) {
    json::object deadline{{"kind", d.kind}, {"label", d.label}, {"working_days", d.working_days}};
    if (!d.on_expiry.empty()) deadline["on_expiry"] = d.on_expiry;
    if (d.extension_max_times > 0)
      deadline["extension"] = json::object{{"max_total_wd", d.extension_max_total_wd},
                                           {"max_times", d.extension_max_times}};
    deadlines.push_back(std::move(deadline));
  }
  out["deadlines"] = std::move(deadlines);
  json::array determinations;
  for (const auto& d : w.determinations)
    determinations.push_back(json::object{{"code", d.code},
                                          {"report_row", d.report_row},
                                          {"label", d.label},
                                          {"remedy_notice", d.requires_remedy_notice}});
  out["determinations"] = std::move(determinations);
  return out;
}

}  // namespace

bool handles_cases(const Actor& actor) {
  for (const auto& role : case_roles())
    if (actor.has_role(role)) return true;
  return false;
}

Api::Impl::Impl(Store& store_, const Engine& engine_, const TimeSource& clock_, Metrics& metrics_,
                ApiOptions options_)
    : store(store_), engine(engine_), clock(clock_), metrics(metrics_), options(options_) {
  const std::string v1 = kPrefix;
  router.add("GET", "/healthz", &Impl::healthz);
  router.add("GET", "/readyz", &Impl::readyz);
  router.add("GET", "/metrics", &Impl::metrics_text);
  router.add("GET", v1 + "/openapi.json", &Impl::openapi);
  public_routes = {"/healthz", "/readyz", "/metrics", v1 + "/openapi.json"};
  router.add("POST", v1 + "/session", &Impl::create_session);
  router.add("GET", v1 + "/session", &Impl::get_session);
  router.add("DELETE", v1 + "/session", &Impl::delete_session);
  public_routes.push_back(v1 + "/session");  // the handlers read the cookie themselves
  router.add("GET", v1 + "/me", &Impl::me);
  router.add("GET", v1 + "/workflows", &Impl::list_workflows);
  router.add("GET", v1 + "/workflows/{name}", &Impl::get_workflow);
  router.add("GET", v1 + "/calendar/due", &Impl::calendar_due);
  router.add("GET", v1 + "/calendar/{year}", &Impl::get_calendar_year);
  // An import replaces the working calendar that every other request reads.
  router.add("PUT", v1 + "/calendar/{year}", &Impl::put_calendar_year, {.runs = Runs::alone});
  router.add("POST", v1 + "/cases", &Impl::create_case);
  router.add("GET", v1 + "/cases", &Impl::list_cases);
  router.add("GET", v1 + "/cases/{id}", &Impl::get_case);
  // An action answers once its commit group is durable, from the committing thread; with a
  // bearer token, no thread waits for it (RequestTraits::answers_without_blocking).
  router.add("POST", v1 + "/cases/{id}/actions/{action}", &Impl::act, {.answers = Answers::later});
  router.add("GET", v1 + "/cases/{id}/history", &Impl::case_history);
  router.add("GET", v1 + "/cases/{id}/clock", &Impl::case_clock);
  router.add("GET", v1 + "/users", &Impl::list_users);
  router.add("POST", v1 + "/users", &Impl::create_user);
  router.add("PATCH", v1 + "/users/{id}", &Impl::update_user);
  router.add("GET", v1 + "/users/{id}/tokens", &Impl::list_tokens);
  router.add("POST", v1 + "/users/{id}/tokens", &Impl::create_token);
  router.add("DELETE", v1 + "/users/{id}/tokens/{token_id}", &Impl::revoke_token);
  router.add("GET", v1 + "/agencies", &Impl::list_agencies);
  router.add("POST", v1 + "/agencies", &Impl::create_agency);
  router.add("GET", v1 + "/subscriptions", &Impl::list_subscriptions);
  router.add("POST", v1 + "/subscriptions", &Impl::create_subscription);
  router.add("GET", v1 + "/subscriptions/{id}", &Impl::get_subscription);
  router.add("PATCH", v1 + "/subscriptions/{id}", &Impl::update_subscription);
  router.add("DELETE", v1 + "/subscriptions/{id}", &Impl::delete_subscription);
  router.add("POST", v1 + "/subscriptions/{id}/test", &Impl::test_subscription);
  router.add("GET", v1 + "/notifications", &Impl::list_notifications);
  router.add("GET", v1 + "/notifications/{id}", &Impl::get_notification);
  router.add("POST", v1 + "/notifications/{id}/replay", &Impl::replay_notification);
  add_report_routes();
}

namespace {

// Whatever the route set aside for every answer (error or not) goes out with `response`.
void add_meta(Response& response, const Response& meta) {
  response.route = meta.route;
  response.actor = meta.actor;
  for (const auto& h : meta.headers) response.headers.push_back(h);
}

}  // namespace

Response Api::Impl::error_answer(std::exception_ptr error, const Request& request) {
  try {
    std::rethrow_exception(error);
  } catch (const ApiError& e) {
    return error_response(e.status, e.code, e.message, e.field, e.extra);
  } catch (const VersionConflict& e) {
    return error_response(409, "version_conflict", e.what(), "",
                          json::object{{"current_version", e.current}});
  } catch (const std::exception& e) {
    spdlog::error("request {}: internal error: {}", request.request_id, e.what());
  } catch (...) {
    spdlog::error("request {}: internal error", request.request_id);
  }
  return error_response(500, "internal", "internal error; see the server log", "",
                        json::object{{"request_id", request.request_id}});
}

Response Api::Impl::handle(const Request& request) {
  Response meta;
  Response response;
  try {
    response = *dispatch(request, meta, nullptr);
  } catch (...) {
    response = error_answer(std::current_exception(), request);
  }
  add_meta(response, meta);
  return response;
}

void Api::Impl::handle_async(const Request& request, Respond respond) {
  // The meta outlives this call when the answer comes later; once the route has handed its
  // answer on, nothing here touches it again.
  auto meta = std::make_shared<Response>();
  const Respond answer = [meta, respond = std::move(respond)](Response response) {
    add_meta(response, *meta);
    respond(std::move(response));
  };
  std::optional<Response> response;
  try {
    response = dispatch(request, *meta, &answer);
  } catch (...) {
    response = error_answer(std::current_exception(), request);
  }
  if (response) answer(std::move(*response));
}

Response Api::Impl::replay(const IdempotencyRecord& stored, const std::string& fingerprint) {
  if (stored.fingerprint != fingerprint)
    throw ApiError{422,
                   "idempotency_key_reused",
                   "this Idempotency-Key was used for a different request",
                   "Idempotency-Key",
                   {}};
  Response answer;
  answer.status = stored.status;
  answer.body = stored.body;
  answer.headers.emplace_back("Idempotent-Replayed", "true");
  return answer;
}

Response Api::Impl::failed_write_answer(std::exception_ptr error, const Request& request,
                                        const std::string& actor,
                                        const std::string& idempotency_key,
                                        const std::string& fingerprint) {
  try {
    std::rethrow_exception(error);
  } catch (const IdempotencyConflict&) {
    try {
      if (auto stored = store.find_idempotent(actor, idempotency_key))
        return replay(*stored, fingerprint);
    } catch (...) {
      return error_answer(std::current_exception(), request);
    }
  } catch (...) {
  }
  return error_answer(error, request);
}

std::optional<Response> Api::Impl::dispatch(const Request& request, Response& meta,
                                            const Respond* later) {
  // The server only passes HTTP tokens, but the API is also called directly: a method that is
  // not one would otherwise be echoed into the 405 message.
  if (request.method.empty() || request.method.size() > 20 ||
      !std::all_of(request.method.begin(), request.method.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
      }))
    throw ApiError{400, "invalid_method", "the request method is not an HTTP method", "", {}};
  std::vector<std::string> segments;
  std::map<std::string, std::string> query;
  parse_target(request.target, segments, query);
  auto match = router.match(request.method, segments);
  meta.route = match.pattern;
  if (!match.fn) {
    if (!match.allowed.empty()) {
      std::string allow;
      for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
      meta.headers.emplace_back("Allow", allow);
      throw ApiError{
          405, "method_not_allowed", request.method + " is not allowed here; use " + allow, "", {}};
    }
    throw ApiError{404, "not_found", "no such resource", "", {}};
  }

  // Only a route marked Answers::later may answer after returning.
  if (match.traits.answers != Answers::later) later = nullptr;
  Call call{
      request, std::move(match.params), std::move(query), {}, {}, clock.now(), "", "", {}, &meta,
      later};
  bool is_public =
      std::find(public_routes.begin(), public_routes.end(), match.pattern) != public_routes.end();
  // A case action by bearer token reads the caller, the case and what its write depends on,
  // and waits for nothing (its answer comes once committed): one snapshot, started once, for
  // all of it. (A cookie session may write its last-seen time, and must not wait in a scope.)
  const std::string token = is_public ? std::string() : bearer_token(request);
  std::optional<ReadTogether> reads_together;
  if (later && !token.empty()) reads_together.emplace(store.read_together());
  if (!is_public) {
    // Without a bearer token, the console's session cookie may authenticate (issue #7); every
    // method that can change something must then prove it came from the console's own page.
    std::optional<SessionLookup> session;
    if (token.empty()) session = cookie_session(request, call.now, meta);
    if (session) {
      if (request.method != "GET" && request.method != "HEAD")
        check_csrf(request, session->session);
      call.user = session->user;
      call.session = session->session;
    } else {
      if (token.empty()) {
        meta.headers.emplace_back("WWW-Authenticate", "Bearer");
        throw ApiError{401, "unauthenticated", "send Authorization: Bearer <token>", "", {}};
      }
      call.user = store.user_by_token(token);
      if (!call.user) {
        meta.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        throw ApiError{401, "unauthenticated", "unknown or revoked token", "", {}};
      }
    }
    call.actor = actor_of(*call.user);
    meta.actor = call.actor.id;
  }

  // Not on public routes: a sign-in's answer (its CSRF token) must never be replayed.
  if (request.method == "POST" && !is_public) {
    std::string key = request.header("Idempotency-Key");
    if (!key.empty()) {
      if (!valid_idempotency_key(key))
        throw ApiError{400,
                       "invalid_header",
                       "Idempotency-Key: 1 to 255 printable ASCII characters",
                       "Idempotency-Key",
                       {}};
      call.idempotency_key = key;
      call.fingerprint = sha256_hex(request.method + " " + request.target + "\n" + request.body);
      if (auto stored = store.find_idempotent(call.actor.id, key))
        return replay(*stored, call.fingerprint);
    }
  }

  Response response;
  try {
    response = (this->*(*match.fn))(call);
  } catch (const IdempotencyConflict&) {
    return failed_write_answer(std::current_exception(), request, call.actor.id,
                               call.idempotency_key, call.fingerprint);
  }
  if (call.answered_later) return std::nullopt;
  // Writes without a case event remember their answer here; case writes did so in their own
  // transaction already (find_idempotent then finds it).
  if (!call.idempotency_key.empty() && response.status >= 200 && response.status < 300 &&
      !store.find_idempotent(call.actor.id, call.idempotency_key)) {
    store.save_idempotent(IdempotencyRecord{call.actor.id, call.idempotency_key, call.fingerprint,
                                            response.status, response.body});
  }
  return response;
}

Response Api::Impl::healthz(Call&) {
  return json_response(200, json::object{{"status", "ok"}});
}

Response Api::Impl::readyz(Call&) {
  try {
    (void)store.agencies();
  } catch (const std::exception& e) {
    return error_response(503, "not_ready", std::string("database unavailable: ") + e.what());
  }
  return json_response(200, json::object{{"status", "ready"}});
}

Response Api::Impl::metrics_text(Call& call) {
  std::vector<std::pair<std::string, double>> gauges;
  // Every open state of every workflow appears, with 0 when empty, so alerts never see "no data".
  std::map<std::string, int64_t> open;
  for (const auto& name : engine.workflows().names())
    for (const auto& state : engine.workflows().find(name)->states)
      if (state.open) open[state.name] = 0;
  for (const auto& [state, count] : store.open_cases_by_state()) open[state] += count;
  for (const auto& [state, count] : open)
    gauges.emplace_back("disclose_open_cases{state=\"" + state + "\"}", double(count));
  gauges.emplace_back("disclose_overdue_cases", double(store.overdue_cases(call.now.today)));
  gauges.emplace_back("disclose_outbox_backlog", double(store.outbox_backlog()));
  const Store::CommitFigures commits = store.commit_figures();
  gauges.emplace_back("disclose_commits_total", double(commits.commits));
  gauges.emplace_back("disclose_committed_writes_total", double(commits.writes));
  if (options.extra_gauges) {
    for (auto& gauge : options.extra_gauges()) gauges.push_back(std::move(gauge));
  }
  Response r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = metrics.render(gauges);
  return r;
}

Response Api::Impl::openapi(Call&) {
  Response r;
  r.body = options.openapi_json;
  return r;
}

json::object me_json(const User& u) {
  return json::object{{"id", u.id},         {"name", u.name},
                      {"login", u.login},   {"role", u.role},
                      {"agency", u.agency}, {"scope", u.scope_all ? "all" : "agency"}};
}

Response Api::Impl::me(Call& call) {
  return json_response(200, me_json(*call.user));
}

Response Api::Impl::list_workflows(Call&) {
  json::array out;
  for (const auto& name : engine.workflows().names())
    out.push_back(workflow_summary(*engine.workflows().find(name)));
  return json_response(200, json::object{{"workflows", std::move(out)}});
}

Response Api::Impl::get_workflow(Call& call) {
  const Workflow* w = engine.workflows().find(call.params.at("name"));
  if (!w) throw ApiError{404, "not_found", "no such workflow", "", {}};
  return json_response(200, workflow_detail(*w));
}

Response Api::Impl::calendar_due(Call& call) {
  auto from = query_date(call, "from");
  if (!from) throw ApiError{400, "missing_query", "from: required (YYYY-MM-DD)", "from", {}};
  auto n = query_integer(call, "working_days", 0, 100000);
  if (!n) throw ApiError{400, "missing_query", "working_days: required", "working_days", {}};
  CountedDate due = engine.calendar().add_working_days(*from, static_cast<int>(*n));
  return json_response(200, json::object{{"from", from->str()},
                                         {"working_days", *n},
                                         {"due_on", due.date.str()},
                                         {"provisional", due.provisional},
                                         {"calendar_version", engine.calendar().version()}});
}

void Api::Impl::require_role(const Call& call, std::initializer_list<const char*> roles) const {
  for (const char* role : roles)
    if (call.actor.has_role(role)) return;
  throw ApiError{403, "role_not_permitted", "your role may not do this", "", {}};
}

Api::Api(Store& store, const Engine& engine, const TimeSource& clock, Metrics& metrics,
         ApiOptions options)
    : impl_(std::make_unique<Impl>(store, engine, clock, metrics, std::move(options))) {}

Api::~Api() = default;

Response Api::handle(const Request& request) {
  return impl_->handle(request);
}

Actor Api::Impl::actor_of(const User& user) {
  return Actor{"u:" + std::to_string(user.id), {user.role}, user.agency, user.scope_all};
}

bool Api::Impl::imports_calendars(const Actor& actor) {
  return actor.has_role("admin") && actor.scope_all;
}

bool Api::Impl::may_import_calendar(const Request& request) const {
  // As dispatch authenticates: a bearer token when there is one, else the session cookie.
  std::string token = bearer_token(request);
  std::optional<User> user =
      token.empty() ? session_user_for_change(request) : store.user_by_token(token);
  return user && imports_calendars(actor_of(*user));
}

RequestTraits Api::traits(const Request& request) const {
  std::vector<std::string> segments;
  std::map<std::string, std::string> query;
  try {
    parse_target(request.target, segments, query);
  } catch (const ApiError&) {
    return {};  // refused without running anything
  }
  auto match = impl_->router.match(request.method, segments);
  if (!match.fn) return {};
  RequestTraits traits;
  const bool bearer = !bearer_token(request).empty();
  // Cookie sessions may write the session's last-seen time, so they stay on a handler thread.
  traits.answers_without_blocking = match.traits.answers == Answers::later && bearer;
  // Only a caller who may import runs alone: anyone else is refused (401, 403) before the route
  // does anything, and must not hold every other request back on the way there (a stream of
  // them would stall the server). Looked up only for the rare route that runs alone.
  if (match.traits.runs == Runs::alone) {
    try {
      traits.runs_alone = impl_->may_import_calendar(request);
    } catch (...) {
      // The store could not say (it is away): not alone, and dispatch gives the answer (an
      // import that does get through refuses without the gate held alone).
      traits.runs_alone = false;
    }
  }
  return traits;
}

void Api::handle_async(const Request& request, Respond respond) {
  impl_->handle_async(request, std::move(respond));
}

std::vector<std::pair<std::string, std::string>> Api::routes() const {
  return impl_->router.list();
}

}  // namespace disclose::http
