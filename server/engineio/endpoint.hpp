#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "server/asio.hpp"
#include "server/config.hpp"
#include "server/engineio/session_handler.hpp"
#include "server/engineio/session_registry.hpp"
#include "server/guard/connection_guard.hpp"
#include "server/http/connection.hpp"
#include "server/http/router.hpp"

namespace chorus::server::engineio {

// What the endpoint is given by the server that composes it (and nothing else of it).
struct endpoint_services {
  // Every shard, by index: the one a sid names serves its session's requests.
  std::vector<shard*> shards;
  // Each shard's sessions, by the same index. Not owned.
  std::vector<session_registry*> sessions;
  // The per-address handshake rate (--handshakes-per-second-per-ip). Not owned.
  guard::connection_guard* guard = nullptr;
  // Makes the handler that runs on top of each new session (Socket.IO, or an echo).
  std::function<std::unique_ptr<session_handler>(shard& home)> make_handler;
};

// Serves one request on the Engine.IO path (/socket.io/): handshakes, long-polling GET/POST,
// WebSocket upgrades. Requests for a session owned by another shard move there first.
// The request's header has been read; its body is read here, on the owning shard.
awaitable<http::outcome> handle_request(const endpoint_services& services, http::connection& conn,
                                        http::request_parser_ptr parser);

// A polling body over maxPayload ends the session it was meant for (on whichever shard).
void refuse_oversized_body(const endpoint_services& services, const http::request& req);

// Engine.IO's route on the server's HTTP router: `config.path` served by handle_request.
http::route make_route(const server_config& config,
                       std::shared_ptr<const endpoint_services> services);

}  // namespace chorus::server::engineio
