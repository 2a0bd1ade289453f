// The clock port. Everything time-dependent takes a TimeSource so tests can pin "now".
#pragma once

#include "disclose/date.h"

namespace disclose {

// A moment as the engine sees it: the instant and the local date at the deployment's offset.
struct Moment {
  Instant at{};
  Date today;
};

class TimeSource {
 public:
  virtual ~TimeSource() = default;
  virtual Moment now() const = 0;
};

// Wall clock at a fixed UTC offset (China has one zone and no daylight saving; default +08:00).
class SystemTimeSource final : public TimeSource {
 public:
  explicit SystemTimeSource(int utc_offset_minutes = 8 * 60) : offset_(utc_offset_minutes) {}
  Moment now() const override;

 private:
  int offset_;
};

// A clock that only moves when told to.
class FixedTimeSource final : public TimeSource {
 public:
  explicit FixedTimeSource(Moment moment) : moment_(moment) {}
  Moment now() const override { return moment_; }
  void set(Moment moment) { moment_ = moment; }

 private:
  Moment moment_;
};

}  // namespace disclose
