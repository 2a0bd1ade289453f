// Judging one delivery attempt: delivered, try again (and when), or dead.
//
// HTTP first: 2xx is success for a plain webhook; 408, 429, 5xx and 1xx are worth retrying,
// honouring Retry-After; other 4xx and 3xx (redirects are not followed: a webhook URL that
// moved is a configuration to fix) are permanent. The robots answer HTTP 200 and put the verdict
// in the body, so their codes are read here. Codes and their sources:
//
// 企业微信 group robot ("errcode"):
//   45009  接口调用超过限制 (rate limit; a robot may post 20 messages a minute) → retry in 60 s.
//          Global error codes, https://developer.work.weixin.qq.com/document/path/90455; seen in
//          the wild per https://jishuzhan.net/article/2012338890507075586
//   93000  invalid webhook url (wrong or deleted key) → dead. Responses quoted in
//          https://github.com/wes-lin/Cloud189Checkin/issues/175 and
//          https://github.com/qd-today/qd/issues/586
// 钉钉 custom robot ("errcode"):
//   130101 send too fast → retry in 10 min: a robot posts at most 20 messages a minute and is
//          throttled for 10 minutes beyond that (the robot guide, as quoted in
//          https://juejin.cn/post/7129698690297495583 and
//          https://blog.csdn.net/lxw1844912514/article/details/125780346).
//   410100 the newer code for the same throttle (recalled from DingTalk's robot error table; not
//          found in the sources searched, harmless: unknown codes are retried anyway).
//   90030  webhook over limit → retry (http://39.107.221.112/ask/595588).
//   310000 sign not match / keywords not in content / ip not in whitelist → dead.
//          https://blog.gitcode.com/d6b56fabc42589ea8551ec8368b4b1ca.html,
//          https://blog.csdn.net/juziaixiao/article/details/106617045
//   300001 token is not exist → dead. https://github.com/sdvdxl/falcon-message/issues/7,
//          https://github.com/timonwong/prometheus-webhook-dingtalk/issues/91
//   300005 token is not exist (robot of an external group) → dead.
//          https://github.com/timonwong/prometheus-webhook-dingtalk/issues/226
//   A throttled DingTalk robot is also reported to answer 302 for the 10 minutes
//   (https://m.elefans.com/dongtai/1725725310a1038879.html), so a 3xx from DingTalk is retried
//   in 10 min rather than sent to the dead letters like other redirects: reminders go out in
//   morning bursts, exactly when the throttle bites.
// 飞书 custom bot ("code"; older responses "StatusCode"):
//   11232  rate limited under system load → retry. Custom bot guide,
//          https://open.larkoffice.com/document/ukTMukTMukTM/ucTM5YjL3ETO24yNxkjN
//          (limit 100/min and 5/s per bot).
//   9499   "Bad Request", also reported as "too many request" → retry (it is ambiguous, and a
//          retry is what an unknown code gets anyway). Example response in
//          https://www.volcengine.com/docs/6731/1283248
//   19021  sign match fail or timestamp is not within one hour → dead.
//          https://github.com/feiyu563/PrometheusAlert/issues/422,
//          https://blog.csdn.net/zhanglili1993/article/details/136473704
//   19022  Ip Not Allowed → dead (recalled from the custom bot guide's error table).
//   19024  Key Words Not Found → dead (the guide's keyword security setting; the response is
//          quoted in several public client test suites).
//   19001  param invalid: incoming webhook access token invalid → dead (recalled; a deleted bot).
// Any other non-zero code is retried: a code we do not know may well be transient, and the
// retry policy gives up after about three days anyway.
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <string_view>

#include "disclose/notification.h"

namespace disclose {
namespace {
namespace json = boost::json;
using std::chrono::seconds;

enum class CodeClass { ok, rate_limited, permanent, unknown };

struct RobotCode {
  long long code = 0;
  CodeClass kind = CodeClass::unknown;
  std::optional<seconds> wait;  // how long the robot's own throttle lasts, when documented
};

RobotCode classify_code(SubscriptionKind kind, long long code) {
  RobotCode out{code, CodeClass::unknown, std::nullopt};
  if (code == 0) {
    out.kind = CodeClass::ok;
    return out;
  }
  auto is = [code](std::initializer_list<long long> codes) {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
  };
  switch (kind) {
    case SubscriptionKind::wecom:
      if (is({45009})) out = {code, CodeClass::rate_limited, seconds{60}};
      if (is({93000})) out.kind = CodeClass::permanent;
      break;
    case SubscriptionKind::dingtalk:
      if (is({130101, 410100})) out = {code, CodeClass::rate_limited, seconds{600}};
      if (is({90030})) out.kind = CodeClass::rate_limited;
      if (is({310000, 300001, 300005})) out.kind = CodeClass::permanent;
      break;
    case SubscriptionKind::feishu:
      if (is({11232, 9499})) out.kind = CodeClass::rate_limited;
      if (is({19001, 19021, 19022, 19024})) out.kind = CodeClass::permanent;
      break;
    case SubscriptionKind::webhook:
      break;
  }
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// At most `limit` bytes, cut on a UTF-8 character boundary (errmsg may be Chinese).
std::string clip(std::string_view text, size_t limit) {
  if (text.size() <= limit) return std::string(text);
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "…";
}

// The robot's message, without WeCom's request hint and caller IP (noise in last_error).
std::string short_message(std::string_view message) {
  if (auto hint = message.find(", hint:"); hint != std::string_view::npos) {
    message = message.substr(0, hint);
  }
  return clip(trim(message), 160);
}

std::optional<long long> code_field(const json::object& body, std::string_view key) {
  auto it = body.find(key);
  if (it == body.end()) return std::nullopt;
  if (it->value().is_int64()) return it->value().get_int64();
  if (it->value().is_uint64()) return static_cast<long long>(it->value().get_uint64());
  return std::nullopt;
}

std::string text_field(const json::object& body, std::string_view key) {
  auto it = body.find(key);
  if (it == body.end() || !it->value().is_string()) return {};
  return std::string(it->value().get_string());
}

struct RobotReply {
  long long code = 0;
  std::string label;  // "errcode" or "code", as the robot calls it
  std::string message;
};

std::optional<RobotReply> parse_robot_reply(SubscriptionKind kind, const std::string& body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const json::object& o = parsed.get_object();
  if (kind == SubscriptionKind::feishu) {
    if (auto code = code_field(o, "code")) return RobotReply{*code, "code", text_field(o, "msg")};
    if (auto code = code_field(o, "StatusCode")) {
      return RobotReply{*code, "StatusCode", text_field(o, "StatusMessage")};
    }
    return std::nullopt;
  }
  if (auto code = code_field(o, "errcode")) {
    return RobotReply{*code, "errcode", text_field(o, "errmsg")};
  }
  return std::nullopt;
}

std::string describe(const RobotReply& reply) {
  std::string out = reply.label + " " + std::to_string(reply.code);
  std::string message = short_message(reply.message);
  if (!message.empty()) out += ": " + message;
  return out;
}

int month_index(std::string_view name) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (kMonths[i] == name) return i + 1;
  }
  return 0;
}

bool read_number(std::string_view text, int& out) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  return result.ec == std::errc{};
}

// IMF-fixdate, the HTTP-date form senders must generate (RFC 9110 §5.6.7):
// "Sun, 06 Nov 1994 08:49:37 GMT". The obsolete RFC 850 and asctime forms are not accepted.
std::optional<Instant> parse_imf_fixdate(std::string_view text) {
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  int month = month_index(text.substr(8, 3));
  if (month == 0 || !read_number(text.substr(5, 2), day) ||
      !read_number(text.substr(12, 4), year) || !read_number(text.substr(17, 2), hour) ||
      !read_number(text.substr(20, 2), minute) || !read_number(text.substr(23, 2), second) ||
      hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  Date date;
  try {
    date = Date::from_ymd(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
  return Instant{
      seconds{static_cast<long long>(date.days()) * 86400 + hour * 3600 + minute * 60 + second}};
}

// Retry-After as delta-seconds or an HTTP-date relative to `now`; nullopt when absent or
// malformed (the backoff then decides alone). A date in the past means "now": zero.
std::optional<seconds> parse_retry_after(std::string_view header, Instant now) {
  header = trim(header);
  if (header.empty()) return std::nullopt;
  if (std::all_of(header.begin(), header.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    long long value = 0;
    auto result = std::from_chars(header.data(), header.data() + header.size(), value);
    // An absurdly long number still means "much later than we are willing to wait".
    if (result.ec == std::errc::result_out_of_range) value = 100LL * 365 * 86400;
    return seconds{value};
  }
  if (auto at = parse_imf_fixdate(header)) return std::max(seconds{0}, *at - now);
  return std::nullopt;
}

}  // namespace

DeliveryOutcome classify_response(SubscriptionKind kind, int http_status,
                                  const std::string& retry_after_header, const std::string& body,
                                  Instant now) {
  DeliveryOutcome out;
  std::string http = "HTTP " + std::to_string(http_status);
  bool robot = kind != SubscriptionKind::webhook;

  if (http_status >= 200 && http_status <= 299) {
    if (!robot) {
      out.verdict = DeliveryVerdict::delivered;
      out.detail = http;
      return out;
    }
    auto reply = parse_robot_reply(kind, body);
    if (!reply) {
      // A robot always answers with its code; anything else (a proxy's page, an empty body)
      // is no proof that the group saw the message.
      out.verdict = DeliveryVerdict::retry;
      out.detail = http + " without a robot status code";
      return out;
    }
    RobotCode code = classify_code(kind, reply->code);
    out.detail = describe(*reply);
    switch (code.kind) {
      case CodeClass::ok:
        out.verdict = DeliveryVerdict::delivered;
        break;
      case CodeClass::permanent:
        out.verdict = DeliveryVerdict::dead;
        break;
      case CodeClass::rate_limited:
      case CodeClass::unknown:
        out.verdict = DeliveryVerdict::retry;
        out.retry_after = parse_retry_after(retry_after_header, now);
        if (!out.retry_after) out.retry_after = code.wait;
        break;
    }
    return out;
  }

  out.detail = http;
  if (http_status >= 300 && http_status <= 399) {
    if (kind == SubscriptionKind::dingtalk) {
      out.verdict = DeliveryVerdict::retry;
      out.retry_after = seconds{600};
      out.detail += " (DingTalk throttling redirect)";
    } else {
      out.verdict = DeliveryVerdict::dead;
      out.detail += " (redirects are not followed)";
    }
    return out;
  }
  bool transient = (http_status >= 100 && http_status <= 199) || http_status == 408 ||
                   http_status == 429 || (http_status >= 500 && http_status <= 599);
  if (http_status >= 400 && http_status <= 499 && !transient) {
    out.verdict = DeliveryVerdict::dead;
    // Some robots send their throttle codes with a 4xx; a rate limit stays worth retrying.
    if (robot) {
      if (auto reply = parse_robot_reply(kind, body)) {
        out.detail += ", " + describe(*reply);
        RobotCode code = classify_code(kind, reply->code);
        if (code.kind == CodeClass::rate_limited) {
          out.verdict = DeliveryVerdict::retry;
          out.retry_after = parse_retry_after(retry_after_header, now);
          if (!out.retry_after) out.retry_after = code.wait;
        }
      }
    }
    return out;
  }
  // 1xx as a final answer, 408, 429, 5xx, and statuses outside the standard range (a broken
  // intermediary) are all worth another try.
  out.verdict = DeliveryVerdict::retry;
  out.retry_after = parse_retry_after(retry_after_header, now);
  return out;
}

}  // namespace disclose
