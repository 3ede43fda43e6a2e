#pragma once

#include <string_view>

#include "server/asio.hpp"
#include "server/guard/connection_guard.hpp"

namespace chorus::server {
class shard;
}

namespace chorus::server::http {

struct site;

// Connections over --max-connections that are still read: a liveness probe must not fail (and
// restart the process) because the server is busy. Beyond them an over-limit connection is
// refused unread (guard::refuse_connection).
constexpr std::size_t over_limit_reserve = 8;

// Serves one connection over the limit, holding a place in the reserve: reads one request header
// under --http-timeout, answers the routes marked over_limit (the operator endpoints: /healthz,
// /readyz, /metrics) as usual and anything else with "503 Service Unavailable" and `message`,
// then closes.
awaitable<void> answer_over_limit(shard& home, const site& site, tcp::socket socket,
                                  guard::connection_slot reserve, std::string_view message);

}  // namespace chorus::server::http
