// The WAL write buffer: a SQLite VFS that gathers a connection's appends to its write-ahead log
// and hands them to the kernel in one write, when SQLite syncs, reads or sizes that log.
//
// Why: SQLite writes each WAL frame with two pwrite calls (the 24-byte frame header, then the
// page), so a commit group of 75 case writes, ≈ 120 frames, costs the committing thread ≈ 240
// system calls before its fdatasync — on a virtual machine each pays the hypervisor's toll.
// Gathered, a commit is one write and one fdatasync.
//
// Why it is safe: a frame in the buffer is not yet in the file, and nothing may read it from
// the file before SQLite syncs it. SQLite makes new frames visible to other connections (in the
// WAL index) only after the commit's sync when synchronous=FULL — and that sync writes the
// buffer first. The connection itself reads its log only through this VFS, which writes the
// buffer before any read, size or truncate. Writes reach the file in the order SQLite issued
// them: a write that does not continue the buffer writes the buffer first. When a write
// transaction ends without a commit (its write lock released with frames still gathered: pages
// a large transaction spilled before it rolled back), those frames are dropped, not written
// later over what the next writer appends there. A failed write-out fails the transaction as an
// I/O error, and every call after it until the transaction ends. Bytes lost from the buffer in
// a crash were never synced, so no commit that returned depended on them.
//
// So use it only for a connection with synchronous=FULL (with NORMAL, SQLite publishes frames
// without a sync) in the default locking mode (the end of a transaction is seen through the
// WAL index's shared-memory locks). The main database file and every other file pass through.
#pragma once

#include <cstdint>

namespace disclose::sqlite {

// The VFS's name for sqlite3_open_v2 (and SQLite::Database's `vfs` argument); registering it
// with SQLite (on first call, over the default VFS) is the caller's only set-up.
const char* wal_write_buffer_vfs();

// What the buffer did, summed over every file opened through it since the process started
// (for tests and benchmarks).
struct WalWriteCounts {
  int64_t appends = 0;        // xWrite calls to a WAL file
  int64_t file_writes = 0;    // writes those became in the underlying file
  int64_t bytes_written = 0;  // bytes in those writes
};
WalWriteCounts wal_write_counts();

}  // namespace disclose::sqlite
