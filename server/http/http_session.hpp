#pragma once

#include "server/asio.hpp"

namespace chorus::server {
class shard;
}

namespace chorus::server::http {

// Serves HTTP requests on an accepted connection until it closes, is upgraded to WebSocket or
// moves to the shard that owns its Engine.IO session.
awaitable<void> run_http_session(shard& home, tcp::socket socket);

}  // namespace chorus::server::http
