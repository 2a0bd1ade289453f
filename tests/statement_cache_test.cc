#include "sqlite/statement_cache.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

namespace disclose::sqlite {
namespace {

class StatementCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.exec("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)");
    db_.exec("INSERT INTO t(name) VALUES('a'), ('b'), ('c')");
  }
  SQLite::Database db_{":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
  StatementCache cache_{db_};
};

TEST_F(StatementCacheTest, ReusesOneStatementPerTextAndResetsItBetweenLeases) {
  const std::string sql = "SELECT name FROM t WHERE id >= ? ORDER BY id";
  SQLite::Statement* first = nullptr;
  {
    auto st = cache_.get(sql);
    first = &*st;
    st->bind(1, 2);
    ASSERT_TRUE(st->executeStep());
    EXPECT_EQ(st->getColumn(0).getString(), "b");
    // Left mid-way: the end of the lease resets it.
  }
  auto again = cache_.get(sql);
  EXPECT_EQ(&*again, first);
  EXPECT_EQ(cache_.size(), 1u);
  // Bindings were cleared: an unbound parameter is NULL, and id >= NULL matches nothing.
  EXPECT_FALSE(again->executeStep());
}

TEST_F(StatementCacheTest, ATextAlreadyLeasedGetsAPrivateCopy) {
  const std::string sql = "SELECT COUNT(*) FROM t WHERE id > ?";
  auto outer = cache_.get(sql);
  outer->bind(1, 0);
  {
    auto inner = cache_.get(sql);
    EXPECT_NE(&*inner, &*outer);
    inner->bind(1, 2);
    ASSERT_TRUE(inner->executeStep());
    EXPECT_EQ(inner->getColumn(0).getInt(), 1);
  }
  ASSERT_TRUE(outer->executeStep());
  EXPECT_EQ(outer->getColumn(0).getInt(), 3);
  EXPECT_EQ(cache_.size(), 1u);
}

TEST_F(StatementCacheTest, AnEndedLeaseHoldsNoReadOpenAcrossACommit) {
  db_.exec("BEGIN");
  {
    auto st = cache_.get("SELECT name FROM t ORDER BY id");
    ASSERT_TRUE(st->executeStep());
  }
  {
    auto insert = cache_.get("INSERT INTO t(name) VALUES(?)");
    insert->bind(1, "d");
    EXPECT_EQ(insert->exec(), 1);
  }
  EXPECT_NO_THROW(db_.exec("COMMIT"));
  EXPECT_EQ(db_.execAndGet("SELECT COUNT(*) FROM t").getInt(), 4);
}

TEST_F(StatementCacheTest, BadSqlThrowsAndCachesNothing) {
  EXPECT_THROW(cache_.get("SELECT nothing FROM nowhere"), SQLite::Exception);
  EXPECT_EQ(cache_.size(), 0u);
}

}  // namespace
}  // namespace disclose::sqlite
