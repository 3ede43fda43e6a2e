#pragma once

#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstddef>

#include "server/asio.hpp"

namespace chorus::server::http {

// Half-closes `stream`, then reads and drops what the peer still sends for at most `timeout`
// and `budget` bytes. Closing a socket with unread input makes the kernel answer with a reset,
// which can destroy the response just written; this gives the peer the time to read it.
// `stream` must outlive the returned awaitable (callers co_await it at once).
awaitable<void> drain_before_close(boost::beast::tcp_stream& stream,
                                   std::chrono::milliseconds timeout, std::size_t budget);

}  // namespace chorus::server::http
