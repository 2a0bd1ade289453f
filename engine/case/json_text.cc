#include "disclose/json_text.h"

#include <charconv>

namespace disclose {

JsonText& JsonText::open(char bracket) {
  separate();
  out_ += bracket;
  after_element_ = false;
  return *this;
}

JsonText& JsonText::close(char bracket) {
  out_ += bracket;
  after_element_ = true;
  return *this;
}

void JsonText::separate() {
  if (after_element_) out_ += ',';
}

JsonText& JsonText::key(std::string_view name) {
  separate();
  quoted(name);
  out_ += ':';
  after_element_ = false;
  return *this;
}

JsonText& JsonText::string(std::string_view text) {
  separate();
  quoted(text);
  after_element_ = true;
  return *this;
}

JsonText& JsonText::number(int64_t n) {
  separate();
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out_.append(digits, end);
  after_element_ = true;
  return *this;
}

JsonText& JsonText::boolean(bool b) {
  separate();
  out_ += b ? "true" : "false";
  after_element_ = true;
  return *this;
}

JsonText& JsonText::null() {
  separate();
  out_ += "null";
  after_element_ = true;
  return *this;
}

void JsonText::quoted(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out_ += '"';
  // Runs of plain bytes are copied at once; only what JSON requires is escaped.
  size_t plain_from = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out_.append(text.data() + plain_from, i - plain_from);
    plain_from = i + 1;
    out_ += '\\';
    switch (c) {
      case '"':
      case '\\':
        out_ += static_cast<char>(c);
        break;
      case '\b':
        out_ += 'b';
        break;
      case '\f':
        out_ += 'f';
        break;
      case '\n':
        out_ += 'n';
        break;
      case '\r':
        out_ += 'r';
        break;
      case '\t':
        out_ += 't';
        break;
      default:
        out_ += "u00";
        out_ += kHex[c >> 4];
        out_ += kHex[c & 0xf];
    }
  }
  out_.append(text.data() + plain_from, text.size() - plain_from);
  out_ += '"';
}

}  // namespace disclose
