// Text form of OutboxStatus (store.h): the value of outbox.status and of the admin API's filter.
#include <optional>
#include <string_view>

#include "disclose/store.h"

namespace disclose {

const char* to_string(OutboxStatus status) {
  switch (status) {
    case OutboxStatus::pending:
      return "pending";
    case OutboxStatus::delivered:
      return "delivered";
    case OutboxStatus::dead:
      return "dead";
  }
  return "pending";  // unreachable: every enumerator is handled above
}

std::optional<OutboxStatus> outbox_status_from(std::string_view text) {
  for (OutboxStatus s : {OutboxStatus::pending, OutboxStatus::delivered, OutboxStatus::dead}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

}  // namespace disclose
