// Process-wide settings of the SQLite library, which only take effect before its first
// connection opens. The store applies them as it opens its own; a process that opened another
// connection first keeps SQLite's defaults (correct, only slower).
#pragma once

namespace disclose::sqlite {

// Idempotent and thread-safe. Returns whether the settings took effect (false once the library
// was initialised without them).
//
// - Memory statistics off: with them on, every allocation inside SQLite takes one process-wide
//   mutex, which the reading connections of concurrent requests and the committing thread then
//   contend for. Nothing here reads them (sqlite3_memory_used, soft heap limits).
// - Statement journals held in memory up to 4 MiB (SQLite's default: 64 KiB). Every write of a
//   commit group runs in its own savepoint, so the first change to a page in each savepoint
//   copies the page into the statement journal; one write changes some dozens of pages, so at
//   64 KiB the journal went to a temporary file, a pwrite per page on the committing thread —
//   more than the commit's own WAL frames. Releasing a write's savepoint empties an in-memory
//   journal, so 4 MiB is per write; a store batch (nested savepoints) that outgrows it still
//   spills to a file.
bool apply_library_settings();

}  // namespace disclose::sqlite
