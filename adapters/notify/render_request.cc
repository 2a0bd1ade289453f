// Picks the renderer for a subscription's kind.
#include "notify/render.h"

namespace disclose {

OutgoingRequest render_request(const Subscription& subscription, const Notification& notification,
                               const std::string& message_id, Instant now) {
  switch (subscription.kind) {
    case SubscriptionKind::webhook:
      return notify::render_webhook(subscription, notification, message_id, now);
    case SubscriptionKind::wecom:
      // Robots take no message id: a retried robot message can show twice in the group.
      return notify::render_wecom(subscription, notification);
    case SubscriptionKind::dingtalk:
      return notify::render_dingtalk(subscription, notification, now);
    case SubscriptionKind::feishu:
      return notify::render_feishu(subscription, notification, now);
  }
  return notify::render_webhook(subscription, notification, message_id, now);
}

}  // namespace disclose
