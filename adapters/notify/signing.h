// Byte-level helpers the notification signers share: base64, HMAC-SHA256 and URL encoding.
// Internal to the notify adapter; the signers themselves are declared in disclose/notification.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace disclose::notify {

// RFC 4648 base64 with the standard alphabet and '=' padding (what all three signers use).
std::string base64_encode(std::string_view bytes);
// Accepts padded or unpadded standard base64; nullopt on any other character or a stray '='.
std::optional<std::string> base64_decode(std::string_view text);

// The raw 32-byte HMAC-SHA256 of `message` under `key`. Throws std::runtime_error if OpenSSL
// fails, which only happens when the library itself is broken.
std::string hmac_sha256(std::string_view key, std::string_view message);

// Percent-encodes every byte outside RFC 3986's unreserved set (A–Z a–z 0–9 - . _ ~), so a
// base64 signature survives a query string ('+' must not turn into a space on the way).
std::string url_encode(std::string_view text);

}  // namespace disclose::notify
