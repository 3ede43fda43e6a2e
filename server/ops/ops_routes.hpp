#pragma once

#include "server/http/router.hpp"

namespace chorus::server {
class server;
}

namespace chorus::server::ops {

// The operator's endpoints, routes on the application's port ahead of its HTTP handler:
//   /healthz  200 "ok" while the process serves requests
//   /readyz   200 once every shard accepts, 503 while the server drains for shutdown
//   /metrics  the Prometheus text exposition (format 0.0.4), summed over `srv`'s shards
// GET and HEAD only (405 otherwise).
void add_ops_routes(http::router& router, server& srv);

}  // namespace chorus::server::ops
