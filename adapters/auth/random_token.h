// Unguessable tokens for sign-in sessions and their CSRF tokens (issue #7).
#pragma once

#include <cstddef>
#include <string>

namespace disclose::auth {

// `bytes` random bytes from OpenSSL's CSPRNG as lowercase hex (2 * bytes characters).
// Throws std::runtime_error when no randomness is available.
std::string random_hex(size_t bytes);

}  // namespace disclose::auth
