#include "auth/password_hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

namespace disclose::auth {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kKeyBytes = 32;
// Bounds on parameters read back from a stored string, so a corrupted row cannot make one
// sign-in allocate gigabytes or spin for minutes.
constexpr int kMaxLog2N = 20;
constexpr int kMaxR = 32;
constexpr int kMaxP = 16;

std::string to_hex(const unsigned char* bytes, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0x0F];
  }
  return out;
}

std::optional<std::vector<unsigned char>> from_hex(std::string_view text) {
  if (text.empty() || text.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::vector<unsigned char> out;
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = digit(text[i]), lo = digit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<unsigned char>(hi * 16 + lo));
  }
  return out;
}

std::optional<int> small_number(std::string_view text, int min, int max) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (value < min || value > max) return std::nullopt;
  return value;
}

// scrypt needs about 128 * r * N bytes (plus 128 * r * p); allow twice that.
uint64_t memory_bound(const ScryptCost& cost) {
  return 2 * 128 * uint64_t(cost.r) * ((uint64_t(1) << cost.log2_n) + uint64_t(cost.p) + 2);
}

bool derive(std::string_view password, const unsigned char* salt, size_t salt_size,
            const ScryptCost& cost, unsigned char* key, size_t key_size) {
  return EVP_PBE_scrypt(password.data(), password.size(), salt, salt_size,
                        uint64_t(1) << cost.log2_n, uint64_t(cost.r), uint64_t(cost.p),
                        memory_bound(cost), key, key_size) == 1;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t at = text.find(separator); at != std::string_view::npos;
       at = text.find(separator, start)) {
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
  parts.push_back(text.substr(start));
  return parts;
}

}  // namespace

std::string password_problem(std::string_view password) {
  size_t code_points = 0;
  for (char c : password)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++code_points;
  if (code_points < 8) return "at least 8 characters";
  if (code_points > 128) return "at most 128 characters";
  return "";
}

std::string hash_password(std::string_view password, ScryptCost cost) {
  if (cost.log2_n < 1 || cost.log2_n > kMaxLog2N || cost.r < 1 || cost.r > kMaxR || cost.p < 1 ||
      cost.p > kMaxP)
    throw std::invalid_argument("hash_password: scrypt parameters out of range");
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, sizeof salt) != 1) throw std::runtime_error("RAND_bytes failed");
  unsigned char key[kKeyBytes];
  if (!derive(password, salt, sizeof salt, cost, key, sizeof key))
    throw std::runtime_error("EVP_PBE_scrypt failed");
  return "scrypt$" + std::to_string(cost.log2_n) + "$" + std::to_string(cost.r) + "$" +
         std::to_string(cost.p) + "$" + to_hex(salt, sizeof salt) + "$" + to_hex(key, sizeof key);
}

bool verify_password(std::string_view password, std::string_view stored) {
  std::vector<std::string_view> parts = split(stored, '$');
  if (parts.size() != 6 || parts[0] != "scrypt") return false;
  auto log2_n = small_number(parts[1], 1, kMaxLog2N);
  auto r = small_number(parts[2], 1, kMaxR);
  auto p = small_number(parts[3], 1, kMaxP);
  auto salt = from_hex(parts[4]);
  auto expected = from_hex(parts[5]);
  if (!log2_n || !r || !p || !salt || !expected || expected->size() > 64) return false;
  std::vector<unsigned char> key(expected->size());
  if (!derive(password, salt->data(), salt->size(), ScryptCost{*log2_n, *r, *p}, key.data(),
              key.size()))
    return false;
  return CRYPTO_memcmp(key.data(), expected->data(), key.size()) == 0;
}

}  // namespace disclose::auth
