// adapters/auth: scrypt password hashes in their self-describing form, and the password rules.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "auth/password_hash.h"
#include "auth/random_token.h"

namespace disclose::auth {
namespace {

// Tests hash at a low cost; one test checks the default cost's form.
constexpr ScryptCost kCheap{10, 8, 1};

TEST(PasswordHash, DefaultCostIsWrittenIntoTheStoredString) {
  std::string stored = hash_password("correct horse");
  ASSERT_EQ(stored.rfind("scrypt$15$8$1$", 0), 0u) << stored;
  // scrypt$15$8$1$<16-byte salt hex>$<32-byte key hex>
  std::string rest = stored.substr(std::string("scrypt$15$8$1$").size());
  ASSERT_EQ(rest.size(), 32u + 1 + 64u) << stored;
  EXPECT_EQ(rest[32], '$');
  EXPECT_TRUE(verify_password("correct horse", stored));
  EXPECT_FALSE(verify_password("correct hors", stored));
}

TEST(PasswordHash, VerifiesWithTheParametersOfTheStoredString) {
  std::string stored = hash_password("密码很长的一句话", kCheap);
  EXPECT_EQ(stored.rfind("scrypt$10$8$1$", 0), 0u);
  EXPECT_TRUE(verify_password("密码很长的一句话", stored));
  EXPECT_FALSE(verify_password("密码很长的一句", stored));
  EXPECT_FALSE(verify_password("", stored));
}

TEST(PasswordHash, EachHashHasItsOwnSalt) {
  std::set<std::string> hashes;
  for (int i = 0; i < 5; ++i) hashes.insert(hash_password("same password", kCheap));
  EXPECT_EQ(hashes.size(), 5u);
  for (const std::string& h : hashes) EXPECT_TRUE(verify_password("same password", h));
}

TEST(PasswordHash, MalformedStoredStringsNeverMatch) {
  std::string good = hash_password("password1", kCheap);
  std::string salt_and_key = good.substr(std::string("scrypt$10$8$1$").size());
  for (const std::string& bad :
       {std::string(), std::string("password1"), "bcrypt$10$8$1$" + salt_and_key,
        "scrypt$10$8$1$" + salt_and_key + "$00", "scrypt$99$8$1$" + salt_and_key,
        "scrypt$10$0$1$" + salt_and_key, "scrypt$10$8$x$" + salt_and_key,
        "scrypt$10$8$1$zz" + salt_and_key.substr(2), good.substr(0, good.size() - 1), good + "0"}) {
    EXPECT_FALSE(verify_password("password1", bad)) << bad;
  }
  // A changed key byte no longer matches.
  std::string flipped = good;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  EXPECT_FALSE(verify_password("password1", flipped));
}

TEST(PasswordHash, RefusesParametersOutOfRange) {
  EXPECT_THROW(hash_password("password1", ScryptCost{0, 8, 1}), std::invalid_argument);
  EXPECT_THROW(hash_password("password1", ScryptCost{21, 8, 1}), std::invalid_argument);
}

TEST(PasswordRules, EightTo128CharactersCountedAsCodePoints) {
  EXPECT_FALSE(password_problem("").empty());
  EXPECT_FALSE(password_problem("1234567").empty());
  EXPECT_TRUE(password_problem("12345678").empty());
  EXPECT_TRUE(password_problem(std::string(128, 'a')).empty());
  EXPECT_FALSE(password_problem(std::string(129, 'a')).empty());
  // Eight Chinese characters are 24 bytes but eight characters.
  EXPECT_TRUE(password_problem("政府信息公开申请").empty());
  EXPECT_FALSE(password_problem("政府信息公开申").empty());
  std::string long_chinese;
  for (int i = 0; i < 43; ++i) long_chinese += "政府信";  // 129 characters
  EXPECT_FALSE(password_problem(long_chinese).empty());
}

TEST(RandomToken, HexOfTheAskedLengthAndDifferentEachTime) {
  std::string a = random_hex(32), b = random_hex(32);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}

}  // namespace
}  // namespace disclose::auth
