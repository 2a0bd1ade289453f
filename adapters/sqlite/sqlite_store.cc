#include "sqlite/sqlite_store.h"

#include <stdexcept>

namespace disclose {

std::unique_ptr<Store> open_sqlite_store(const SqliteOptions&) {
  throw std::logic_error("sqlite store: not built yet");
}

}  // namespace disclose
