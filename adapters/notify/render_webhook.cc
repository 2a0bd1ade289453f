// Standard Webhooks delivery: a JSON envelope and the webhook-id/-timestamp/-signature headers.
#include <algorithm>
#include <boost/json.hpp>
#include <vector>

#include "notify/render.h"

namespace disclose::notify {
namespace json = boost::json;
namespace {

std::string quoted(std::string_view text) {
  return json::serialize(json::string(text));
}

// Serializes with object keys in byte order at every depth. The notification's data comes back
// from the outbox as parsed JSON, whose key order is whatever the writer chose; sorting makes
// the body a function of the content alone, so a re-render can never change the signed bytes.
void write_canonical(const json::value& value, std::string& out) {
  if (!value.is_object() && !value.is_array()) {
    out += json::serialize(value);
    return;
  }
  if (value.is_array()) {
    out += '[';
    bool first = true;
    for (const json::value& item : value.get_array()) {
      if (!first) out += ',';
      first = false;
      write_canonical(item, out);
    }
    out += ']';
    return;
  }
  const json::object& object = value.get_object();
  std::vector<const json::key_value_pair*> members;
  members.reserve(object.size());
  for (const auto& member : object) members.push_back(&member);
  std::sort(members.begin(), members.end(),
            [](const auto* a, const auto* b) { return a->key() < b->key(); });
  out += '{';
  bool first = true;
  for (const auto* member : members) {
    if (!first) out += ',';
    first = false;
    out += quoted(member->key());
    out += ':';
    write_canonical(member->value(), out);
  }
  out += '}';
}

}  // namespace

std::string webhook_body(const Notification& notification) {
  // The envelope keeps the specification's order (type, timestamp, data) for readers.
  std::string out = "{\"type\":";
  out += quoted(notification.type);
  out += ",\"timestamp\":";
  out += quoted(format_instant(notification.timestamp, 0));
  out += ",\"data\":";
  write_canonical(notification.data, out);
  out += '}';
  return out;
}

OutgoingRequest render_webhook(const Subscription& subscription, const Notification& notification,
                               const std::string& message_id, Instant now) {
  OutgoingRequest request;
  request.url = subscription.url;
  request.body = webhook_body(notification);
  long long unix_seconds = now.time_since_epoch().count();
  request.headers = {{"content-type", "application/json"},
                     {"webhook-id", message_id},
                     {"webhook-timestamp", std::to_string(unix_seconds)}};
  // Without a secret there is nothing to sign with; the receiver sees an unsigned delivery
  // rather than a signature under an empty key that would look like protection.
  if (!subscription.secret.empty()) {
    request.headers.emplace_back(
        "webhook-signature",
        standard_webhook_signature(subscription.secret, message_id, unix_seconds, request.body));
  }
  return request;
}

}  // namespace disclose::notify
