#include "protocol/json/surrogates.hpp"

namespace chorus::protocol::json {
namespace {

// The code unit of a "\uXXXX" escape starting at `at`, or -1.
int escape_at(std::string_view json, std::size_t at) {
  if (at + 6 > json.size() || json[at] != '\\' || json[at + 1] != 'u') return -1;
  int unit = 0;
  for (std::size_t i = at + 2; i < at + 6; ++i) {
    char c = json[i];
    int digit = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

bool is_high(int unit) {
  return unit >= 0xD800 && unit <= 0xDBFF;
}
bool is_low(int unit) {
  return unit >= 0xDC00 && unit <= 0xDFFF;
}

}  // namespace

bool replace_lone_surrogates(std::string_view json, std::string& out) {
  if (json.find("\\u") == std::string_view::npos) return false;  // the common case: no work
  bool replaced = false;
  std::size_t copied = 0;  // json[copied, i) is still to be appended
  for (std::size_t i = 0; i < json.size();) {
    if (json[i] != '\\') {
      ++i;
      continue;
    }
    int unit = escape_at(json, i);
    if (unit < 0) {  // another escape ("\\", "\"", …): skip both characters
      i += 2;
      continue;
    }
    if (is_high(unit) && is_low(escape_at(json, i + 6))) {
      i += 12;  // a valid pair
      continue;
    }
    if (!is_high(unit) && !is_low(unit)) {
      i += 6;
      continue;
    }
    if (!replaced) {
      out.clear();
      replaced = true;
    }
    out.append(json.substr(copied, i - copied));
    out.append("\\ufffd");
    i += 6;
    copied = i;
  }
  if (replaced) out.append(json.substr(copied));
  return replaced;
}

simdjson::error_code parse_as_javascript(simdjson::dom::parser& parser, std::string_view json,
                                         simdjson::dom::element& root) {
  thread_local std::string sanitized;
  if (replace_lone_surrogates(json, sanitized)) json = sanitized;
  return parser.parse(json.data(), json.size(), true).get(root);
}

}  // namespace chorus::protocol::json
