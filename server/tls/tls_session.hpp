#pragma once

#include <memory>

#include "server/asio.hpp"
#include "server/guard/connection_guard.hpp"

namespace boost::asio::ssl {
class context;
}

namespace chorus::server {
class shard;
}
namespace chorus::server::http {
struct site;
}

namespace chorus::server::tls {

// Serves one accepted connection on the TLS listener: the TLS handshake (bounded by the HTTP
// timeout), then the HTTP session on the same descriptor, every byte going through the
// connection's tls_channel (see http::client_stream and websocket_connection). `slot` is its
// place in the connection counts, with the client's real address for the per-address limits.
awaitable<void> run_tls_session(shard& home, const http::site& site, tcp::socket socket,
                                guard::connection_slot slot,
                                std::shared_ptr<boost::asio::ssl::context> context);

}  // namespace chorus::server::tls
