#include "sqlite/wal_write_buffer.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <string>

#include "temp_dir.h"

namespace disclose::sqlite {
namespace {

// A writer through the WAL write buffer (synchronous=FULL, as the store uses it) and a reader on
// SQLite's default VFS, which sees only what reached the file.
class WalWriteBufferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    writer_.exec("PRAGMA journal_mode=WAL");
    writer_.exec("PRAGMA synchronous=FULL");
    writer_.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB NOT NULL)");
  }

  // `rows` rows of `bytes` bytes each, every byte telling the row apart.
  void insert(SQLite::Database& db, int first, int rows, int bytes) {
    SQLite::Statement st(db, "INSERT INTO t(id, body) VALUES(?, ?)");
    for (int id = first; id < first + rows; ++id) {
      const std::string body = row_body(id, bytes);
      st.bind(1, id);
      st.bind(2, body.data(), static_cast<int>(body.size()));
      st.exec();
      st.reset();
    }
  }

  static std::string row_body(int id, int bytes) {
    return std::string(static_cast<std::size_t>(bytes), static_cast<char>('a' + id % 26));
  }

  // How many rows `db` sees, and whether each holds its own body.
  static int intact_rows(SQLite::Database& db, int bytes) {
    SQLite::Statement st(db, "SELECT id, body FROM t ORDER BY id");
    int rows = 0;
    while (st.executeStep()) {
      const int id = st.getColumn(0).getInt();
      const SQLite::Column body = st.getColumn(1);
      const std::string text(static_cast<const char*>(body.getBlob()),
                             static_cast<std::size_t>(body.getBytes()));
      if (text != row_body(id, bytes)) return -1;
      ++rows;
    }
    return rows;
  }

  fixture::TempDir dir_{"wal-write-buffer"};
  std::string path_ = (dir_ / "t.db").string();
  SQLite::Database writer_{path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 1000,
                           wal_write_buffer_vfs()};
  SQLite::Database reader_{path_, SQLite::OPEN_READWRITE, 1000};
};

TEST_F(WalWriteBufferTest, ACommitReachesTheFileInAFewLargeWritesAndReadersSeeIt) {
  const WalWriteCounts before = wal_write_counts();
  {
    SQLite::Transaction transaction(writer_);
    insert(writer_, 1, 100, 3000);  // ≈ 100 pages, ≈ 400 KB of frames: past one write's limit
    transaction.commit();
  }
  const WalWriteCounts after = wal_write_counts();
  const int64_t appends = after.appends - before.appends;
  const int64_t file_writes = after.file_writes - before.file_writes;
  // SQLite appends each frame in two writes (header, page).
  EXPECT_GE(appends, 200);
  // Gathered: the frames go out in pieces of at most 128 KiB, not one write each.
  EXPECT_LE(file_writes, (after.bytes_written - before.bytes_written) / 0x1ffff + 2);
  EXPECT_GE(after.bytes_written - before.bytes_written, 100 * 3000);

  EXPECT_EQ(intact_rows(reader_, 3000), 100);
}

TEST_F(WalWriteBufferTest, EveryCommitIsVisibleToAnotherConnectionAsSoonAsItReturns) {
  for (int round = 0; round < 20; ++round) {
    insert(writer_, round * 5 + 1, 5, 700);  // autocommit: one transaction per row
    EXPECT_EQ(intact_rows(reader_, 700), (round + 1) * 5) << "round " << round;
  }
}

TEST_F(WalWriteBufferTest, ATransactionThatSpillsItsCacheReadsBackWhatItWroteAndCanRollBack) {
  // A tiny page cache makes SQLite write dirty pages to the WAL mid-transaction and read them
  // back from it later: those reads must see the gathered bytes.
  writer_.exec("PRAGMA cache_size=8");
  insert(writer_, 1, 10, 2000);
  {
    SQLite::Transaction transaction(writer_);
    insert(writer_, 11, 300, 2000);
    EXPECT_EQ(intact_rows(writer_, 2000), 310);
    // Dropped: the spilled frames stay in the file past the last commit, unused.
  }
  EXPECT_EQ(intact_rows(writer_, 2000), 10);
  EXPECT_EQ(intact_rows(reader_, 2000), 10);
  {
    SQLite::Transaction transaction(writer_);
    insert(writer_, 11, 300, 2000);
    transaction.commit();
  }
  EXPECT_EQ(intact_rows(reader_, 2000), 310);
  EXPECT_EQ(writer_.execAndGet("PRAGMA integrity_check").getString(), "ok");
}

TEST_F(WalWriteBufferTest, ATransactionLargerThanTheBufferIsWrittenOutEarlyAndStaysWhole) {
  const WalWriteCounts before = wal_write_counts();
  {
    SQLite::Transaction transaction(writer_);
    insert(writer_, 1, 3000, 4000);  // ≈ 3,000 pages, ≈ 12 MB of frames: past 8 MiB
    // Not all held until the commit: 8 MiB went out when the buffer was full.
    EXPECT_GE(wal_write_counts().bytes_written - before.bytes_written, (8 << 20) - 4200);
    transaction.commit();
  }
  EXPECT_EQ(intact_rows(reader_, 4000), 3000);
  EXPECT_EQ(reader_.execAndGet("PRAGMA integrity_check").getString(), "ok");
}

TEST_F(WalWriteBufferTest, ACheckpointAndARestartedLogKeepEveryRow) {
  insert(writer_, 1, 50, 1500);
  writer_.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  insert(writer_, 51, 50, 1500);  // written from the start of the emptied log
  EXPECT_EQ(intact_rows(reader_, 1500), 100);
  EXPECT_EQ(reader_.execAndGet("PRAGMA integrity_check").getString(), "ok");
}

TEST_F(WalWriteBufferTest, FramesOfARolledBackTransactionNeverOverwriteTheNextWritersFrames) {
  insert(writer_, 1, 200, 2000);
  writer_.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  // The writer spills frames of a transaction it then rolls back...
  writer_.exec("PRAGMA cache_size=8");
  {
    SQLite::Transaction transaction(writer_);
    writer_.exec("UPDATE t SET body = zeroblob(2000)");
  }
  // ...another writer (another process, say) appends its commit at those offsets...
  SQLite::Database other{path_, SQLite::OPEN_READWRITE, 1000};
  other.exec("PRAGMA synchronous=FULL");
  SQLite::Statement update(other, "UPDATE t SET body = ? WHERE id <= 100");
  const std::string changed(2000, '#');
  update.bind(1, changed.data(), static_cast<int>(changed.size()));
  update.exec();
  // ...and the first writer reads and writes on: the dropped frames must stay dropped.
  EXPECT_EQ(writer_.execAndGet("SELECT COUNT(*) FROM t").getInt(), 200);
  insert(writer_, 201, 1, 2000);
  SQLite::Database fresh{path_, SQLite::OPEN_READONLY};
  EXPECT_EQ(fresh.execAndGet("SELECT COUNT(*) FROM t WHERE body = zeroblob(2000)").getInt(), 0);
  SQLite::Statement kept(fresh, "SELECT COUNT(*) FROM t WHERE id <= 100 AND body = ?");
  kept.bind(1, changed.data(), static_cast<int>(changed.size()));
  ASSERT_TRUE(kept.executeStep());
  EXPECT_EQ(kept.getColumn(0).getInt(), 100);
  EXPECT_EQ(fresh.execAndGet("PRAGMA integrity_check").getString(), "ok");
}

}  // namespace
}  // namespace disclose::sqlite
