#include "server/engineio/handshake_request.hpp"

#include <algorithm>

namespace chorus::server::engineio {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// querystring.unescape: '+' is a space, %XX a byte; a malformed escape stays as it is.
std::string decode_component(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < raw.size() && hex_value(raw[i + 1]) >= 0 &&
               hex_value(raw[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(raw[i + 1]) * 16 + hex_value(raw[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

const std::string* handshake_request::header(std::string_view lowercase_name) const {
  for (const auto& [name, value] : headers)
    if (name == lowercase_name) return &value;
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> handshake_request::query() const {
  std::vector<std::pair<std::string, std::string>> params;
  std::string_view rest(target);
  auto q = rest.find('?');
  if (q == std::string_view::npos) return params;
  rest.remove_prefix(q + 1);
  rest = rest.substr(0, rest.find('#'));
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string name = decode_component(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : decode_component(pair.substr(eq + 1));
    bool seen = std::any_of(params.begin(), params.end(),
                            [&](const auto& param) { return param.first == name; });
    if (!seen) params.emplace_back(std::move(name), std::move(value));
  }
  return params;
}

}  // namespace chorus::server::engineio
