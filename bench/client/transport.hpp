#pragma once

// The two Engine.IO transports of a client connection, WebSocket and long-polling, behind the
// same seam: each hands every Engine.IO packet it receives to the host and sends what the host
// gives it. The host (the worker) knows Socket.IO and the scenarios; the transports know HTTP
// and framing.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <string>
#include <string_view>

#include "bench/client/client_frame.hpp"
#include "bench/client/connection.hpp"
#include "bench/client/options.hpp"

namespace chorus::bench {

class websocket_io;

// A server as the transports need it: where to connect and what to put in the Host header.
struct server_target {
  boost::asio::ip::tcp::endpoint endpoint;
  std::string authority;  // "host:port", also for error messages
};

class transport_host {
 public:
  virtual ~transport_host() = default;
  virtual const bench_options& options() const = 0;
  // The server connection c talks to (its --servers entry).
  virtual const server_target& server(const connection& c) const = 0;
  // The transport is up (WebSocket upgraded, polling handshake answered): the open packet comes.
  virtual void transport_up(const connection_ptr& c) = 0;
  // One Engine.IO packet from the server; false: stop reading (the connection failed or closes).
  virtual bool on_engine_packet(const connection_ptr& c, std::string_view packet) = 0;
  // One Engine.IO binary message (a binary WebSocket message: no type digit); false as above.
  virtual bool on_engine_binary(const connection_ptr& c, std::string_view message) = 0;
  // A transport error; the host fails the run unless the connection is closing on purpose.
  virtual void transport_failed(const connection_ptr& c, std::string what) = 0;
  virtual void spawn(boost::asio::awaitable<void> task) = 0;
  virtual ws::masking_key next_mask() = 0;
  // Reads and writes upgraded WebSocket connections.
  virtual websocket_io& websockets() = 0;
};

// Opens `socket` and connects it to c's server from 127.0.0.(1 + id % --source-ips).
boost::asio::awaitable<boost::system::error_code> tcp_connect(transport_host& host,
                                                              const connection& c,
                                                              boost::asio::ip::tcp::socket& socket);

// WebSocket: the upgrade on the connected socket; then the host's websocket_io reads the frames.
boost::asio::awaitable<void> run_websocket(transport_host& host, connection_ptr c);
// Hands every complete frame in c->in to the host and keeps the rest; false: stop reading.
bool consume_server_frames(transport_host& host, const connection_ptr& c);
void websocket_send(transport_host& host, const connection_ptr& c, std::string_view packet);
// An Engine.IO binary message, in a binary frame.
void websocket_send_binary(transport_host& host, const connection_ptr& c, std::string_view message);

// Long-polling: the handshake GET on the connected socket, then one GET after another; what is
// sent goes out in POSTs on a second socket, one at a time.
boost::asio::awaitable<void> run_polling(transport_host& host, connection_ptr c);
void polling_send(transport_host& host, const connection_ptr& c, std::string_view packet);
// Closes the session on purpose: an Engine.IO close packet, then both sockets.
void polling_close(transport_host& host, const connection_ptr& c);

}  // namespace chorus::bench
