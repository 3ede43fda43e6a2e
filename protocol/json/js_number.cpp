#include "protocol/json/js_number.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace chorus::protocol::json {

void append_js_number(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-Infinity" : "Infinity";
    return;
  }
  if (value == 0) {  // +0 and -0 alike
    out += '0';
    return;
  }
  // Integers of up to 2^53 are their own digits (the common case: no float formatting at all).
  if (std::trunc(value) == value && std::fabs(value) <= 9007199254740992.0) {
    char digits[24];
    const auto [end, ec] =
        std::to_chars(digits, digits + sizeof digits, static_cast<std::int64_t>(value));
    out.append(digits, end);
    return;
  }
  // The shortest round-trip digits, as "d.ddde±x", which is what ECMAScript asks for too.
  char text[40];
  const auto [end, ec] =
      std::to_chars(text, text + sizeof text, value, std::chars_format::scientific);
  std::string_view s(text, end - text);
  if (s.front() == '-') {
    out += '-';
    s.remove_prefix(1);
  }
  const std::size_t e_pos = s.find('e');
  std::string digits;
  digits += s[0];
  if (e_pos > 1) digits.append(s.substr(2, e_pos - 2));  // skip "d."
  int exponent = 0;
  std::from_chars(s.data() + e_pos + (s[e_pos + 1] == '+' ? 2 : 1), s.data() + s.size(), exponent);
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;  // the decimal point's place after the first n digits
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<std::size_t>(n));
    out += '.';
    out.append(digits, static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += 'e';
    out += n - 1 < 0 ? '-' : '+';
    out += std::to_string(std::abs(n - 1));
  }
}

void append_json_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  append_js_number(out, value);
}

}  // namespace chorus::protocol::json
