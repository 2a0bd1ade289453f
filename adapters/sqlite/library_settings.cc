#include "sqlite/library_settings.h"

#include <sqlite3.h>

#include <mutex>

namespace disclose::sqlite {

void apply_library_settings() {
  static std::once_flag once;
  std::call_once(once, [] {
    // SQLITE_MISUSE once the library is initialised: then the defaults stay, as the header says.
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
}

}  // namespace disclose::sqlite
