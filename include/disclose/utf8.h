// UTF-8 well-formedness. Text from files, URLs and headers reaches JSON output and the database,
// where a stray byte makes a document that no JSON parser accepts; check it at the edge.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace disclose {

// The offset of the first byte that is not part of well-formed UTF-8 (a stray continuation
// byte, a truncated or overlong sequence, a surrogate, a code point past U+10FFFF); nullopt when
// the whole text is well-formed.
std::optional<std::size_t> utf8_error_offset(std::string_view text);

inline bool is_utf8(std::string_view text) {
  return !utf8_error_offset(text).has_value();
}

}  // namespace disclose
