// Writes JSON text straight into a string, for documents written often enough that building a
// json::object first costs more than writing the text (the stored case document, once per
// action). What it writes is what json::serialize prints for the same tree: no whitespace,
// Boost.JSON's escapes (\" \\ \b \f \n \r \t, \u00xx for the other control characters,
// everything else byte for byte), so a document may be written either way and compares equal.
//
// The caller keeps the nesting right; the writer only places the commas and colons.
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>

namespace disclose {

class JsonText {
 public:
  explicit JsonText(std::string& out) : out_(out) {}

  JsonText& begin_object() { return open('{'); }
  JsonText& end_object() { return close('}'); }
  JsonText& begin_array() { return open('['); }
  JsonText& end_array() { return close(']'); }

  // The key of the next member; its value follows with one of the calls below.
  JsonText& key(std::string_view name);

  JsonText& string(std::string_view text);
  JsonText& number(int64_t n);
  JsonText& boolean(bool b);
  JsonText& null();

  // key(name) then the value, for the common case.
  JsonText& field(std::string_view name, std::string_view text) { return key(name).string(text); }
  JsonText& field(std::string_view name, const char* text) { return key(name).string(text); }
  JsonText& field(std::string_view name, const std::string& text) { return key(name).string(text); }
  JsonText& field(std::string_view name, bool b) { return key(name).boolean(b); }
  // Signed only: an unsigned value past INT64_MAX would print negative here, unlike Boost.
  template <std::signed_integral Int>
  JsonText& field(std::string_view name, Int n) {
    return key(name).number(n);
  }

 private:
  JsonText& open(char bracket);
  JsonText& close(char bracket);
  void separate();  // a comma before every element but the first of its container
  void quoted(std::string_view text);

  std::string& out_;
  bool after_element_ = false;  // the last thing written ends an element
};

}  // namespace disclose
