// Notifications to staff over HTTP (issue #4): what is queued, who subscribes, and how one
// message becomes one HTTP request for each kind of receiver.
//
// A Notification is written to the outbox in the same transaction as the change that caused it,
// once per matching subscription, and delivered later, at least once. Its request is rendered
// from the stored notification at each attempt; rendering is deterministic, so every attempt of
// one outbox row sends the same body under the same message id (receivers de-duplicate on it).
// Only the signature's timestamp changes between attempts, as Standard Webhooks intends.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "disclose/date.h"

namespace disclose {

// Every event type a subscription may ask for ("*" means all of them).
inline const std::vector<std::string>& notification_types() {
  static const std::vector<std::string> types = {
      "case.registered",    "case.transitioned", "case.assigned",    "reminder.due_soon",
      "reminder.due_today", "reminder.overdue",  "case.auto_closed", "deadline.recomputed"};
  return types;
}

// True for one of notification_types() or "*": what a subscription's `events` may list.
bool is_subscribable_event(std::string_view name);

enum class SubscriptionKind {
  webhook,   // Standard Webhooks: JSON body, webhook-id/-timestamp/-signature headers
  wecom,     // 企业微信 group robot: {"msgtype":"markdown"}; success is HTTP 200 + errcode 0
  dingtalk,  // 钉钉 custom robot: signed URL (timestamp, sign), markdown, @mobiles
  feishu,    // 飞书 custom bot: timestamp + sign in the body, text or interactive card
};
const char* to_string(SubscriptionKind kind);
std::optional<SubscriptionKind> subscription_kind_from(std::string_view text);

struct Subscription {
  int64_t id = 0;
  std::string url;
  SubscriptionKind kind = SubscriptionKind::webhook;
  // webhook: "whsec_" + base64 key (the HMAC key is the decoded part), or any other text used
  // as the key as is; dingtalk/feishu: the robot's signing secret ("" = unsigned robot);
  // wecom: unused (the key is in the URL).
  std::string secret;
  std::optional<std::string> agency;  // only cases of this agency; nullopt = all
  std::vector<std::string> events = {"*"};
  bool enabled = true;
  std::string description;
  Instant created_at{};
};

// A new Standard Webhooks secret: "whsec_" + base64 of 24 random bytes (OpenSSL RAND_bytes).
std::string new_webhook_secret();

// True when the subscription is enabled and wants this type for a case of this agency.
bool subscription_wants(const Subscription& subscription, const std::string& type,
                        const std::string& case_agency);

// A member of staff to mention (@) in a robot message. Empty fields are simply not used.
struct Recipient {
  int64_t user_id = 0;
  std::string name;
  std::string role;
  std::string mobile;           // DingTalk @-mentions go by mobile number
  std::string wecom_userid;     // 企业微信 userid (markdown <@userid>)
  std::string dingtalk_userid;  // DingTalk atUserIds
  std::string feishu_user_id;   // 飞书 user_id / open_id (<at user_id="…">)
};

// What happened, independent of who receives it.
//
// `data` carries (every key optional except "case"):
//   "case":       {"id", "number", "state", "state_label", "agency", "agency_name"}
//   "event":      {"type", "seq", "actor", "on", "from", "to", "action_label"}
//   "deadline":   {"kind", "label", "due_on", "remaining_wd", "status", "epoch", "offset_wd"}
//   "recipients": [{"user_id", "name", "role", "mobile", "wecom_userid", "dingtalk_userid",
//                   "feishu_user_id"}]
//   "link":       absolute URL of the case in the staff console
// README.md documents each type's payload.
struct Notification {
  std::string type;  // one of notification_types()
  Instant timestamp{};
  boost::json::object data;
};

// The short Chinese text robots post, e.g.
// "【逾期提醒】2025-自然资源-0042 答复期限 2025-04-01 已逾期 2 个工作日", then the link.
std::string notification_title(const Notification& notification);
std::string notification_markdown(const Notification& notification);

// One HTTP request, ready for the client. The URL may carry a query (DingTalk's signature).
struct OutgoingRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // content-type included
  std::string body;
};

// Renders the request for one subscription. `message_id` is the outbox row's stable id
// (the webhook-id header); `now` is the send time that signatures carry.
OutgoingRequest render_request(const Subscription& subscription, const Notification& notification,
                               const std::string& message_id, Instant now);

// Standard Webhooks signing: "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)),
// where the key is the base64-decoded part of a "whsec_" secret (or the secret's bytes).
std::string standard_webhook_signature(const std::string& secret, const std::string& message_id,
                                       long long unix_seconds, const std::string& body);
// DingTalk and Feishu robots: base64(HMAC-SHA256) over "<timestamp>\n<secret>". DingTalk keys the
// HMAC with the secret and signs that text (timestamp in milliseconds); Feishu keys the HMAC
// with that text and signs the empty string (timestamp in seconds).
std::string dingtalk_sign(const std::string& secret, long long unix_millis);
std::string feishu_sign(const std::string& secret, long long unix_seconds);

enum class DeliveryVerdict {
  delivered,
  retry,  // try again later (5xx, 408, 429, timeouts, connection errors, robot rate limits)
  dead,   // permanent: most 4xx, a bad robot key or signature; retrying cannot help
};

struct DeliveryOutcome {
  DeliveryVerdict verdict = DeliveryVerdict::retry;
  std::optional<std::chrono::seconds> retry_after;  // from Retry-After (seconds or HTTP date)
  std::string detail;  // for last_error, e.g. "HTTP 500" or "errcode 93000"
};

// Judges a response. Robots answer HTTP 200 with an error code in the body; each kind's codes
// are read here. `now` resolves an HTTP-date Retry-After.
DeliveryOutcome classify_response(SubscriptionKind kind, int http_status,
                                  const std::string& retry_after_header, const std::string& body,
                                  Instant now);

// Exponential backoff with full jitter, from ~10 s up to hours, giving up after about 3 days.
struct RetryPolicy {
  std::chrono::seconds base{10};
  std::chrono::seconds cap{std::chrono::hours(6)};
  std::chrono::seconds give_up_after{std::chrono::hours(72)};  // counted from the first attempt
};

// When to try again after `attempts` failed attempts (1 after the first failure), or nullopt
// when the notification should go dead. The delay is uniform in [0, min(cap, base·2^(attempts−1))]
// drawn with `random01` in [0, 1); a Retry-After replaces it when longer (still capped by the
// give-up time).
std::optional<Instant> next_attempt_at(const RetryPolicy& policy, int attempts,
                                       Instant first_attempt, Instant now, double random01,
                                       std::optional<std::chrono::seconds> retry_after = {});

}  // namespace disclose
