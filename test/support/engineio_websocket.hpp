#pragma once

// An Engine.IO WebSocket to a server on loopback, under the server tests' Socket.IO clients
// (Beast's WebSocket client, so chorus's own framing is checked against another implementation).

#include <sys/socket.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdint>
#include <string>

#include "server/asio.hpp"

namespace chorus::server {

using test_websocket = boost::beast::websocket::stream<tcp::socket>;

// Connects `ws` to 127.0.0.1:`port` and opens an Engine.IO session over WebSocket; a read that
// never completes then fails the test after 5 s instead of hanging it. Returns the OPEN packet.
inline std::string open_engineio_websocket(test_websocket& ws, std::uint16_t port) {
  ws.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  timeval bound{5, 0};
  ::setsockopt(ws.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  ws.handshake("127.0.0.1", "/socket.io/?EIO=4&transport=websocket");
  boost::beast::flat_buffer open;
  ws.read(open);
  return boost::beast::buffers_to_string(open.data());
}

}  // namespace chorus::server
