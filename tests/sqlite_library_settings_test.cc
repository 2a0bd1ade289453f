// SQLite's process-wide settings only take effect before the library's first connection, so this
// file holds one test, run in a process of its own where the store opens that connection.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "disclose/store.h"
#include "sqlite/library_settings.h"
#include "sqlite/sqlite_store.h"

namespace disclose {
namespace {

TEST(SqliteLibrarySettings, TakeEffectWhenTheStoreOpensTheFirstConnection) {
  std::string dir = ::testing::TempDir() + "disclose_settings_XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  {
    auto store = open_sqlite_store({dir + "/disclose.db"});
    store->add_agency(Agency{"district", "区政府信息公开办公室", "区公开办"});
    ASSERT_TRUE(store->find_agency("district"));
    EXPECT_TRUE(sqlite::apply_library_settings());
    // With the statistics on, SQLite counts every byte it holds: a migrated, open database
    // holds many.
    EXPECT_EQ(sqlite3_memory_used(), 0);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace disclose
