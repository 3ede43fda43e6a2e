#include "protocol/json/escape.hpp"

namespace chorus::protocol::json {
namespace {

bool needs_escape(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\';
}

void append_escape(std::string& out, unsigned char c) {
  constexpr std::string_view hex = "0123456789abcdef";
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 0xf];
  }
}

}  // namespace

void append_quoted(std::string& out, std::string_view utf8) {
  out.reserve(out.size() + utf8.size() + 2);
  out += '"';
  // Copy unescaped runs in one append: most strings (event names, sids) need no escaping at all.
  std::size_t run = 0;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (!needs_escape(c)) continue;
    out.append(utf8.data() + run, i - run);
    append_escape(out, c);
    run = i + 1;
  }
  out.append(utf8.data() + run, utf8.size() - run);
  out += '"';
}

std::string quoted(std::string_view utf8) {
  std::string out;
  append_quoted(out, utf8);
  return out;
}

}  // namespace chorus::protocol::json
