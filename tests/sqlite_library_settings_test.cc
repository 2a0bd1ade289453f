// SQLite's process-wide settings only take effect before the library's first connection, so this
// file holds one test: ctest runs each test of a file in a process of its own, and a test added
// here that opens a connection first would make this one fail when the file runs whole.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "disclose/store.h"
#include "sqlite/library_settings.h"
#include "sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace disclose {
namespace {

class SqliteLibrarySettings : public ::testing::Test {
 protected:
  fixture::TempDir dir_;
};

TEST_F(SqliteLibrarySettings, TakeEffectWhenTheStoreOpensTheFirstConnection) {
  auto store = open_sqlite_store({(dir_ / "disclose.db").string()});
  store->add_agency(Agency{"district", "区政府信息公开办公室", "区公开办"});
  ASSERT_TRUE(store->find_agency("district"));
  EXPECT_TRUE(sqlite::apply_library_settings());
  // With the statistics on, SQLite counts every byte it holds: a migrated, open database holds
  // hundreds of kilobytes.
  EXPECT_EQ(sqlite3_memory_used(), 0);
}

}  // namespace
}  // namespace disclose
