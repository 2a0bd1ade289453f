// `disclose user add --login` and `disclose user passwd` (issue #7), in-process on a temporary
// database.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "auth/password_hash.h"
#include "disclose/cli.h"
#include "disclose/store.h"
#include "sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace disclose {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int status;
  std::string out;
  std::string err;
};

class CliAuth : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = (dir_ / "test.db").string();
    ASSERT_EQ(run({"agency", "add", "zrzy", "--name", "区自然资源局"}).status, 0);
  }

  CliRun run(std::vector<std::string> args, const std::string& stdin_text = "") {
    std::vector<std::string> full = {"--db", db_, "--workflows", DISCLOSE_SOURCE_WORKFLOWS};
    full.insert(full.end(), args.begin(), args.end());
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    int status = cli::run(full, in, out, err);
    return {status, out.str(), err.str()};
  }

  std::optional<Credentials> credentials(int64_t id) {
    return open_sqlite_store(SqliteOptions{db_})->credentials(id);
  }

  fixture::TempDir dir_;
  std::string db_;
};

TEST_F(CliAuth, UserAddTakesALoginAndPasswdSetsThePassword) {
  CliRun added = run({"user", "add", "--name", "李四", "--role", "registrar", "--agency", "zrzy",
                      "--login", "lisi"});
  ASSERT_EQ(added.status, 0) << added.err;
  EXPECT_EQ(credentials(1)->user.login, "lisi");
  EXPECT_TRUE(credentials(1)->password_hash.empty());
  CliRun set = run({"user", "passwd", "1", "--password-stdin"}, "一个足够长的密码\n");
  ASSERT_EQ(set.status, 0) << set.err;
  EXPECT_NE(set.out.find("login lisi"), std::string::npos) << set.out;
  std::string hash = credentials(1)->password_hash;
  EXPECT_EQ(hash.rfind("scrypt$15$8$1$", 0), 0u) << hash;
  EXPECT_TRUE(auth::verify_password("一个足够长的密码", hash));
  EXPECT_NE(run({"user", "list"}).out.find("\tlogin lisi"), std::string::npos);
}

TEST_F(CliAuth, PasswdSetsTheLoginAndEndsTheUsersSessions) {
  ASSERT_EQ(run({"user", "add", "--name", "王五", "--role", "handler", "--agency", "zrzy"}).status,
            0);
  {
    auto store = open_sqlite_store(SqliteOptions{db_});
    SessionRecord s;
    s.user_id = 1;
    s.csrf_token = "c";
    store->create_session("hash-of-a-cookie", s);
    ASSERT_TRUE(store->find_session("hash-of-a-cookie"));
  }
  // Without a login yet, --login is needed.
  CliRun no_login = run({"user", "passwd", "1", "--password-stdin"}, "password123\n");
  EXPECT_NE(no_login.status, 0);
  EXPECT_NE(no_login.err.find("--login"), std::string::npos) << no_login.err;
  CliRun ok =
      run({"user", "passwd", "1", "--login", "wangwu", "--password-stdin"}, "password123\r\n");
  ASSERT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(credentials(1)->user.login, "wangwu");
  EXPECT_TRUE(auth::verify_password("password123", credentials(1)->password_hash));
  EXPECT_FALSE(open_sqlite_store(SqliteOptions{db_})->find_session("hash-of-a-cookie"));
}

TEST_F(CliAuth, ClearErrorsAndNothingChanged) {
  ASSERT_EQ(run({"user", "add", "--name", "甲", "--role", "handler", "--agency", "zrzy", "--login",
                 "jia"})
                .status,
            0);
  ASSERT_EQ(run({"user", "add", "--name", "乙", "--role", "handler", "--agency", "zrzy"}).status,
            0);
  CliRun unknown = run({"user", "passwd", "99", "--password-stdin"}, "password123\n");
  EXPECT_NE(unknown.status, 0);
  EXPECT_NE(unknown.err.find("no user 99"), std::string::npos) << unknown.err;
  CliRun taken =
      run({"user", "passwd", "2", "--login", "JIA", "--password-stdin"}, "password123\n");
  EXPECT_NE(taken.status, 0);
  EXPECT_NE(taken.err.find("taken"), std::string::npos) << taken.err;
  CliRun short_one = run({"user", "passwd", "1", "--password-stdin"}, "short\n");
  EXPECT_NE(short_one.status, 0);
  EXPECT_NE(short_one.err.find("at least 8"), std::string::npos) << short_one.err;
  CliRun empty = run({"user", "passwd", "1", "--password-stdin"}, "");
  EXPECT_NE(empty.status, 0);
  CliRun bad_login =
      run({"user", "passwd", "2", "--login", "a b", "--password-stdin"}, "password123\n");
  EXPECT_NE(bad_login.status, 0);
  CliRun add_taken = run(
      {"user", "add", "--name", "丙", "--role", "handler", "--agency", "zrzy", "--login", "jia"});
  EXPECT_NE(add_taken.status, 0);
  EXPECT_NE(add_taken.err.find("taken"), std::string::npos) << add_taken.err;
  EXPECT_TRUE(credentials(1)->password_hash.empty());
  EXPECT_TRUE(credentials(2)->user.login.empty());
  EXPECT_FALSE(credentials(3));
}

}  // namespace
}  // namespace disclose
