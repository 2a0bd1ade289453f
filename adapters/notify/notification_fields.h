// Typed reads of a Notification's `data` (see disclose/notification.h for its keys). Every key
// is optional, and a stored notification may come back from JSON with numbers where strings
// were written (ids), so reads are forgiving: a missing or odd value reads as empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "disclose/notification.h"

namespace disclose::notify {

// data[section][key] as text ("" when absent); integers are written in decimal.
std::string field_text(const Notification& notification, std::string_view section,
                       std::string_view key);
// data[section][key] as an integer, when it is one (or a whole-number double).
std::optional<int64_t> field_int(const Notification& notification, std::string_view section,
                                 std::string_view key);
// data["link"].
std::string link_of(const Notification& notification);
// data["recipients"], in order; entries that are not objects are skipped.
std::vector<Recipient> recipients_of(const Notification& notification);

}  // namespace disclose::notify
