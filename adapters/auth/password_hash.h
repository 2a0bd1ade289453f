// Password hashing for staff sign-in (issue #7): scrypt (OpenSSL EVP_PBE_scrypt) with a random
// 16-byte salt, stored as a self-describing string
//
//   scrypt$<log2 N>$<r>$<p>$<salt hex>$<hash hex>
//
// so the cost can be raised later without invalidating stored hashes: verification always uses
// the parameters written in the string.
#pragma once

#include <string>
#include <string_view>

namespace disclose::auth {

struct ScryptCost {
  int log2_n = 15;  // N = 2^15: 32 MiB and a few tens of milliseconds per hash
  int r = 8;
  int p = 1;
};

// Passwords are 8 to 128 characters (UTF-8 code points); "" when acceptable, else why not.
std::string password_problem(std::string_view password);

// A new salted hash. Throws std::runtime_error when OpenSSL fails (no randomness, no memory).
std::string hash_password(std::string_view password, ScryptCost cost = {});

// True when `password` matches `stored`. A malformed or empty `stored` never matches. The
// comparison of the derived key takes the same time wherever the first difference lies.
bool verify_password(std::string_view password, std::string_view stored);

}  // namespace disclose::auth
