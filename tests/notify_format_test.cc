// Notifications to staff: signatures checked the way each receiver checks them, the robots'
// request bodies, the Chinese message text, response classification and the retry schedule.
#include "disclose/notification.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "notify/signing.h"

namespace disclose {
namespace {
namespace json = boost::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Instant T(const char* text) {
  return *parse_instant(text);
}

// --- what a receiver does, written independently of the library (OpenSSL's HMAC() and
// EVP_EncodeBlock/EVP_DecodeBlock) --------------------------------------------------------

std::string receiver_b64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string receiver_b64_decode(const std::string& text) {
  std::string out(text.size(), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  EXPECT_GE(n, 0);
  size_t padding = static_cast<size_t>(std::count(text.end() - 2, text.end(), '='));
  out.resize(static_cast<size_t>(n) - padding);  // EVP_DecodeBlock counts padding as zeros
  return out;
}

std::string receiver_hmac_b64(const std::string& key, const std::string& message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &size);
  return receiver_b64(std::string(reinterpret_cast<const char*>(digest), size));
}

std::string url_decode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string query_param(const std::string& url, const std::string& name) {
  size_t q = url.find('?');
  if (q == std::string::npos) return {};
  std::string query = url.substr(q + 1);
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t end = query.find('&', pos);
    if (end == std::string::npos) end = query.size();
    std::string pair = query.substr(pos, end - pos);
    if (pair.starts_with(name + "=")) return pair.substr(name.size() + 1);
    pos = end + 1;
  }
  return {};
}

std::string header(const OutgoingRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return {};
}

bool has_header(const OutgoingRequest& request, const std::string& name) {
  return std::any_of(request.headers.begin(), request.headers.end(),
                     [&](const auto& h) { return h.first == name; });
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// --- fixtures -------------------------------------------------------------------------------

Notification overdue() {
  Notification n;
  n.type = "reminder.overdue";
  n.timestamp = T("2025-04-02T01:00:00Z");
  n.data = json::parse(R"({
    "case": {"id": 42, "number": "2025-自然资源-0042", "state": "processing",
             "state_label": "办理中", "agency": "zrzy", "agency_name": "市自然资源局"},
    "deadline": {"kind": "reply", "label": "答复期限", "due_on": "2025-04-01",
                 "remaining_wd": -2, "status": "missed", "epoch": 1, "offset_wd": 0},
    "recipients": [
      {"user_id": 7, "name": "张三", "role": "handler", "mobile": "13800000001",
       "wecom_userid": "zhangsan", "dingtalk_userid": "ding_zs", "feishu_user_id": "ou_zs"},
      {"user_id": 8, "name": "李四", "role": "supervisor", "mobile": "13800000002",
       "wecom_userid": "lisi", "dingtalk_userid": "", "feishu_user_id": "ou_ls"}],
    "link": "https://disclose.example.gov.cn/cases/42"
  })")
               .as_object();
  return n;
}

Subscription subscription(SubscriptionKind kind, std::string url, std::string secret) {
  Subscription s;
  s.id = 1;
  s.kind = kind;
  s.url = std::move(url);
  s.secret = std::move(secret);
  return s;
}

// --- signing --------------------------------------------------------------------------------

TEST(NotifySigning, StandardWebhookWithWhsecKeyVerifiesAsTheReceiverChecksIt) {
  std::string key_bytes = std::string("\x00\x01\xfe\xff key bytes", 14);
  std::string secret = "whsec_" + receiver_b64(key_bytes);
  std::string body = R"({"type":"reminder.overdue"})";
  std::string signature = standard_webhook_signature(secret, "msg_42", 1700000000, body);
  ASSERT_TRUE(signature.starts_with("v1,"));
  // The receiver decodes the part after "whsec_" and signs "id.timestamp.body".
  std::string receiver_key = receiver_b64_decode(secret.substr(6));
  ASSERT_EQ(receiver_key, key_bytes);
  EXPECT_EQ(signature.substr(3), receiver_hmac_b64(receiver_key, "msg_42.1700000000." + body));
  // Keying with the literal secret text would be a different (wrong) signature.
  EXPECT_NE(signature.substr(3), receiver_hmac_b64(secret, "msg_42.1700000000." + body));
}

TEST(NotifySigning, StandardWebhookWithPlainSecretUsesItsBytes) {
  std::string signature = standard_webhook_signature("plain-secret", "msg_1", 1700000000, "{}");
  EXPECT_EQ(signature, "v1," + receiver_hmac_b64("plain-secret", "msg_1.1700000000.{}"));
}

TEST(NotifySigning, FixedVectorsFromTheOpensslCommandLine) {
  // Derived once, independently of this code base:
  //   printf 'msg_1.1700000000.{"a":1}' | openssl dgst -sha256 -hmac 'plain-secret' -binary |
  //   base64
  EXPECT_EQ(standard_webhook_signature("plain-secret", "msg_1", 1700000000, R"({"a":1})"),
            "v1,PQ8G/5vQE995TQFlpC2YXRDs2RbuscvSWFk9pfKhuhc=");
  //   printf '1700000000000\nSECtest' | openssl dgst -sha256 -hmac SECtest -binary | base64
  EXPECT_EQ(dingtalk_sign("SECtest", 1700000000000),
            "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g=");
  //   printf '' | openssl dgst -sha256 -hmac "$(printf '1700000000\nfeishu-secret')" -binary |
  //   base64
  EXPECT_EQ(feishu_sign("feishu-secret", 1700000000),
            "OrBzY1Y01Gq+HgJsl+7OfWcMVwc7YocohQm5iiZwjhU=");
}

TEST(NotifySigning, DingTalkAndFeishuSignDifferentlyFromTheSameText) {
  const std::string secret = "SEC0123456789abcdef";
  EXPECT_EQ(dingtalk_sign(secret, 1743555600000),
            receiver_hmac_b64(secret, "1743555600000\n" + secret));
  EXPECT_EQ(feishu_sign(secret, 1743555600), receiver_hmac_b64("1743555600\n" + secret, ""));
  EXPECT_NE(feishu_sign(secret, 1743555600), receiver_hmac_b64(secret, "1743555600\n" + secret));
}

TEST(NotifySigning, Base64AndUrlEncoding) {
  // RFC 4648 §10 test vectors.
  const std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                    {"f", "Zg=="},
                                                                    {"fo", "Zm8="},
                                                                    {"foo", "Zm9v"},
                                                                    {"foob", "Zm9vYg=="},
                                                                    {"fooba", "Zm9vYmE="},
                                                                    {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(notify::base64_encode(plain), encoded);
    EXPECT_EQ(notify::base64_decode(encoded), plain);
  }
  EXPECT_EQ(notify::base64_decode("Zm8"), "fo");  // padding may be left off
  EXPECT_EQ(notify::base64_decode("Zm9v!"), std::nullopt);
  EXPECT_EQ(notify::base64_decode("Zg=a"), std::nullopt);
  EXPECT_EQ(notify::url_encode("a+b/c=d-_.~ 中"), "a%2Bb%2Fc%3Dd-_.~%20%E4%B8%AD");
}

// --- rendering ------------------------------------------------------------------------------

TEST(NotifyRender, WebhookHeadersAndSignatureVerify) {
  std::string key = "0123456789abcdef0123456789abcdef";
  auto sub = subscription(SubscriptionKind::webhook, "https://hooks.example/in",
                          "whsec_" + receiver_b64(key));
  Instant now = T("2025-04-02T01:00:05Z");
  OutgoingRequest request = render_request(sub, overdue(), "ntf_123", now);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "https://hooks.example/in");
  EXPECT_EQ(header(request, "content-type"), "application/json");
  EXPECT_EQ(header(request, "webhook-id"), "ntf_123");
  std::string ts = std::to_string(now.time_since_epoch().count());
  EXPECT_EQ(header(request, "webhook-timestamp"), ts);
  EXPECT_EQ(header(request, "webhook-signature"),
            "v1," + receiver_hmac_b64(key, "ntf_123." + ts + "." + request.body));

  json::object body = json::parse(request.body).as_object();
  EXPECT_EQ(body.at("type"), "reminder.overdue");
  EXPECT_EQ(body.at("timestamp"), "2025-04-02T01:00:00Z");  // the event's time, not the send time
  EXPECT_EQ(body.at("data").at("case").at("number"), "2025-自然资源-0042");
  EXPECT_EQ(body.at("data").at("deadline").at("remaining_wd"), -2);
  EXPECT_TRUE(request.body.starts_with(R"({"type":"reminder.overdue","timestamp":)"));
}

TEST(NotifyRender, WebhookBodyIsTheSameBytesAtEveryAttempt) {
  auto sub = subscription(SubscriptionKind::webhook, "https://hooks.example/in", "s3cret");
  OutgoingRequest first = render_request(sub, overdue(), "ntf_1", T("2025-04-02T01:00:05Z"));
  OutgoingRequest later = render_request(sub, overdue(), "ntf_1", T("2025-04-02T03:17:44Z"));
  EXPECT_EQ(first.body, later.body);
  EXPECT_EQ(first.url, later.url);
  ASSERT_EQ(first.headers.size(), later.headers.size());
  for (size_t i = 0; i < first.headers.size(); ++i) {
    EXPECT_EQ(first.headers[i].first, later.headers[i].first);
    bool per_attempt = first.headers[i].first == "webhook-timestamp" ||
                       first.headers[i].first == "webhook-signature";
    if (per_attempt) {
      EXPECT_NE(first.headers[i].second, later.headers[i].second) << first.headers[i].first;
    } else {
      EXPECT_EQ(first.headers[i].second, later.headers[i].second) << first.headers[i].first;
    }
  }

  // The same content stored with its keys in another order still renders the same bytes.
  Notification reordered = overdue();
  json::object data;
  data["link"] = reordered.data.at("link");
  data["recipients"] = reordered.data.at("recipients");
  json::object deadline;
  for (auto it = reordered.data.at("deadline").as_object().end();
       it != reordered.data.at("deadline").as_object().begin();) {
    --it;
    deadline[it->key()] = it->value();
  }
  data["deadline"] = deadline;
  data["case"] = reordered.data.at("case");
  reordered.data = data;
  EXPECT_EQ(render_request(sub, reordered, "ntf_1", T("2025-04-02T01:00:05Z")).body, first.body);
}

TEST(NotifyRender, WebhookWithoutSecretIsUnsigned) {
  auto sub = subscription(SubscriptionKind::webhook, "https://hooks.example/in", "");
  OutgoingRequest request = render_request(sub, overdue(), "ntf_1", T("2025-04-02T01:00:05Z"));
  EXPECT_FALSE(has_header(request, "webhook-signature"));
  EXPECT_TRUE(has_header(request, "webhook-id"));
  EXPECT_TRUE(has_header(request, "webhook-timestamp"));
}

TEST(NotifyRender, WeComMarkdownWithMentions) {
  std::string url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc-123";
  auto sub = subscription(SubscriptionKind::wecom, url, "");
  OutgoingRequest request = render_request(sub, overdue(), "ntf_1", T("2025-04-02T01:00:05Z"));
  EXPECT_EQ(request.url, url);
  EXPECT_EQ(header(request, "content-type"), "application/json");
  json::object body = json::parse(request.body).as_object();
  EXPECT_EQ(body.at("msgtype"), "markdown");
  std::string content(body.at("markdown").at("content").as_string());
  EXPECT_TRUE(contains(content, "2025-自然资源-0042")) << content;
  EXPECT_TRUE(contains(content, "<@zhangsan>")) << content;
  EXPECT_TRUE(contains(content, "<@lisi>")) << content;
  EXPECT_TRUE(contains(content, "(https://disclose.example.gov.cn/cases/42)")) << content;
}

TEST(NotifyRender, DingTalkSignedUrlMarkdownAndAt) {
  auto sub = subscription(SubscriptionKind::dingtalk,
                          "https://oapi.dingtalk.com/robot/send?access_token=tok", "SECabc");
  Instant now = T("2025-04-02T01:00:05Z");
  OutgoingRequest request = render_request(sub, overdue(), "ntf_1", now);

  ASSERT_TRUE(
      request.url.starts_with("https://oapi.dingtalk.com/robot/send?access_token=tok&timestamp="))
      << request.url;
  std::string millis = std::to_string(now.time_since_epoch().count() * 1000);
  EXPECT_EQ(query_param(request.url, "timestamp"), millis);
  std::string sign = query_param(request.url, "sign");
  EXPECT_EQ(sign.find_first_of("+/="), std::string::npos) << "sign must be URL-encoded: " << sign;
  EXPECT_EQ(url_decode(sign), receiver_hmac_b64("SECabc", millis + "\nSECabc"));

  json::object body = json::parse(request.body).as_object();
  EXPECT_EQ(body.at("msgtype"), "markdown");
  EXPECT_EQ(body.at("markdown").at("title"), json::value(notification_title(overdue())));
  std::string text(body.at("markdown").at("text").as_string());
  EXPECT_TRUE(contains(text, "已逾期 2 个工作日")) << text;
  EXPECT_TRUE(contains(text, "@13800000001")) << text;
  EXPECT_TRUE(contains(text, "@13800000002")) << text;
  EXPECT_TRUE(contains(text, "@ding_zs")) << text;
  EXPECT_EQ(body.at("at").at("atMobiles"), (json::array{"13800000001", "13800000002"}));
  EXPECT_EQ(body.at("at").at("atUserIds"), (json::array{"ding_zs"}));
  EXPECT_EQ(body.at("at").at("isAtAll"), false);
}

TEST(NotifyRender, DingTalkUrlWithoutQueryOrSecret) {
  Instant now = T("2025-04-02T01:00:05Z");
  auto bare = subscription(SubscriptionKind::dingtalk, "https://robot.example/send", "SECabc");
  EXPECT_TRUE(render_request(bare, overdue(), "n", now)
                  .url.starts_with("https://robot.example/send?timestamp="));
  auto unsigned_robot = subscription(SubscriptionKind::dingtalk,
                                     "https://oapi.dingtalk.com/robot/send?access_token=tok", "");
  EXPECT_EQ(render_request(unsigned_robot, overdue(), "n", now).url,
            "https://oapi.dingtalk.com/robot/send?access_token=tok");
}

TEST(NotifyRender, FeishuSignedTextWithAtTags) {
  auto sub = subscription(SubscriptionKind::feishu,
                          "https://open.feishu.cn/open-apis/bot/v2/hook/xyz", "fs-secret");
  Instant now = T("2025-04-02T01:00:05Z");
  OutgoingRequest request = render_request(sub, overdue(), "ntf_1", now);
  EXPECT_EQ(request.url, "https://open.feishu.cn/open-apis/bot/v2/hook/xyz");
  json::object body = json::parse(request.body).as_object();
  std::string seconds_text = std::to_string(now.time_since_epoch().count());
  EXPECT_EQ(body.at("timestamp"), json::value(seconds_text));  // a string, as Feishu expects
  EXPECT_EQ(body.at("sign"), json::value(receiver_hmac_b64(seconds_text + "\nfs-secret", "")));
  EXPECT_EQ(body.at("msg_type"), "text");
  std::string text(body.at("content").at("text").as_string());
  EXPECT_TRUE(contains(text, "2025-自然资源-0042 答复期限 2025-04-01 已逾期 2 个工作日")) << text;
  EXPECT_TRUE(contains(text, R"(<at user_id="ou_zs">张三</at>)")) << text;
  EXPECT_TRUE(contains(text, R"(<at user_id="ou_ls">李四</at>)")) << text;
  EXPECT_TRUE(contains(text, "https://disclose.example.gov.cn/cases/42")) << text;
  EXPECT_FALSE(contains(text, "](")) << "a text message shows markdown literally: " << text;

  auto unsigned_bot = subscription(SubscriptionKind::feishu, sub.url, "");
  json::object plain =
      json::parse(render_request(unsigned_bot, overdue(), "n", now).body).as_object();
  EXPECT_FALSE(plain.contains("timestamp"));
  EXPECT_FALSE(plain.contains("sign"));
}

// --- message text ---------------------------------------------------------------------------

TEST(NotifyText, OverdueReminderCarriesNumberDueDateDaysLeftAndLink) {
  Notification n = overdue();
  EXPECT_EQ(notification_title(n), "【逾期提醒】2025-自然资源-0042");
  std::string md = notification_markdown(n);
  EXPECT_TRUE(
      md.starts_with("【逾期提醒】2025-自然资源-0042 答复期限 2025-04-01 已逾期 2 个工作日"))
      << md;
  EXPECT_TRUE(contains(md, "市自然资源局")) << md;
  EXPECT_TRUE(contains(md, "[查看案件](https://disclose.example.gov.cn/cases/42)")) << md;
  EXPECT_FALSE(contains(md, "@")) << "mentions belong to the renderers: " << md;
}

TEST(NotifyText, DaysLeftWording) {
  Notification soon = overdue();
  soon.type = "reminder.due_soon";
  soon.data["deadline"].as_object()["remaining_wd"] = 3;
  EXPECT_TRUE(contains(notification_markdown(soon), "答复期限 2025-04-01 剩余 3 个工作日"));
  EXPECT_EQ(notification_title(soon), "【即将到期】2025-自然资源-0042");

  Notification today = overdue();
  today.type = "reminder.due_today";
  today.data["deadline"].as_object()["remaining_wd"] = 0;
  EXPECT_TRUE(contains(notification_markdown(today), "答复期限 2025-04-01 今日到期"));
}

TEST(NotifyText, EveryTypeHasItsTag) {
  const std::vector<std::pair<std::string, std::string>> tags = {
      {"case.registered", "【新登记】"},      {"case.transitioned", "【状态变更】"},
      {"case.assigned", "【已分派】"},        {"reminder.due_soon", "【即将到期】"},
      {"reminder.due_today", "【今日到期】"}, {"reminder.overdue", "【逾期提醒】"},
      {"case.auto_closed", "【自动办结】"},   {"deadline.recomputed", "【期限重算】"}};
  ASSERT_EQ(tags.size(), notification_types().size());
  for (const auto& [type, tag] : tags) {
    Notification n = overdue();
    n.type = type;
    EXPECT_EQ(notification_title(n), tag + "2025-自然资源-0042") << type;
    EXPECT_TRUE(notification_markdown(n).starts_with(tag + "2025-自然资源-0042")) << type;
  }
}

TEST(NotifyText, TransitionAssignmentAndRecomputation) {
  Notification moved = overdue();
  moved.type = "case.transitioned";
  moved.data["event"] = json::object{{"type", "accepted"}, {"action_label", "受理"}};
  EXPECT_TRUE(contains(notification_markdown(moved), "受理，当前状态：办理中"))
      << notification_markdown(moved);

  Notification assigned = overdue();
  assigned.type = "case.assigned";
  EXPECT_TRUE(contains(notification_markdown(assigned), "已分派给 张三、李四"));

  Notification recomputed = overdue();
  recomputed.type = "deadline.recomputed";
  recomputed.data["deadline"].as_object()["due_on"] = "2025-04-29";
  recomputed.data["deadline"].as_object()["remaining_wd"] = 18;
  EXPECT_TRUE(contains(notification_markdown(recomputed),
                       "答复期限重新计算为 2025-04-29，剩余 18 个工作日"))
      << notification_markdown(recomputed);
}

// --- classification -------------------------------------------------------------------------

struct Row {
  SubscriptionKind kind;
  int status;
  std::string retry_after;
  std::string body;
  DeliveryVerdict verdict;
  std::string detail;  // expected prefix
  std::optional<seconds> wait;
};

TEST(NotifyOutcome, ClassificationTable) {
  using K = SubscriptionKind;
  using V = DeliveryVerdict;
  const Instant now = T("2015-10-21T07:27:00Z");
  const std::vector<Row> rows = {
      {K::webhook, 200, "", "", V::delivered, "HTTP 200", {}},
      {K::webhook, 204, "", "", V::delivered, "HTTP 204", {}},
      {K::webhook, 500, "", "", V::retry, "HTTP 500", {}},
      {K::webhook, 503, "120", "", V::retry, "HTTP 503", seconds{120}},
      {K::webhook, 429, "Wed, 21 Oct 2015 07:28:00 GMT", "", V::retry, "HTTP 429", seconds{60}},
      {K::webhook, 408, "", "", V::retry, "HTTP 408", {}},
      {K::webhook, 100, "", "", V::retry, "HTTP 100", {}},
      {K::webhook, 400, "", "", V::dead, "HTTP 400", {}},
      {K::webhook, 404, "", "", V::dead, "HTTP 404", {}},
      {K::webhook, 410, "", "", V::dead, "HTTP 410", {}},
      {K::webhook, 301, "", "", V::dead, "HTTP 301", {}},
      {K::webhook, 302, "", "", V::dead, "HTTP 302", {}},
      {K::wecom, 200, "", R"({"errcode":0,"errmsg":"ok"})", V::delivered, "errcode 0", {}},
      {K::wecom,
       200,
       "",
       R"({"errcode":93000,"errmsg":"invalid webhook url, hint: [1755605200], from ip: 1.2.3.4"})",
       V::dead,
       "errcode 93000: invalid webhook url",
       {}},
      {K::wecom, 200, "", R"({"errcode":45009,"errmsg":"api freq out of limit"})", V::retry,
       "errcode 45009", seconds{60}},
      {K::wecom, 200, "", R"({"errcode":-1,"errmsg":"system busy"})", V::retry, "errcode -1", {}},
      {K::wecom, 200, "", "<html>gateway</html>", V::retry, "HTTP 200", {}},
      {K::wecom, 502, "", "", V::retry, "HTTP 502", {}},
      {K::dingtalk, 200, "", R"({"errcode":0,"errmsg":"ok"})", V::delivered, "errcode 0", {}},
      {K::dingtalk,
       200,
       "",
       R"({"errcode":310000,"errmsg":"sign not match"})",
       V::dead,
       "errcode 310000: sign not match",
       {}},
      {K::dingtalk,
       200,
       "",
       R"({"errcode":300001,"errmsg":"token is not exist"})",
       V::dead,
       "errcode 300001",
       {}},
      {K::dingtalk, 200, "", R"({"errcode":130101,"errmsg":"send too fast"})", V::retry,
       "errcode 130101: send too fast", seconds{600}},
      {K::dingtalk,
       200,
       "",
       R"({"errcode":424242,"errmsg":"new"})",
       V::retry,
       "errcode 424242",
       {}},
      {K::dingtalk, 302, "", "", V::retry, "HTTP 302", seconds{600}},
      {K::feishu, 200, "", R"({"code":0,"msg":"success","data":{}})", V::delivered, "code 0", {}},
      {K::feishu,
       200,
       "",
       R"({"StatusCode":0,"StatusMessage":"success"})",
       V::delivered,
       "StatusCode 0",
       {}},
      {K::feishu,
       200,
       "",
       R"({"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"})",
       V::dead,
       "code 19021: sign match fail",
       {}},
      {K::feishu,
       200,
       "",
       R"({"code":19024,"msg":"Key Words Not Found"})",
       V::dead,
       "code 19024: Key Words Not Found",
       {}},
      {K::feishu,
       200,
       "",
       R"({"code":11232,"msg":"frequency limited"})",
       V::retry,
       "code 11232",
       {}},
      {K::feishu,
       400,
       "",
       R"({"code":9499,"msg":"too many request"})",
       V::retry,
       "HTTP 400, code 9499",
       {}},
      {K::feishu,
       400,
       "",
       R"({"code":19021,"msg":"sign match fail"})",
       V::dead,
       "HTTP 400, code 19021",
       {}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(to_string(row.kind)) + " " + std::to_string(row.status) + " " +
                 row.body);
    DeliveryOutcome outcome =
        classify_response(row.kind, row.status, row.retry_after, row.body, now);
    EXPECT_EQ(outcome.verdict, row.verdict);
    EXPECT_TRUE(outcome.detail.starts_with(row.detail)) << outcome.detail;
    EXPECT_EQ(outcome.retry_after, row.wait);
  }
}

TEST(NotifyOutcome, RetryAfterForms) {
  const Instant now = T("2015-10-21T07:27:00Z");
  auto wait = [&](const std::string& value) {
    return classify_response(SubscriptionKind::webhook, 503, value, "", now).retry_after;
  };
  EXPECT_EQ(wait("0"), seconds{0});
  EXPECT_EQ(wait(" 3600 "), seconds{3600});
  EXPECT_EQ(wait("Wed, 21 Oct 2015 07:28:00 GMT"), seconds{60});
  EXPECT_EQ(wait("Thu, 22 Oct 2015 07:27:00 GMT"), seconds{86400});
  EXPECT_EQ(wait("Wed, 21 Oct 2015 07:00:00 GMT"), seconds{0});  // already past: go now
  EXPECT_EQ(wait("99999999999999999999999"), seconds{100LL * 365 * 86400});
  EXPECT_EQ(wait(""), std::nullopt);
  EXPECT_EQ(wait("-5"), std::nullopt);
  EXPECT_EQ(wait("soon"), std::nullopt);
  EXPECT_EQ(wait("Wed, 31 Feb 2015 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(wait("2015-10-21T07:28:00Z"), std::nullopt);
}

// --- retry schedule -------------------------------------------------------------------------

TEST(NotifyRetry, FullJitterBoundsGrowthAndCap) {
  const RetryPolicy policy;  // 10 s base, 6 h cap, give up after 72 h
  const Instant first = T("2025-04-02T01:00:00Z");
  const Instant now = first + minutes{1};
  EXPECT_EQ(next_attempt_at(policy, 1, first, now, 0.0), now);
  EXPECT_EQ(next_attempt_at(policy, 1, first, now, 0.999), now + seconds{9});
  EXPECT_EQ(next_attempt_at(policy, 2, first, now, 0.999), now + seconds{19});
  EXPECT_EQ(next_attempt_at(policy, 3, first, now, 0.999), now + seconds{39});
  EXPECT_EQ(next_attempt_at(policy, 3, first, now, 0.5), now + seconds{20});
  // 10·2^11 = 20480 s is still under the cap; 10·2^12 is over it.
  EXPECT_EQ(next_attempt_at(policy, 12, first, now, 0.999), now + seconds{20459});
  EXPECT_EQ(next_attempt_at(policy, 13, first, now, 0.999), now + seconds{21578});
  EXPECT_EQ(next_attempt_at(policy, 500, first, now, 0.999), now + seconds{21578});
  EXPECT_EQ(next_attempt_at(policy, 500, first, now, 0.0), now);
}

TEST(NotifyRetry, GivesUpAfterSeventyTwoHours) {
  const RetryPolicy policy;
  const Instant first = T("2025-04-02T01:00:00Z");
  const Instant late = first + hours{72} - seconds{9};
  // 9 s of the 72 h remain: a draw landing exactly on the limit still counts, a longer one
  // gives up.
  EXPECT_EQ(next_attempt_at(policy, 1, first, late, 0.0), late);
  EXPECT_EQ(next_attempt_at(policy, 1, first, late, 0.999), first + hours{72});
  EXPECT_EQ(next_attempt_at(policy, 2, first, late, 0.999), std::nullopt);
  EXPECT_EQ(next_attempt_at(policy, 30, first, late, 0.5), std::nullopt);
  EXPECT_EQ(next_attempt_at(policy, 30, first, first + hours{73}, 0.0), std::nullopt);
}

TEST(NotifyRetry, RetryAfterReplacesAShorterDelay) {
  const RetryPolicy policy;
  const Instant first = T("2025-04-02T01:00:00Z");
  const Instant now = first + minutes{1};
  EXPECT_EQ(next_attempt_at(policy, 1, first, now, 0.5, seconds{300}), now + seconds{300});
  EXPECT_EQ(next_attempt_at(policy, 1, first, now, 0.5, seconds{2}), now + seconds{5});
  // Longer than the cap is honoured; past the give-up time it is not.
  EXPECT_EQ(next_attempt_at(policy, 1, first, now, 0.5, hours{10}), now + hours{10});
  EXPECT_EQ(next_attempt_at(policy, 1, first, now, 0.5, hours{80}), std::nullopt);
}

// --- subscriptions --------------------------------------------------------------------------

TEST(NotifySubscription, KindNamesRoundTrip) {
  for (auto kind : {SubscriptionKind::webhook, SubscriptionKind::wecom, SubscriptionKind::dingtalk,
                    SubscriptionKind::feishu}) {
    EXPECT_EQ(subscription_kind_from(to_string(kind)), kind);
  }
  EXPECT_STREQ(to_string(SubscriptionKind::wecom), "wecom");
  EXPECT_EQ(subscription_kind_from("WeCom"), std::nullopt);
  EXPECT_EQ(subscription_kind_from(""), std::nullopt);
}

TEST(NotifySubscription, WantsByEnabledAgencyAndEvents) {
  Subscription all;
  EXPECT_TRUE(subscription_wants(all, "reminder.overdue", "zrzy"));
  all.enabled = false;
  EXPECT_FALSE(subscription_wants(all, "reminder.overdue", "zrzy"));

  Subscription agency;
  agency.agency = "zrzy";
  EXPECT_TRUE(subscription_wants(agency, "case.registered", "zrzy"));
  EXPECT_FALSE(subscription_wants(agency, "case.registered", "jtj"));

  Subscription some;
  some.events = {"reminder.overdue", "reminder.due_today"};
  EXPECT_TRUE(subscription_wants(some, "reminder.due_today", "jtj"));
  EXPECT_FALSE(subscription_wants(some, "case.registered", "jtj"));
  some.events.clear();
  EXPECT_FALSE(subscription_wants(some, "reminder.overdue", "jtj"));
}

}  // namespace
}  // namespace disclose
