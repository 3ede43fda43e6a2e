#pragma once

#include "server/asio.hpp"
#include "server/config.hpp"
#include "server/http/connection.hpp"
#include "server/http/router.hpp"

namespace chorus::server::engineio {

// Serves one request on the Engine.IO path (/socket.io/): handshakes, long-polling GET/POST,
// WebSocket upgrades. Requests for a session owned by another shard move there first.
// The request's header has been read; its body is read here, on the owning shard.
awaitable<http::outcome> handle_request(http::connection& conn, http::request_parser_ptr parser);

// A polling body over maxPayload ends the session it was meant for (on whichever shard).
void refuse_oversized_body(shard& home, const http::request& req);

// Engine.IO's route on the server's HTTP router: `config.path` served by handle_request.
http::route make_route(const server_config& config);

}  // namespace chorus::server::engineio
