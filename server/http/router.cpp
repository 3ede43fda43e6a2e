#include "server/http/router.hpp"

#include "server/http/query.hpp"

namespace chorus::server::http {

const route* router::find(std::string_view target) const {
  std::string_view path = path_of(target);
  for (const route& r : routes_) {
    if (path == r.path) return &r;
    // Also without the trailing slash, as the reference server accepts.
    if (r.path.ends_with('/') && path == std::string_view(r.path).substr(0, r.path.size() - 1))
      return &r;
  }
  return nullptr;
}

}  // namespace chorus::server::http
