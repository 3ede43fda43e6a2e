#pragma once

#include <string_view>

namespace chorus::server::http {

// The path of a request target, without the query.
inline std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

// The raw value of a query parameter ("" when absent). Engine.IO's parameters (EIO, transport,
// sid) never need percent-decoding: their valid values are plain ASCII.
inline std::string_view query_param(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace chorus::server::http
