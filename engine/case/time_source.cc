#include "disclose/time_source.h"

namespace disclose {

Moment SystemTimeSource::now() const {
  Instant at = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  return Moment{at, local_date(at, offset_)};
}

}  // namespace disclose
