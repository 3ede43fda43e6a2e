#pragma once

#include <memory>

#include "server/http/access_log.hpp"
#include "server/http/http_types.hpp"
#include "server/http/router.hpp"

namespace chorus::server::http {

// What one server's HTTP sessions serve: the routes the layers above registered (Engine.IO's
// path, the operator endpoints), the handler for every other request, and the access log (null:
// off). Owned by the server, filled before it starts, read-only once it runs; every connection
// holds a reference, so HTTP never asks the server for it.
struct site {
  http::router router;
  http_handler fallback;
  std::shared_ptr<http::access_log> log;
};

}  // namespace chorus::server::http
