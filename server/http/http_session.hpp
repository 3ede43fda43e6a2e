#pragma once

#include "server/asio.hpp"
#include "server/guard/connection_guard.hpp"
#include "server/http/client_stream.hpp"

namespace chorus::server {
class shard;
}

namespace chorus::server::http {

struct site;

// Serves HTTP requests for `site` on an accepted connection until it closes, is upgraded to
// WebSocket or moves to the shard that owns its Engine.IO session. `slot` is its place in the
// connection counts.
awaitable<void> run_http_session(shard& home, const site& site, tcp::socket socket,
                                 guard::connection_slot slot);
// The same on a stream whose TLS handshake is done.
awaitable<void> run_http_session(shard& home, const site& site, client_stream stream,
                                 guard::connection_slot slot);

}  // namespace chorus::server::http
