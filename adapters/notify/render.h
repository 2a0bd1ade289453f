// One renderer per kind of receiver; render_request (disclose/notification.h) picks one.
#pragma once

#include <string>

#include "disclose/notification.h"

namespace disclose::notify {

OutgoingRequest render_webhook(const Subscription& subscription, const Notification& notification,
                               const std::string& message_id, Instant now);
OutgoingRequest render_wecom(const Subscription& subscription, const Notification& notification);
OutgoingRequest render_dingtalk(const Subscription& subscription, const Notification& notification,
                                Instant now);
OutgoingRequest render_feishu(const Subscription& subscription, const Notification& notification,
                              Instant now);

// The body of a Standard Webhooks delivery, byte for byte the same for the same notification
// (object keys of `data` sorted), so every attempt and every re-render signs the same bytes.
std::string webhook_body(const Notification& notification);

}  // namespace disclose::notify
