#pragma once

#include <string>

#include "server/asio.hpp"

namespace chorus::server {
class server;
}

namespace chorus::server::metrics {

// The /metrics body: every shard counts its rooms and sockets on its own thread (one post per
// shard), the counters are read where they are; then the exposition text.
awaitable<std::string> scrape(server& srv);

}  // namespace chorus::server::metrics
