// Process-wide settings of the SQLite library, which only take effect before its first
// connection opens. The store applies them as it opens its own; a process that opened another
// connection first keeps SQLite's defaults (correct, only slower).
#pragma once

namespace disclose::sqlite {

// Idempotent; safe to call from several threads at once, but not while another thread is
// inside SQLite (sqlite3_config's own rule), hence before the store's first connection. Returns
// whether the settings took effect (false once the library was initialised without them). Turns off
// SQLite's memory statistics: with them on, every allocation inside SQLite takes one process-wide
// mutex, which the reading connections of concurrent requests and the committing thread then
// contend for. Nothing here reads them (sqlite3_memory_used, soft heap limits).
bool apply_library_settings();

}  // namespace disclose::sqlite
