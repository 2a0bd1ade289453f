// Small behaviours of the case model: finding a clock and naming clock states.
#include <string_view>

#include "disclose/case.h"

namespace disclose {

const Clock* Case::clock(const std::string& kind) const {
  for (const Clock& c : clocks) {
    if (c.kind == kind) return &c;
  }
  return nullptr;
}

Clock* Case::clock(const std::string& kind) {
  for (Clock& c : clocks) {
    if (c.kind == kind) return &c;
  }
  return nullptr;
}

const char* to_string(ClockStatus status) {
  switch (status) {
    case ClockStatus::running:
      return "running";
    case ClockStatus::paused:
      return "paused";
    case ClockStatus::stopped:
      return "stopped";
    case ClockStatus::met:
      return "met";
    case ClockStatus::missed:
      return "missed";
  }
  return "unknown";
}

std::optional<ClockStatus> clock_status_from(std::string_view text) {
  if (text == "running") return ClockStatus::running;
  if (text == "paused") return ClockStatus::paused;
  if (text == "stopped") return ClockStatus::stopped;
  if (text == "met") return ClockStatus::met;
  if (text == "missed") return ClockStatus::missed;
  return std::nullopt;
}

}  // namespace disclose
