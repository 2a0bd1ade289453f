// Escaping for the text formats the exports and reports write.
#pragma once

#include <string>
#include <string_view>

namespace disclose {

// One RFC 4180 field: quoted (with doubled quotes) when it holds a comma, quote or line break.
std::string csv_field(std::string_view text);
// Text safe inside HTML elements and double- or single-quoted attributes.
std::string html_escape(std::string_view text);

}  // namespace disclose
