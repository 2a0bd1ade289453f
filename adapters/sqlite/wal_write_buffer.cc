#include "sqlite/wal_write_buffer.h"

#include <sqlite3.h>

#include <atomic>
#include <new>
#include <stdexcept>
#include <string>

namespace disclose::sqlite {

namespace {

constexpr const char* kVfsName = "disclose-wal-buffer";
// A store batch can write thousands of frames before its commit; past this the buffer is
// written out early rather than grow.
constexpr std::size_t kMaxGathered = 8u << 20;

std::atomic<int64_t> appends{0}, file_writes{0}, bytes_written{0};

sqlite3_vfs* real_vfs = nullptr;  // the default VFS at registration

// The appends of one WAL file not yet written: `bytes` belong at offset `start`.
struct Gathered {
  sqlite3_int64 start = 0;
  std::string bytes;
};

// What SQLite allocates per open file (szOsFile): this header, then the real VFS's file.
struct File {
  sqlite3_file base;
  sqlite3_file* real;
  Gathered* gathered;  // null: every call passes straight through
  // A WAL file and its main database file know each other while both are open: the database
  // file's shared-memory locks tell when a write transaction ends (see file_shm_lock).
  File* linked;
  // A WAL file's first failed write-out, returned by every later call until the transaction
  // ends: the bytes it dropped must not be followed by a commit.
  int failed;
};
static_assert(sizeof(File) % 8 == 0, "the real file after it stays aligned");

File* as_file(sqlite3_file* file) {
  return reinterpret_cast<File*>(file);
}
sqlite3_file* real_of(sqlite3_file* file) {
  return as_file(file)->real;
}

// Writes `size` bytes at `offset` through the real file, in pieces it accepts: the unix VFS
// keeps only the low 17 bits of a write's length (SQLite itself never writes more than a page
// and its header at once), so a longer write would come back short, as SQLITE_FULL.
int write_through(sqlite3_file* real, const char* data, std::size_t size, sqlite3_int64 offset) {
  constexpr std::size_t kLargestWrite = 0x1ffff;
  while (size > 0) {
    const std::size_t piece = size < kLargestWrite ? size : kLargestWrite;
    if (int rc = real->pMethods->xWrite(real, data, static_cast<int>(piece), offset);
        rc != SQLITE_OK) {
      return rc;
    }
    file_writes.fetch_add(1, std::memory_order_relaxed);
    bytes_written.fetch_add(static_cast<int64_t>(piece), std::memory_order_relaxed);
    data += piece;
    size -= piece;
    offset += static_cast<sqlite3_int64>(piece);
  }
  return SQLITE_OK;
}

// Forgets what is gathered; a large buffer (a batch's) is given back.
void drop_gathered(Gathered* gathered) {
  gathered->bytes.clear();
  if (gathered->bytes.capacity() > (1u << 20)) gathered->bytes.shrink_to_fit();
}

// Writes what is gathered, if anything. The bytes are dropped even if the write fails, and the
// transaction with them: the error is an I/O error (which SQLite answers by rolling the whole
// transaction back, where SQLITE_FULL may roll back only the statement), and it sticks until the
// transaction ends, so nothing that follows the lost bytes can commit.
int write_gathered(File* file) {
  Gathered* gathered = file->gathered;
  if (gathered == nullptr) return SQLITE_OK;
  if (file->failed != SQLITE_OK) return file->failed;
  if (gathered->bytes.empty()) return SQLITE_OK;
  const int rc =
      write_through(file->real, gathered->bytes.data(), gathered->bytes.size(), gathered->start);
  drop_gathered(gathered);
  if (rc != SQLITE_OK) file->failed = SQLITE_IOERR_WRITE;
  return file->failed;
}

// The end of a write transaction on the WAL's database (its write lock released). Whatever is
// still gathered belongs to a transaction that rolled back (a commit syncs, which writes it):
// frames past the log's last commit, which nobody reads. SQLite would have left them in the
// file; here they are dropped, and must be: another writer may now append its own frames at
// those offsets, and these bytes written later would overwrite them.
void transaction_ended(File* wal) {
  if (wal->gathered != nullptr) drop_gathered(wal->gathered);
  wal->failed = SQLITE_OK;
}

int file_close(sqlite3_file* handle) {
  File* file = as_file(handle);
  if (file->linked != nullptr) file->linked->linked = nullptr;
  file->linked = nullptr;
  const int written = write_gathered(file);
  const int closed = file->real->pMethods->xClose(file->real);
  delete file->gathered;
  file->gathered = nullptr;
  return written != SQLITE_OK ? written : closed;
}

int file_write(sqlite3_file* handle, const void* data, int amount, sqlite3_int64 offset) {
  File* file = as_file(handle);
  Gathered* gathered = file->gathered;
  if (gathered == nullptr) return file->real->pMethods->xWrite(file->real, data, amount, offset);
  if (file->failed != SQLITE_OK) return file->failed;
  appends.fetch_add(1, std::memory_order_relaxed);
  const auto size = static_cast<std::size_t>(amount);
  const bool continues =
      !gathered->bytes.empty() &&
      offset == gathered->start + static_cast<sqlite3_int64>(gathered->bytes.size()) &&
      gathered->bytes.size() + size <= kMaxGathered;
  if (!continues) {
    // Anything else goes after what was gathered, as SQLite issued it.
    if (int rc = write_gathered(file); rc != SQLITE_OK) return rc;
    if (size > kMaxGathered)
      return write_through(file->real, static_cast<const char*>(data), size, offset);
    gathered->start = offset;
  }
  try {
    gathered->bytes.append(static_cast<const char*>(data), size);
  } catch (const std::bad_alloc&) {
    return SQLITE_IOERR_NOMEM;
  }
  return SQLITE_OK;
}

// The calls that look at the file's bytes or make them durable see every write first.
int file_read(sqlite3_file* handle, void* data, int amount, sqlite3_int64 offset) {
  if (int rc = write_gathered(as_file(handle)); rc != SQLITE_OK) return rc;
  return real_of(handle)->pMethods->xRead(real_of(handle), data, amount, offset);
}

int file_truncate(sqlite3_file* handle, sqlite3_int64 size) {
  if (int rc = write_gathered(as_file(handle)); rc != SQLITE_OK) return rc;
  return real_of(handle)->pMethods->xTruncate(real_of(handle), size);
}

int file_sync(sqlite3_file* handle, int flags) {
  if (int rc = write_gathered(as_file(handle)); rc != SQLITE_OK) return rc;
  return real_of(handle)->pMethods->xSync(real_of(handle), flags);
}

int file_size(sqlite3_file* handle, sqlite3_int64* size) {
  if (int rc = write_gathered(as_file(handle)); rc != SQLITE_OK) return rc;
  return real_of(handle)->pMethods->xFileSize(real_of(handle), size);
}

// A file control may make the real VFS touch the file (a size hint extends it): written first.
int file_control(sqlite3_file* handle, int op, void* arg) {
  if (int rc = write_gathered(as_file(handle)); rc != SQLITE_OK) return rc;
  return real_of(handle)->pMethods->xFileControl(real_of(handle), op, arg);
}

int file_lock(sqlite3_file* handle, int level) {
  return real_of(handle)->pMethods->xLock(real_of(handle), level);
}

int file_unlock(sqlite3_file* handle, int level) {
  return real_of(handle)->pMethods->xUnlock(real_of(handle), level);
}

int file_check_reserved_lock(sqlite3_file* handle, int* out) {
  return real_of(handle)->pMethods->xCheckReservedLock(real_of(handle), out);
}

int file_sector_size(sqlite3_file* handle) {
  return real_of(handle)->pMethods->xSectorSize(real_of(handle));
}

int file_device_characteristics(sqlite3_file* handle) {
  return real_of(handle)->pMethods->xDeviceCharacteristics(real_of(handle));
}

// Shared memory (the WAL index) and memory mapping belong to the main database file; they pass
// through when the real file has them.
int file_shm_map(sqlite3_file* handle, int region, int size, int extend, void volatile** out) {
  sqlite3_file* real = real_of(handle);
  if (real->pMethods->iVersion < 2) return SQLITE_IOERR_SHMMAP;
  return real->pMethods->xShmMap(real, region, size, extend, out);
}

// The WAL's write lock is the first of the shared-memory locks (wal.c: WAL_WRITE_LOCK 0).
constexpr int kWalWriteLock = 0;

int file_shm_lock(sqlite3_file* handle, int offset, int n, int flags) {
  sqlite3_file* real = real_of(handle);
  if (real->pMethods->iVersion < 2) return SQLITE_IOERR_SHMLOCK;
  File* wal = as_file(handle)->linked;
  const bool write_lock_released = (flags & SQLITE_SHM_UNLOCK) != 0 &&
                                   (flags & SQLITE_SHM_EXCLUSIVE) != 0 && offset <= kWalWriteLock &&
                                   kWalWriteLock < offset + n;
  // Before the lock goes: no other writer can append until it has.
  if (wal != nullptr && write_lock_released) transaction_ended(wal);
  return real->pMethods->xShmLock(real, offset, n, flags);
}

void file_shm_barrier(sqlite3_file* handle) {
  sqlite3_file* real = real_of(handle);
  if (real->pMethods->iVersion >= 2) real->pMethods->xShmBarrier(real);
}

int file_shm_unmap(sqlite3_file* handle, int delete_flag) {
  sqlite3_file* real = real_of(handle);
  if (real->pMethods->iVersion < 2) return SQLITE_OK;
  return real->pMethods->xShmUnmap(real, delete_flag);
}

int file_fetch(sqlite3_file* handle, sqlite3_int64 offset, int amount, void** out) {
  sqlite3_file* real = real_of(handle);
  if (real->pMethods->iVersion < 3 || as_file(handle)->gathered != nullptr) {
    *out = nullptr;  // "read it instead"; a WAL file is never mapped
    return SQLITE_OK;
  }
  return real->pMethods->xFetch(real, offset, amount, out);
}

int file_unfetch(sqlite3_file* handle, sqlite3_int64 offset, void* page) {
  sqlite3_file* real = real_of(handle);
  if (real->pMethods->iVersion < 3) return SQLITE_OK;
  return real->pMethods->xUnfetch(real, offset, page);
}

const sqlite3_io_methods kFileMethods = {
    3,  // iVersion: shared memory and fetch
    file_close,
    file_read,
    file_write,
    file_truncate,
    file_sync,
    file_size,
    file_lock,
    file_unlock,
    file_check_reserved_lock,
    file_control,
    file_sector_size,
    file_device_characteristics,
    file_shm_map,
    file_shm_lock,
    file_shm_barrier,
    file_shm_unmap,
    file_fetch,
    file_unfetch,
};

int vfs_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* handle, int flags, int* out_flags) {
  File* file = as_file(handle);
  file->real = reinterpret_cast<sqlite3_file*>(file + 1);
  file->gathered = nullptr;
  file->linked = nullptr;
  file->failed = SQLITE_OK;
  file->real->pMethods = nullptr;
  const int rc = real_vfs->xOpen(real_vfs, name, file->real, flags, out_flags);
  if (file->real->pMethods == nullptr) {
    handle->pMethods = nullptr;  // nothing opened, so SQLite will not call xClose
    return rc;
  }
  handle->pMethods = &kFileMethods;
  // A WAL file is gathered only when its database file is one of ours (so that the end of each
  // write transaction is seen) and there is memory for the buffer; else it passes through.
  if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) != 0) {
    sqlite3_file* database = sqlite3_database_file_object(name);
    if (database != nullptr && database->pMethods == &kFileMethods &&
        as_file(database)->linked == nullptr) {
      file->gathered = new (std::nothrow) Gathered;
      if (file->gathered != nullptr) {
        file->linked = as_file(database);
        as_file(database)->linked = file;
      }
    }
  }
  return rc;
}

int vfs_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return real_vfs->xDelete(real_vfs, name, sync_dir);
}
int vfs_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return real_vfs->xAccess(real_vfs, name, flags, out);
}
int vfs_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return real_vfs->xFullPathname(real_vfs, name, size, out);
}
void* vfs_dl_open(sqlite3_vfs*, const char* name) {
  return real_vfs->xDlOpen(real_vfs, name);
}
void vfs_dl_error(sqlite3_vfs*, int size, char* out) {
  real_vfs->xDlError(real_vfs, size, out);
}
void (*vfs_dl_sym(sqlite3_vfs*, void* library, const char* symbol))(void) {
  return real_vfs->xDlSym(real_vfs, library, symbol);
}
void vfs_dl_close(sqlite3_vfs*, void* library) {
  real_vfs->xDlClose(real_vfs, library);
}
int vfs_randomness(sqlite3_vfs*, int size, char* out) {
  return real_vfs->xRandomness(real_vfs, size, out);
}
int vfs_sleep(sqlite3_vfs*, int microseconds) {
  return real_vfs->xSleep(real_vfs, microseconds);
}
int vfs_current_time(sqlite3_vfs*, double* out) {
  return real_vfs->xCurrentTime(real_vfs, out);
}
int vfs_get_last_error(sqlite3_vfs*, int size, char* out) {
  return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, size, out) : 0;
}
int vfs_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  if (real_vfs->iVersion >= 2 && real_vfs->xCurrentTimeInt64 != nullptr)
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
  double days = 0;
  const int rc = real_vfs->xCurrentTime(real_vfs, &days);
  *out = static_cast<sqlite3_int64>(days * 86400000.0);
  return rc;
}

sqlite3_vfs vfs{};

const char* register_vfs() {
  real_vfs = sqlite3_vfs_find(nullptr);
  if (real_vfs == nullptr) throw std::runtime_error("sqlite: no default VFS");
  vfs.iVersion = 2;  // through xCurrentTimeInt64; the system-call hooks stay the real VFS's
  vfs.szOsFile = static_cast<int>(sizeof(File)) + real_vfs->szOsFile;
  vfs.mxPathname = real_vfs->mxPathname;
  vfs.zName = kVfsName;
  vfs.xOpen = vfs_open;
  vfs.xDelete = vfs_delete;
  vfs.xAccess = vfs_access;
  vfs.xFullPathname = vfs_full_pathname;
  vfs.xDlOpen = vfs_dl_open;
  vfs.xDlError = vfs_dl_error;
  vfs.xDlSym = vfs_dl_sym;
  vfs.xDlClose = vfs_dl_close;
  vfs.xRandomness = vfs_randomness;
  vfs.xSleep = vfs_sleep;
  vfs.xCurrentTime = vfs_current_time;
  vfs.xGetLastError = vfs_get_last_error;
  vfs.xCurrentTimeInt64 = vfs_current_time_int64;
  if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK)
    throw std::runtime_error("sqlite: cannot register the WAL write buffer");
  return kVfsName;
}

}  // namespace

const char* wal_write_buffer_vfs() {
  static const char* const name = register_vfs();  // thread-safe: a function-local static
  return name;
}

WalWriteCounts wal_write_counts() {
  return WalWriteCounts{appends.load(std::memory_order_relaxed),
                        file_writes.load(std::memory_order_relaxed),
                        bytes_written.load(std::memory_order_relaxed)};
}

}  // namespace disclose::sqlite
