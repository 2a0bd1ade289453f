// Internal companions of notification_title / notification_markdown (disclose/notification.h).
#pragma once

#include <string>

#include "disclose/notification.h"

namespace disclose::notify {

// The same message as notification_markdown without markup, one fact a line, the link spelled
// out: for receivers that show text as is (Feishu "text" messages).
std::string notification_plain_text(const Notification& notification);

// "剩余 N 个工作日" / "今日到期" / "已逾期 N 个工作日".
std::string days_left_text(long long remaining_working_days);

}  // namespace disclose::notify
