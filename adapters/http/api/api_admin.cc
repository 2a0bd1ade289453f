// /api/v1/users, tokens and agencies. Admins manage their own agency; an admin with scope `all`
// manages every agency and creates agencies.
#include <algorithm>
#include <cctype>

#include <boost/json.hpp>

#include "auth/password_hash.h"
#include "http/api/api_impl.h"

namespace disclose::http {

namespace json = boost::json;

namespace {

json::object user_json(const User& u) {
  return json::object{{"id", u.id},
                      {"name", u.name},
                      {"login", u.login},
                      {"role", u.role},
                      {"agency", u.agency},
                      {"scope", u.scope_all ? "all" : "agency"},
                      {"active", u.active},
                      {"mobile", u.mobile},
                      {"wecom_userid", u.wecom_userid},
                      {"dingtalk_userid", u.dingtalk_userid},
                      {"feishu_user_id", u.feishu_user_id}};
}

// Mobile number and messaging ids, used for @-mentions in robot messages.
bool read_contacts(const json::object& body, User& u) {
  bool any = false;
  auto read = [&](const char* name, std::string& field) {
    if (!body.contains(name)) return;
    field = body_string(body, name, false, 100);
    any = true;
  };
  read("mobile", u.mobile);
  read("wecom_userid", u.wecom_userid);
  read("dingtalk_userid", u.dingtalk_userid);
  read("feishu_user_id", u.feishu_user_id);
  if (!u.mobile.empty() &&
      (u.mobile.size() > 20 || !std::all_of(u.mobile.begin(), u.mobile.end(), [](char c) {
         return std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-';
       })))
    throw ApiError{400, "invalid_input", "mobile: digits, '+' and '-' only", "mobile", {}};
  return any;
}

json::value instant_json(const std::optional<Instant>& at) {
  return at ? json::value(format_instant(*at, 8 * 60)) : json::value(nullptr);
}

bool is_admin_of(const Actor& actor, const std::string& agency) {
  return actor.has_role("admin") && actor.can_see(agency);
}

// The `login` member, when present: ASCII letters, digits, '.', '_' and '-', 1 to 64 of them.
std::optional<std::string> read_login(const json::object& body) {
  if (!body.contains("login")) return std::nullopt;
  std::string login = body_string(body, "login", true, 64);
  for (char c : login)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      throw ApiError{
          400, "invalid_input", "login: ASCII letters, digits, '.', '_' and '-' only", "login", {}};
  return login;
}

// The hash of the `password` member, when present; 400 naming `field` when it is unacceptable.
std::optional<std::string> read_password(const json::object& body, const char* field,
                                         const auth::ScryptCost& cost) {
  if (!body.contains(field)) return std::nullopt;
  std::string password = body_string(body, field, true, 1024);
  std::string problem = auth::password_problem(password);
  if (!problem.empty())
    throw ApiError{400, "invalid_input", std::string(field) + ": " + problem, field, {}};
  return auth::hash_password(password, cost);
}

ApiError login_taken(const LoginTaken& e) {
  return ApiError{409, "conflict", e.what(), "login", {}};
}

}  // namespace

Response Api::Impl::list_users(Call& call) {
  require_role(call, {"admin"});
  json::array out;
  for (const User& u : store.users())
    if (call.actor.can_see(u.agency)) out.push_back(user_json(u));
  return json_response(200, json::object{{"users", std::move(out)}});
}

Response Api::Impl::create_user(Call& call) {
  require_role(call, {"admin"});
  json::object body = parse_object_body(call.request);
  only_fields(body, {"name", "role", "agency", "scope", "mobile", "wecom_userid", "dingtalk_userid",
                     "feishu_user_id", "login", "password"});
  User u;
  read_contacts(body, u);
  u.login = read_login(body).value_or("");
  std::optional<std::string> password_hash = read_password(body, "password", options.password_cost);
  u.name = body_string(body, "name", true, 200);
  u.role = body_string(body, "role", true, 50);
  static const std::vector<std::string> roles = {"registrar",  "handler", "reviewer",
                                                 "supervisor", "auditor", "admin"};
  if (std::find(roles.begin(), roles.end(), u.role) == roles.end())
    throw ApiError{400,
                   "invalid_input",
                   "role: one of registrar, handler, reviewer, supervisor, auditor, admin",
                   "role",
                   {}};
  u.agency = body_string(body, "agency", true, 64);
  std::string scope = body_string(body, "scope", false, 10);
  if (!scope.empty() && scope != "all" && scope != "agency")
    throw ApiError{400, "invalid_input", "scope: \"all\" or \"agency\"", "scope", {}};
  u.scope_all = scope == "all";
  if (!call.actor.can_see(u.agency))
    throw ApiError{403, "out_of_scope", "you may only add users to your own agency", "agency", {}};
  if (u.scope_all && !call.actor.scope_all)
    throw ApiError{
        403, "out_of_scope", "only an admin with scope all may grant scope all", "scope", {}};
  if (!store.find_agency(u.agency))
    throw ApiError{400, "invalid_input", "agency: no agency '" + u.agency + "'", "agency", {}};
  User stored;
  try {
    stored = store.add_user(u);
  } catch (const LoginTaken& e) {
    throw login_taken(e);
  }
  if (password_hash) store.set_login_password(stored.id, std::nullopt, password_hash);
  IssuedToken token = store.issue_token(stored.id);
  Response r = json_response(
      201,
      json::object{{"user", user_json(stored)}, {"token_id", token.id}, {"token", token.token}});
  r.headers.emplace_back("Location", "/api/v1/users/" + std::to_string(stored.id));
  return r;
}

// Admins update users of their scope; every user may change their own password (with the
// current one), which is all a non-admin may change here.
Response Api::Impl::update_user(Call& call) {
  int64_t id = path_id(call, "id");
  bool self = call.user && call.user->id == id;
  if (!self) require_role(call, {"admin"});
  auto user = store.find_user(id);
  if (!user || !(self || call.actor.can_see(user->agency)))
    throw ApiError{404, "not_found", "no such user", "", {}};
  json::object body = parse_object_body(call.request);
  if (call.actor.has_role("admin")) {
    only_fields(body, {"active", "mobile", "wecom_userid", "dingtalk_userid", "feishu_user_id",
                       "login", "password", "current_password"});
  } else {
    only_fields(body, {"password", "current_password"});
  }
  auto active = body_bool(body, "active");
  bool contacts = read_contacts(body, *user);
  std::optional<std::string> login = read_login(body);
  std::optional<std::string> password_hash = read_password(body, "password", options.password_cost);
  if (!active && !contacts && !login && !password_hash)
    throw ApiError{400,
                   "missing_input",
                   "active: required (or login, password or a contact field)",
                   "active",
                   {}};
  if (active && user->id == call.user->id && !*active)
    throw ApiError{422, "invalid_input", "you may not deactivate yourself", "active", {}};
  if (password_hash && self) {
    // Whoever holds an open session must still know the password to change it (a user without
    // a password yet sets the first one with their token alone).
    std::optional<Credentials> stored = store.credentials(user->id);
    bool has_password = stored && !stored->password_hash.empty();
    std::string current = body_string(body, "current_password", false, 1024);
    if (has_password && current.empty())
      throw ApiError{400,
                     "missing_input",
                     "current_password: required to change your own password",
                     "current_password",
                     {}};
    // Guesses count like failed sign-ins ('#' cannot start a login, so the keys never clash).
    std::string limiter_key = "#" + std::to_string(user->id);
    auto wait = login_limiter.retry_after(limiter_key, call.now.at);
    if (has_password && wait.count() > 0)
      throw ApiError{429, "too_many_attempts", "too many wrong passwords; try again later",
                     "current_password", json::object{{"retry_after", wait.count()}}};
    if (has_password && !auth::verify_password(current, stored->password_hash)) {
      login_limiter.record_failure(limiter_key, call.now.at);
      throw ApiError{
          403, "invalid_credentials", "current_password: wrong password", "current_password", {}};
    }
  }
  if (login || password_hash) {
    try {
      store.set_login_password(user->id, login, password_hash);
    } catch (const LoginTaken& e) {
      throw login_taken(e);
    }
    if (login) user->login = *login;
  }
  if (contacts) store.set_user_contacts(*user);
  if (active) {
    store.set_user_active(user->id, *active);
    user->active = *active;
  }
  return json_response(200, user_json(*user));
}

// Admins of the user's agency, and users themselves, manage that user's tokens.
User Api::Impl::token_owner(Call& call) {
  auto user = store.find_user(path_id(call, "id"));
  bool self = user && call.user && user->id == call.user->id;
  if (!user || !(self || is_admin_of(call.actor, user->agency)))
    throw ApiError{404, "not_found", "no such user", "", {}};
  return *user;
}

Response Api::Impl::list_tokens(Call& call) {
  User owner = token_owner(call);
  json::array out;
  for (const TokenInfo& t : store.tokens(owner.id))
    out.push_back(json::object{{"id", t.id},
                               {"created_at", format_instant(t.created_at, 8 * 60)},
                               {"last_used_at", instant_json(t.last_used_at)},
                               {"revoked_at", instant_json(t.revoked_at)}});
  return json_response(200, json::object{{"tokens", std::move(out)}});
}

Response Api::Impl::create_token(Call& call) {
  User owner = token_owner(call);
  IssuedToken token = store.issue_token(owner.id);
  return json_response(201, json::object{{"id", token.id}, {"token", token.token}});
}

Response Api::Impl::revoke_token(Call& call) {
  User owner = token_owner(call);
  if (!store.revoke_token(owner.id, path_id(call, "token_id")))
    throw ApiError{404, "not_found", "no such active token", "", {}};
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Response Api::Impl::list_agencies(Call&) {
  json::array out;
  for (const Agency& a : store.agencies())
    out.push_back(json::object{{"code", a.code}, {"name", a.name}, {"short_name", a.short_name}});
  return json_response(200, json::object{{"agencies", std::move(out)}});
}

Response Api::Impl::create_agency(Call& call) {
  require_role(call, {"admin"});
  if (!call.actor.scope_all)
    throw ApiError{403, "out_of_scope", "only an admin with scope all may add agencies", "", {}};
  json::object body = parse_object_body(call.request);
  only_fields(body, {"code", "name", "short_name"});
  Agency a;
  a.code = body_string(body, "code", true, 64);
  for (char c : a.code)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
      throw ApiError{400, "invalid_input", "code: letters, digits, '_' and '-' only", "code", {}};
  a.name = body_string(body, "name", true, 200);
  a.short_name = body_string(body, "short_name", false, 100);
  if (a.short_name.empty()) a.short_name = a.code;
  if (store.find_agency(a.code))
    throw ApiError{409, "conflict", "agency '" + a.code + "' exists already", "code", {}};
  // Case numbers are YEAR-SHORT-NNNN: two agencies with one short name would collide.
  for (const Agency& other : store.agencies())
    if (other.short_name == a.short_name)
      throw ApiError{409,
                     "conflict",
                     "short_name '" + a.short_name + "' is used by agency '" + other.code + "'",
                     "short_name",
                     {}};
  store.add_agency(a);
  Response r = json_response(
      201, json::object{{"code", a.code}, {"name", a.name}, {"short_name", a.short_name}});
  r.headers.emplace_back("Location", "/api/v1/agencies/" + a.code);
  return r;
}

}  // namespace disclose::http
