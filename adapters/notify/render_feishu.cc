// 飞书 custom bot: a text message; a signing bot gets timestamp and sign in the body.
#include <boost/json.hpp>

#include "notify/message_text.h"
#include "notify/notification_fields.h"
#include "notify/render.h"

namespace disclose::notify {
namespace json = boost::json;
namespace {

// Text inside <at …>…</at>: the tag is parsed out of the message, so quotes and angle
// brackets in a name or id would break it.
std::string at_tag_safe(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c != '<' && c != '>' && c != '"') out += c;
  }
  return out;
}

}  // namespace

OutgoingRequest render_feishu(const Subscription& subscription, const Notification& notification,
                              Instant now) {
  // A "text" message shows markdown literally, so the plain form is sent.
  std::string text = notification_plain_text(notification);
  std::string mentions;
  for (const Recipient& r : recipients_of(notification)) {
    std::string id = at_tag_safe(r.feishu_user_id);
    if (id.empty()) continue;
    if (!mentions.empty()) mentions += ' ';
    mentions += "<at user_id=\"" + id + "\">" + at_tag_safe(r.name) + "</at>";
  }
  if (!mentions.empty()) text += "\n" + mentions;

  json::object body;
  if (!subscription.secret.empty()) {
    long long seconds = now.time_since_epoch().count();
    // Feishu wants the timestamp as a string of seconds.
    body["timestamp"] = std::to_string(seconds);
    body["sign"] = feishu_sign(subscription.secret, seconds);
  }
  body["msg_type"] = "text";
  body["content"] = json::object{{"text", text}};

  OutgoingRequest request;
  request.url = subscription.url;
  request.headers = {{"content-type", "application/json"}};
  request.body = json::serialize(body);
  return request;
}

}  // namespace disclose::notify
