// Signing in to the web console (issue #7) at handler level: POST/GET/DELETE /api/v1/session,
// the session cookie on ordinary routes with its CSRF check, the failed-login limiter, expiry
// on the API's injected clock, logins and passwords on the user routes.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "auth/password_hash.h"
#include "disclose/audit.h"
#include "disclose/store.h"
#include "disclose/time_source.h"
#include "engine_fixture.h"
#include "http/api/api.h"
#include "http/metrics.h"
#include "sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace disclose::http {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr auth::ScryptCost kCheap{10, 8, 1};
const std::string kPassword = "正确的密码 correct";

std::string header_of(const Response& r, const std::string& name) {
  for (const auto& [key, value] : r.headers)
    if (key == name) return value;
  return "";
}

json::value parse(const Response& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec) ADD_FAILURE() << "not JSON: " << r.body;
  return v;
}

std::string error_code(const Response& r) {
  json::value v = parse(r);
  if (!v.is_object() || !v.as_object().contains("error")) return "";
  return std::string(v.at("error").at("code").as_string());
}

// What a browser keeps between requests.
struct Browser {
  std::string cookie;  // the disclose_session value
  std::string csrf;
};

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_sqlite_store(SqliteOptions{(dir_ / "s.db").string()});
    ApiOptions options;
    options.password_cost = kCheap;
    api_ = std::make_unique<Api>(*store_, fixture::Harness::shared().engine(), clock_, metrics_,
                                 options);
    store_->add_agency(Agency{"zrzy", "区自然资源局", "自然资源"});
    store_->add_agency(Agency{"fgw", "区发展和改革委员会", "发改"});
    registrar_ = add("li", "registrar", "zrzy");
    fgw_registrar_ = add("wang", "registrar", "fgw");
    auditor_ = add("zhao", "auditor", "zrzy");
    admin_ = add("admin", "admin", "zrzy");
  }

  void TearDown() override {
    api_.reset();
    store_.reset();
  }

  User add(const std::string& login, const std::string& role, const std::string& agency,
           bool scope_all = false) {
    User u;
    u.name = login + " 姓名";
    u.role = role;
    u.agency = agency;
    u.scope_all = scope_all;
    u.login = login;
    User stored = store_->add_user(u);
    store_->set_login_password(stored.id, std::nullopt, auth::hash_password(kPassword, kCheap));
    tokens_[stored.id] = store_->issue_token(stored.id).token;
    return stored;
  }

  Response send(const std::string& method, const std::string& target, const std::string& body,
                std::vector<std::pair<std::string, std::string>> headers) {
    Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.request_id = "t";
    r.headers = std::move(headers);
    return api_->handle(r);
  }

  // A request from the browser: its cookie and, when `with_csrf`, its CSRF header.
  static Request from_browser(const Browser& b, const std::string& method,
                              const std::string& target, const std::string& body = "",
                              bool with_csrf = true) {
    Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.request_id = "t";
    r.headers = {{"Cookie", "theme=dark; disclose_session=" + b.cookie + "; other=1"}};
    if (with_csrf) r.headers.emplace_back("X-CSRF-Token", b.csrf);
    return r;
  }

  Response browse(const Browser& b, const std::string& method, const std::string& target,
                  const std::string& body = "", bool with_csrf = true) {
    return api_->handle(from_browser(b, method, target, body, with_csrf));
  }

  Response bearer(const User& u, const std::string& method, const std::string& target,
                  const std::string& body = "") {
    return send(method, target, body, {{"Authorization", "Bearer " + tokens_.at(u.id)}});
  }

  Response sign_in_raw(const std::string& login, const std::string& password) {
    return send("POST", "/api/v1/session",
                json::serialize(json::object{{"login", login}, {"password", password}}), {});
  }

  Browser sign_in(const std::string& login, const std::string& password = kPassword) {
    Response r = sign_in_raw(login, password);
    EXPECT_EQ(r.status, 200) << r.body;
    Browser b;
    std::string cookie = header_of(r, "Set-Cookie");
    const std::string prefix = "disclose_session=";
    if (cookie.rfind(prefix, 0) == 0)
      b.cookie = cookie.substr(prefix.size(), cookie.find(';') - prefix.size());
    if (r.status == 200) b.csrf = std::string(parse(r).at("csrf_token").as_string());
    return b;
  }

  void advance(std::chrono::seconds by) {
    Moment m = clock_.now();
    m.at += by;
    m.today = local_date(m.at, 8 * 60);
    clock_.set(m);
  }

  size_t case_count() { return store_->list_cases(CaseFilter{}).size(); }

  std::string registration(const std::string& agency = "zrzy") {
    return R"({"workflow": "gov-info-disclosure", "agency": ")" + agency +
           R"(", "channel": "online", "received_on": "2025-09-26", "receipt_evidence": "回执",
             "applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                           "id_number": "370302199001011234", "phone": "13800000000"},
             "request": {"description": "某地块征收补偿方案"}})";
  }

  fixture::TempDir dir_;
  std::unique_ptr<Store> store_;
  FixedTimeSource clock_{fixture::moment("2025-11-03")};
  Metrics metrics_;
  std::unique_ptr<Api> api_;
  std::map<int64_t, std::string> tokens_;
  User registrar_, fgw_registrar_, auditor_, admin_;
};

TEST_F(SessionTest, SignInSetsAnHttpOnlyCookieAndAnswersWithTheUser) {
  Response r = sign_in_raw("li", kPassword);
  ASSERT_EQ(r.status, 200) << r.body;
  std::string cookie = header_of(r, "Set-Cookie");
  EXPECT_EQ(cookie.rfind("disclose_session=", 0), 0u) << cookie;
  std::string value = cookie.substr(17, cookie.find(';') - 17);
  EXPECT_EQ(value.size(), 64u);  // 256 random bits
  EXPECT_NE(cookie.find("; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200"), std::string::npos)
      << cookie;
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // no TLS here
  EXPECT_EQ(header_of(r, "Cache-Control"), "no-store");
  json::object body = parse(r).as_object();
  json::object me = parse(bearer(registrar_, "GET", "/api/v1/me")).as_object();
  EXPECT_EQ(body.at("user"), me);
  EXPECT_EQ(me.at("login"), "li");
  EXPECT_EQ(body.at("csrf_token").as_string().size(), 64u);
  // Signed in at 10:00 +08:00; idle for 8 hours ends it first.
  EXPECT_EQ(body.at("expires_at"), "2025-11-03T18:00:00+08:00");
  // The database keeps the cookie's hash, never the cookie.
  EXPECT_TRUE(store_->find_session(sha256_hex(value)));
  EXPECT_FALSE(store_->find_session(value));

  // A reloaded page gets the same CSRF token back.
  Browser b{value, std::string(body.at("csrf_token").as_string())};
  Response again = browse(b, "GET", "/api/v1/session", "", false);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(parse(again).at("csrf_token"), body.at("csrf_token"));
  EXPECT_EQ(parse(again).at("user"), me);
  // Login ignores ASCII case.
  EXPECT_EQ(sign_in_raw("LI", kPassword).status, 200);
}

TEST_F(SessionTest, WrongPasswordAndUnknownLoginGetTheSameAnswer) {
  Response wrong = sign_in_raw("li", "not the password");
  Response unknown = sign_in_raw("nobody", kPassword);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(error_code(wrong), "invalid_credentials");
  EXPECT_EQ(parse(wrong).at("error").at("message"), "用户名或密码错误");
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_EQ(wrong.headers, unknown.headers);
  EXPECT_TRUE(header_of(wrong, "Set-Cookie").empty());
  // A user without a password, and a deactivated one, cannot sign in either.
  User no_password;
  no_password.name = "无密码";
  no_password.role = "handler";
  no_password.agency = "zrzy";
  no_password.login = "nopw";
  store_->add_user(no_password);
  EXPECT_EQ(sign_in_raw("nopw", "").status, 400);
  EXPECT_EQ(error_code(sign_in_raw("nopw", "whatever1")), "invalid_credentials");
  store_->set_user_active(auditor_.id, false);
  EXPECT_EQ(error_code(sign_in_raw("zhao", kPassword)), "invalid_credentials");
}

TEST_F(SessionTest, MissingFieldsAreNamed) {
  Response no_login = send("POST", "/api/v1/session", R"({"password": "x"})", {});
  EXPECT_EQ(no_login.status, 400);
  EXPECT_EQ(parse(no_login).at("error").at("field"), "login");
  Response no_password = send("POST", "/api/v1/session", R"({"login": "li"})", {});
  EXPECT_EQ(no_password.status, 400);
  EXPECT_EQ(parse(no_password).at("error").at("field"), "password");
  EXPECT_EQ(send("POST", "/api/v1/session", "not json", {}).status, 400);
  EXPECT_EQ(
      send("POST", "/api/v1/session", R"({"login": "li", "password": "x", "extra": 1})", {}).status,
      400);
}

TEST_F(SessionTest, FiveFailuresWithinFifteenMinutesLockTheLogin) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(sign_in_raw("li", "wrong password").status, 401) << i;
    advance(1min);
  }
  // Now even the right password is refused, with how long to wait.
  Response locked = sign_in_raw("Li", kPassword);
  EXPECT_EQ(locked.status, 429) << locked.body;
  EXPECT_EQ(error_code(locked), "too_many_attempts");
  // The first failure was at 10:00 and the clock is at 10:05: free again at 10:15.
  EXPECT_EQ(header_of(locked, "Retry-After"), std::to_string(10 * 60));
  // Other logins are not affected.
  EXPECT_EQ(sign_in_raw("wang", kPassword).status, 200);
  advance(10min);
  EXPECT_EQ(sign_in_raw("li", kPassword).status, 200);
  // Success starts the count again.
  for (int i = 0; i < 4; ++i) EXPECT_EQ(sign_in_raw("li", "wrong password").status, 401);
  EXPECT_EQ(sign_in_raw("li", kPassword).status, 200);
}

TEST_F(SessionTest, TheCookieAuthenticatesOrdinaryRoutes) {
  Browser b = sign_in("li");
  Response me = browse(b, "GET", "/api/v1/me", "", false);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(parse(me).at("id"), registrar_.id);
  EXPECT_EQ(me.actor, "u:" + std::to_string(registrar_.id));
  Response created = browse(b, "POST", "/api/v1/cases", registration());
  EXPECT_EQ(created.status, 201) << created.body;
  // Without anything: 401.
  EXPECT_EQ(send("GET", "/api/v1/me", "", {}).status, 401);
  // An unknown cookie is not a session.
  Browser forged{std::string(64, 'a'), b.csrf};
  Response r = browse(forged, "GET", "/api/v1/me");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(error_code(r), "unauthenticated");
}

TEST_F(SessionTest, WritesWithoutTheRightCsrfTokenAreRefusedAndDoNothing) {
  Browser b = sign_in("li");
  Response missing = browse(b, "POST", "/api/v1/cases", registration(), false);
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(error_code(missing), "csrf_failed");
  Browser wrong = b;
  wrong.csrf[0] = wrong.csrf[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(error_code(browse(wrong, "POST", "/api/v1/cases", registration())), "csrf_failed");
  Browser other = sign_in("wang");  // another session's token does not fit this one
  EXPECT_EQ(
      error_code(browse(Browser{b.cookie, other.csrf}, "POST", "/api/v1/cases", registration())),
      "csrf_failed");
  EXPECT_EQ(case_count(), 0u);
  // PATCH and DELETE are checked too.
  Browser admin = sign_in("admin");
  Response patch = browse(admin, "PATCH", "/api/v1/users/" + std::to_string(auditor_.id),
                          R"({"active": false})", false);
  EXPECT_EQ(error_code(patch), "csrf_failed");
  EXPECT_TRUE(store_->find_user(auditor_.id)->active);
  // Bearer requests need no CSRF token.
  EXPECT_EQ(bearer(registrar_, "POST", "/api/v1/cases", registration()).status, 201);
  EXPECT_EQ(case_count(), 1u);
}

TEST_F(SessionTest, CookieAndTokenSeeExactlyTheSame) {
  int64_t id =
      parse(bearer(registrar_, "POST", "/api/v1/cases", registration())).at("id").as_int64();
  std::string path = "/api/v1/cases/" + std::to_string(id);
  for (const User* u : {&registrar_, &auditor_, &fgw_registrar_}) {
    Browser b = sign_in(u->login);
    for (const std::string& target : {path, path + "/history", std::string("/api/v1/cases")}) {
      Response by_cookie = browse(b, "GET", target, "", false);
      Response by_token = bearer(*u, "GET", target);
      EXPECT_EQ(by_cookie.status, by_token.status) << u->login << " " << target;
      EXPECT_EQ(by_cookie.body, by_token.body) << u->login << " " << target;
    }
  }
  // The other agency's registrar gets 404, the auditor the masked applicant.
  Browser fgw = sign_in("wang");
  EXPECT_EQ(browse(fgw, "GET", path, "", false).status, 404);
  Browser auditor = sign_in("zhao");
  std::string seen = browse(auditor, "GET", path, "", false).body;
  EXPECT_EQ(seen.find("370302199001011234"), std::string::npos);
  EXPECT_EQ(browse(auditor, "POST", path + "/actions/submit_review", "{}").status, 403);
}

TEST_F(SessionTest, SignOutNeedsTheCsrfTokenThenEndsTheSession) {
  Browser b = sign_in("li");
  Response refused = browse(b, "DELETE", "/api/v1/session", "", false);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(error_code(refused), "csrf_failed");
  EXPECT_EQ(browse(b, "GET", "/api/v1/me", "", false).status, 200);
  Response out = browse(b, "DELETE", "/api/v1/session");
  EXPECT_EQ(out.status, 204);
  EXPECT_EQ(header_of(out, "Set-Cookie"),
            "disclose_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
  EXPECT_FALSE(store_->find_session(sha256_hex(b.cookie)));
  EXPECT_EQ(error_code(browse(b, "GET", "/api/v1/me", "", false)), "unauthenticated");
  // A browser still holding the ended session's cookie is told to drop it, by every route.
  const std::string cleared = "disclose_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict";
  Response me = browse(b, "GET", "/api/v1/me", "", false);
  EXPECT_EQ(header_of(me, "Set-Cookie"), cleared);
  Response session = browse(b, "GET", "/api/v1/session", "", false);
  EXPECT_EQ(error_code(session), "unauthenticated");
  EXPECT_EQ(header_of(session, "Set-Cookie"), cleared);
  Response again = browse(b, "DELETE", "/api/v1/session", "", false);
  EXPECT_EQ(again.status, 401);
  EXPECT_EQ(header_of(again, "Set-Cookie"), cleared);
  EXPECT_EQ(send("DELETE", "/api/v1/session", "", {}).status, 401);
}

TEST_F(SessionTest, IdleSessionsExpireAfterEightHours) {
  Browser b = sign_in("li");  // 10:00
  advance(4h);
  EXPECT_EQ(browse(b, "GET", "/api/v1/me", "", false).status, 200);
  // 21:59 is almost 12 hours after sign-in but under 8 hours after the last request.
  advance(8h - 1min);
  EXPECT_EQ(browse(b, "GET", "/api/v1/me", "", false).status, 200);
  Browser late = sign_in("wang");  // 21:59
  advance(1min);
  Response r = browse(b, "GET", "/api/v1/me", "", false);
  EXPECT_EQ(error_code(r), "session_expired");  // b: 12 hours since sign-in
  // `late` sees no request for 8 hours (until 05:59; its 12 hours would end at 09:59).
  advance(8h - 1min);
  r = browse(late, "GET", "/api/v1/me", "", false);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(error_code(r), "session_expired");
  EXPECT_EQ(header_of(r, "Set-Cookie").rfind("disclose_session=;", 0), 0u);
  // It is gone: the next request is simply not signed in.
  EXPECT_EQ(error_code(browse(late, "GET", "/api/v1/me", "", false)), "unauthenticated");
}

// A calendar import runs alone (holding every other request back) only for a session dispatch
// will let import: a district admin's, unexpired, with its CSRF token.
TEST_F(SessionTest, OnlyADistrictAdminsLiveSessionRunsACalendarImportAlone) {
  add("district", "admin", "zrzy", /*scope_all=*/true);
  Browser district = sign_in("district");
  Browser agency_admin = sign_in("admin");
  auto alone = [&](const Browser& b, bool with_csrf = true) {
    return api_->traits(from_browser(b, "PUT", "/api/v1/calendar/2026", "{}", with_csrf))
        .runs_alone;
  };
  EXPECT_TRUE(alone(district));
  EXPECT_FALSE(alone(district, /*with_csrf=*/false));
  EXPECT_FALSE(alone(agency_admin));
  EXPECT_FALSE(alone(Browser{"not-a-session", district.csrf}));
  advance(8h);
  EXPECT_FALSE(alone(district));  // idle for 8 hours: over
}

TEST_F(SessionTest, SessionsEndTwelveHoursAfterSignInWhateverTheActivity) {
  Browser b = sign_in("li");
  for (int i = 0; i < 11; ++i) {
    advance(1h);
    EXPECT_EQ(browse(b, "GET", "/api/v1/me", "", false).status, 200) << i;
  }
  Response session = browse(b, "GET", "/api/v1/session", "", false);
  EXPECT_EQ(parse(session).at("expires_at"), "2025-11-03T22:00:00+08:00");  // 10:00 + 12 h
  advance(1h);
  EXPECT_EQ(error_code(browse(b, "GET", "/api/v1/me", "", false)), "session_expired");
}

TEST_F(SessionTest, LastSeenIsWrittenAtMostOnceAMinute) {
  Browser b = sign_in("li");
  std::string hash = sha256_hex(b.cookie);
  Instant signed_in = store_->find_session(hash)->session.last_seen_at;
  advance(30s);
  EXPECT_EQ(browse(b, "GET", "/api/v1/me", "", false).status, 200);
  EXPECT_EQ(store_->find_session(hash)->session.last_seen_at, signed_in);
  advance(30s);
  EXPECT_EQ(browse(b, "GET", "/api/v1/me", "", false).status, 200);
  EXPECT_EQ(store_->find_session(hash)->session.last_seen_at, signed_in + 60s);
}

TEST_F(SessionTest, AnAdminSettingAPasswordEndsTheUsersSessions) {
  Browser li = sign_in("li");
  Browser admin = sign_in("admin");
  std::string path = "/api/v1/users/" + std::to_string(registrar_.id);
  Response short_one = browse(admin, "PATCH", path, R"({"password": "short"})");
  EXPECT_EQ(short_one.status, 400);
  EXPECT_EQ(parse(short_one).at("error").at("field"), "password");
  EXPECT_EQ(browse(li, "GET", "/api/v1/me", "", false).status, 200);
  Response set = browse(admin, "PATCH", path, R"({"password": "a brand new one"})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(parse(set).at("login"), "li");
  EXPECT_EQ(error_code(browse(li, "GET", "/api/v1/me", "", false)), "unauthenticated");
  EXPECT_EQ(error_code(sign_in_raw("li", kPassword)), "invalid_credentials");
  EXPECT_EQ(sign_in_raw("li", "a brand new one").status, 200);
  // The admin's own session was not touched.
  EXPECT_EQ(browse(admin, "GET", "/api/v1/me", "", false).status, 200);
  // Another agency's admin cannot reach the user at all.
  User fgw_admin = add("fgwadmin", "admin", "fgw");
  EXPECT_EQ(bearer(fgw_admin, "PATCH", path, R"({"password": "taken over!"})").status, 404);
}

TEST_F(SessionTest, UsersChangeTheirOwnPasswordWithTheCurrentOne) {
  Browser b = sign_in("li");
  std::string path = "/api/v1/users/" + std::to_string(registrar_.id);
  Response missing = browse(b, "PATCH", path, R"({"password": "my new password"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(parse(missing).at("error").at("field"), "current_password");
  Response wrong = browse(b, "PATCH", path,
                          R"({"password": "my new password", "current_password": "guess123"})");
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(parse(wrong).at("error").at("field"), "current_password");
  // A non-admin may change nothing else, and nobody else's password.
  EXPECT_EQ(browse(b, "PATCH", path, R"({"active": false})").status, 400);
  EXPECT_EQ(browse(b, "PATCH", "/api/v1/users/" + std::to_string(auditor_.id),
                   R"({"password": "my new password"})")
                .status,
            403);
  json::object change{{"password", "my new password"}, {"current_password", kPassword}};
  Response ok = browse(b, "PATCH", path, json::serialize(change));
  ASSERT_EQ(ok.status, 200) << ok.body;
  // Every session of the user ends, this one included: sign in again with the new password.
  EXPECT_EQ(error_code(browse(b, "GET", "/api/v1/me", "", false)), "unauthenticated");
  EXPECT_EQ(sign_in_raw("li", "my new password").status, 200);
}

TEST_F(SessionTest, LoginsOnTheUserRoutes) {
  json::object body{{"name", "新人"},
                    {"role", "handler"},
                    {"agency", "zrzy"},
                    {"login", "new.person-1"},
                    {"password", "初始密码12345"}};
  Response created = bearer(admin_, "POST", "/api/v1/users", json::serialize(body));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(parse(created).at("user").at("login"), "new.person-1");
  EXPECT_EQ(sign_in_raw("new.person-1", "初始密码12345").status, 200);
  // Taken (ignoring case), malformed, too short.
  body["login"] = "LI";
  Response taken = bearer(admin_, "POST", "/api/v1/users", json::serialize(body));
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(parse(taken).at("error").at("field"), "login");
  body["login"] = "有空格 的";
  EXPECT_EQ(
      parse(bearer(admin_, "POST", "/api/v1/users", json::serialize(body))).at("error").at("field"),
      "login");
  body["login"] = "fine";
  body["password"] = "short";
  EXPECT_EQ(
      parse(bearer(admin_, "POST", "/api/v1/users", json::serialize(body))).at("error").at("field"),
      "password");
  EXPECT_EQ(store_->users().size(), 5u);  // nothing was created by the refused requests
  // Renaming through PATCH; the list shows logins.
  std::string path = "/api/v1/users/" + std::to_string(auditor_.id);
  EXPECT_EQ(bearer(admin_, "PATCH", path, R"({"login": "li"})").status, 409);
  Response renamed = bearer(admin_, "PATCH", path, R"({"login": "zhao.auditor"})");
  EXPECT_EQ(parse(renamed).at("login"), "zhao.auditor");
  EXPECT_NE(bearer(admin_, "GET", "/api/v1/users").body.find("\"login\":\"zhao.auditor\""),
            std::string::npos);
}

TEST_F(SessionTest, SignInIsNeverRememberedUnderAnIdempotencyKey) {
  std::string body = json::serialize(json::object{{"login", "li"}, {"password", kPassword}});
  Response first = send("POST", "/api/v1/session", body, {{"Idempotency-Key", "k"}});
  Response second = send("POST", "/api/v1/session", body, {{"Idempotency-Key", "k"}});
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(second.status, 200);
  EXPECT_NE(parse(first).at("csrf_token"), parse(second).at("csrf_token"));
  EXPECT_TRUE(header_of(second, "Idempotent-Replayed").empty());
}

}  // namespace
}  // namespace disclose::http
