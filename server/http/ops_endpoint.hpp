#pragma once

#include <string_view>

#include "server/asio.hpp"
#include "server/http/connection.hpp"

namespace chorus::server::http {

// The operator's endpoints, on the application's port and ahead of its HTTP handler:
//   /healthz  200 "ok" while the process serves requests
//   /readyz   200 once every shard accepts, 503 while the server drains for shutdown
//   /metrics  the Prometheus text exposition (format 0.0.4)
// GET and HEAD only (405 otherwise).
bool is_ops_path(std::string_view target);
awaitable<outcome> handle_ops_request(connection& conn, request req);

}  // namespace chorus::server::http
