// The three signatures a receiver checks: Standard Webhooks, DingTalk's signed URL and Feishu's
// signed body, plus the byte helpers they are built from.
#include "notify/signing.h"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <stdexcept>

#include "disclose/notification.h"

namespace disclose {
namespace notify {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                 (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                 uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (rest == 2) n |= uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  // Padding is optional (some secret generators strip it) but may only close the text.
  size_t end = text.size();
  while (end > 0 && text[end - 1] == '=') --end;
  if (text.size() - end > 2 || end % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(end / 4 * 3 + 2);
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < end; ++i) {
    int v = base64_value(text[i]);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view message) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  size_t size = 0;
  // EVP_Q_mac is OpenSSL 3's one-call MAC; the tests check it against the older HMAC() API.
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                digest.data(), digest.size(), &size) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed in OpenSSL");
  }
  return std::string(reinterpret_cast<const char*>(digest.data()), size);
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace notify

std::string standard_webhook_signature(const std::string& secret, const std::string& message_id,
                                       long long unix_seconds, const std::string& body) {
  // A "whsec_" secret carries its key in base64. One that does not decode is used as text,
  // like any other secret: the receiver was configured with the same string, and refusing to
  // sign would only turn a typo into silently unsigned deliveries.
  std::string key = secret;
  constexpr std::string_view kPrefix = "whsec_";
  if (secret.starts_with(kPrefix)) {
    if (auto decoded = notify::base64_decode(std::string_view(secret).substr(kPrefix.size()))) {
      key = std::move(*decoded);
    }
  }
  std::string signed_content = message_id + "." + std::to_string(unix_seconds) + "." + body;
  return "v1," + notify::base64_encode(notify::hmac_sha256(key, signed_content));
}

std::string dingtalk_sign(const std::string& secret, long long unix_millis) {
  return notify::base64_encode(
      notify::hmac_sha256(secret, std::to_string(unix_millis) + "\n" + secret));
}

std::string feishu_sign(const std::string& secret, long long unix_seconds) {
  // Feishu's documented quirk: the "<timestamp>\n<secret>" text is the HMAC key and the
  // message is empty.
  return notify::base64_encode(
      notify::hmac_sha256(std::to_string(unix_seconds) + "\n" + secret, ""));
}

}  // namespace disclose
