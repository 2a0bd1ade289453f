#include "auth/random_token.h"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace disclose::auth {

std::string random_hex(size_t bytes) {
  std::vector<unsigned char> random(bytes);
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char b : random) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0F];
  }
  return out;
}

}  // namespace disclose::auth
