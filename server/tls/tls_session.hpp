#pragma once

#include <memory>

#include "server/asio.hpp"

namespace boost::asio::ssl {
class context;
}

namespace chorus::server {
class shard;
}

namespace chorus::server::tls {

// Serves one accepted connection on the TLS listener: the TLS handshake (bounded by the HTTP
// timeout), then an in-process tunnel. The decrypted bytes go through a socketpair whose other
// end is served by the plain HTTP session like any accepted TCP socket, so the HTTP, polling,
// migration and WebSocket code (and its sendmsg fast path) stay exactly as they are; this
// coroutine pumps bytes between the two until either side closes.
awaitable<void> run_tls_session(shard& home, tcp::socket socket,
                                std::shared_ptr<boost::asio::ssl::context> context);

}  // namespace chorus::server::tls
