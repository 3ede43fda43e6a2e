#include "server/guard/origin_policy.hpp"

#include <boost/algorithm/string/predicate.hpp>

namespace chorus::server::guard {
namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '/')) text.remove_suffix(1);
  return text;
}

bool listed(std::string_view origin, std::string_view allowed) {
  while (!allowed.empty()) {
    auto comma = allowed.find(',');
    std::string_view one = trimmed(allowed.substr(0, comma));
    if (!one.empty() && boost::algorithm::iequals(one, origin)) return true;
    if (comma == std::string_view::npos) break;
    allowed.remove_prefix(comma + 1);
  }
  return false;
}

// Same origin: "scheme://host[:port]" names the host the request was sent to. The scheme is not
// compared (behind a TLS-terminating proxy the server sees http for an https page).
bool same_origin(std::string_view origin, std::string_view host) {
  auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos || host.empty()) return false;
  std::string_view authority = origin.substr(scheme_end + 3);
  return !authority.empty() && boost::algorithm::iequals(authority, host);
}

}  // namespace

bool origin_allowed(std::string_view origin, std::string_view host, std::string_view allowed) {
  if (allowed == "*") return true;
  if (allowed.empty()) return same_origin(origin, host);
  return listed(origin, allowed);
}

}  // namespace chorus::server::guard
