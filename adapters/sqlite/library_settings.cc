#include "sqlite/library_settings.h"

#include <sqlite3.h>

namespace disclose::sqlite {

namespace {

bool configure() {
  // SQLITE_MISUSE once the library is initialised: then the defaults stay, as the header says.
  return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
}

}  // namespace

bool apply_library_settings() {
  static const bool applied = configure();  // thread-safe: a function-local static
  return applied;
}

}  // namespace disclose::sqlite
