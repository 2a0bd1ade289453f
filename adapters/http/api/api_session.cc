// /api/v1/session: staff sign in to the web console with login and password (issue #7).
//
// A session is a random 256-bit cookie value (HttpOnly, SameSite=Strict) of which the store
// keeps only the sha256, plus a CSRF token the page reads from the JSON answer and sends back
// as X-CSRF-Token on every request that can change something. Sessions end 8 hours after the
// last request or 12 hours after sign-in, whichever comes first, measured on the API's clock.
#include <openssl/crypto.h>

#include <boost/json.hpp>
#include <chrono>
#include <mutex>

#include "auth/password_hash.h"
#include "auth/random_token.h"
#include "disclose/audit.h"
#include "http/api/api_impl.h"

namespace disclose::http {

namespace json = boost::json;

namespace {

constexpr const char* kCookieName = "disclose_session";
constexpr std::chrono::hours kIdleLimit{8};
constexpr std::chrono::hours kAbsoluteLimit{12};
// last_seen_at is written at most this often, so reading pages does not write on every request.
constexpr std::chrono::minutes kTouchInterval{1};

// The value of cookie `name` in the Cookie header, or "".
std::string cookie_value(const Request& request, std::string_view name) {
  std::string storage = request.header("Cookie");
  std::string_view header = storage;
  while (!header.empty()) {
    size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
    std::string_view value = pair.substr(eq + 1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    return std::string(value);
  }
  return "";
}

std::string session_cookie(const std::string& value, bool secure) {
  return std::string(kCookieName) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
         std::to_string(std::chrono::seconds(kAbsoluteLimit).count()) + (secure ? "; Secure" : "");
}

std::string clearing_cookie(bool secure) {
  return std::string(kCookieName) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "");
}

// When the session ends if nothing more happens: idle limit or absolute end, the earlier.
Instant ends_at(const SessionRecord& s) {
  return std::min(s.last_seen_at + kIdleLimit, s.expires_at);
}

bool expired(const SessionRecord& s, Instant now) {
  return now >= ends_at(s);
}

// The body of POST and GET /session.
Response session_response(const User& user, const SessionRecord& s) {
  Response r = json_response(200, json::object{{"user", me_json(user)},
                                               {"csrf_token", s.csrf_token},
                                               {"expires_at", format_instant(ends_at(s), 8 * 60)}});
  // The CSRF token must not sit in a shared cache.
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

bool same_secret(const std::string& given, const std::string& expected) {
  return given.size() == expected.size() && !expected.empty() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

}  // namespace

bool Api::Impl::has_session_cookie(const Request& request) {
  return !cookie_value(request, kCookieName).empty();
}

std::optional<SessionLookup> Api::Impl::stored_session(const Request& request,
                                                       std::string& hash) const {
  std::string value = cookie_value(request, kCookieName);
  if (value.empty()) {
    hash.clear();
    return std::nullopt;
  }
  hash = sha256_hex(value);
  return store.find_session(hash);
}

bool Api::Impl::carries_csrf(const Request& request, const SessionRecord& session) {
  return same_secret(request.header("X-CSRF-Token"), session.csrf_token);
}

std::optional<SessionLookup> Api::Impl::cookie_session(const Request& request, const Moment& now,
                                                       Response& meta) {
  std::string hash;
  std::optional<SessionLookup> found = stored_session(request, hash);
  if (hash.empty()) return std::nullopt;
  if (!found) {
    meta.headers.emplace_back("Set-Cookie", clearing_cookie(options.secure_cookies));
    throw ApiError{
        401, "unauthenticated", "not signed in (the session is unknown or ended)", "", {}};
  }
  if (expired(found->session, now.at)) {
    store.delete_session(hash);
    meta.headers.emplace_back("Set-Cookie", clearing_cookie(options.secure_cookies));
    throw ApiError{401, "session_expired", "the session has expired; sign in again", "", {}};
  }
  if (now.at - found->session.last_seen_at >= kTouchInterval) {
    store.touch_session(found->session.id, now.at);
    found->session.last_seen_at = now.at;
  }
  meta.actor = "u:" + std::to_string(found->user.id);
  return found;
}

std::optional<User> Api::Impl::session_user_for_change(const Request& request) const {
  std::string hash;
  std::optional<SessionLookup> found = stored_session(request, hash);
  if (!found || expired(found->session, clock.now().at) || !carries_csrf(request, found->session))
    return std::nullopt;
  return found->user;
}

void Api::Impl::check_csrf(const Request& request, const SessionRecord& session) {
  if (!carries_csrf(request, session))
    throw ApiError{403,
                   "csrf_failed",
                   "X-CSRF-Token missing or wrong: send the csrf_token of your session",
                   "",
                   {}};
}

Response Api::Impl::create_session(Call& call) {
  json::object body = parse_object_body(call.request);
  only_fields(body, {"login", "password"});
  std::string login = body_string(body, "login", true, 64);
  std::string password = body_string(body, "password", true, 1024);

  auto wait = login_limiter.retry_after(login, call.now.at);
  if (wait.count() > 0) {
    Response r = error_response(429, "too_many_attempts",
                                "too many failed sign-ins for this login; try again in " +
                                    std::to_string((wait.count() + 59) / 60) + " minute(s)");
    r.headers.emplace_back("Retry-After", std::to_string(wait.count()));
    return r;
  }

  std::optional<Credentials> found = store.credentials_by_login(login);
  bool usable = found && found->user.active && !found->password_hash.empty();
  bool ok;
  if (usable) {
    ok = auth::verify_password(password, found->password_hash);
  } else {
    // Spend the same work as a real check, so the answer's timing does not tell which logins
    // exist.
    static std::once_flag once;
    static std::string dummy;
    std::call_once(
        once, [this] { dummy = auth::hash_password("not a password", options.password_cost); });
    auth::verify_password(password, dummy);
    ok = false;
  }
  if (!ok) {
    login_limiter.record_failure(login, call.now.at);
    return error_response(401, "invalid_credentials", "用户名或密码错误");
  }
  login_limiter.reset(login);

  // Signing in is a good moment to clear out sessions that ended.
  store.purge_sessions(call.now.at, call.now.at - kIdleLimit);
  SessionRecord s;
  s.user_id = found->user.id;
  s.csrf_token = auth::random_hex(32);
  s.created_at = call.now.at;
  s.last_seen_at = call.now.at;
  s.expires_at = call.now.at + kAbsoluteLimit;
  std::string value = auth::random_hex(32);
  s = store.create_session(sha256_hex(value), s);
  Response r = session_response(found->user, s);
  r.headers.emplace_back("Set-Cookie", session_cookie(value, options.secure_cookies));
  return r;
}

Response Api::Impl::get_session(Call& call) {
  std::optional<SessionLookup> found = cookie_session(call.request, call.now, *call.meta);
  if (!found) throw ApiError{401, "unauthenticated", "not signed in", "", {}};
  Response r = session_response(found->user, found->session);
  return r;
}

Response Api::Impl::delete_session(Call& call) {
  std::optional<SessionLookup> found = cookie_session(call.request, call.now, *call.meta);
  if (!found) throw ApiError{401, "unauthenticated", "not signed in", "", {}};
  check_csrf(call.request, found->session);
  store.delete_session(sha256_hex(cookie_value(call.request, kCookieName)));
  Response r;
  r.status = 204;
  r.content_type.clear();
  r.headers.emplace_back("Set-Cookie", clearing_cookie(options.secure_cookies));
  return r;
}

}  // namespace disclose::http
