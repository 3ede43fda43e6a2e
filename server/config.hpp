#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "server/recovery/recovery_options.hpp"

namespace chorus::server {

// How Socket.IO packets are written on the wire (--parser): socket.io-parser's JSON text (the
// default) or socket.io-msgpack-parser's one binary msgpack message per packet. Clients must use
// the same one.
enum class packet_parser : std::uint8_t { json, msgpack };

// Everything a server instance is configured with. Defaults are the Socket.IO reference server's.
struct server_config {
  std::string host = "0.0.0.0";
  std::uint16_t port = 3000;
  unsigned threads = 0;  // 0: one per core
  // Where Engine.IO is served ("/socket.io/" for Socket.IO; "/engine.io/" for bare Engine.IO).
  std::string path = "/socket.io/";
  std::chrono::milliseconds ping_interval{25'000};
  std::chrono::milliseconds ping_timeout{20'000};
  std::chrono::milliseconds connect_timeout{45'000};
  std::chrono::milliseconds upgrade_timeout{10'000};
  // Bound on reading one HTTP request (headers and body), and on an idle keep-alive connection.
  std::chrono::milliseconds http_timeout{10'000};
  // Bound on a graceful shutdown (SIGTERM/SIGINT); past it what is left is closed hard.
  std::chrono::milliseconds shutdown_timeout{10'000};
  std::size_t max_payload = 1'000'000;  // bytes per polling body / WebSocket message
  std::size_t max_header_bytes = 8 * 1024;
  // Bytes queued for one connection before it is disconnected; a single packet always fits.
  std::size_t max_queued_bytes = 1024 * 1024;
  // Who may call the Engine.IO endpoint from a browser (--allowed-origins; --cors-origin is the
  // same list): "" same origin only, "*" any origin, otherwise a comma-separated list. A request
  // with another Origin is refused (403); the list also decides the CORS headers.
  std::string cors_origin;
  // Connection limits (server/guard/connection_guard.hpp); 0 turns each off, except that
  // max_connections 0 means the open-file limit less a reserve.
  std::size_t max_connections = 0;
  std::size_t max_connections_per_ip = 0;
  double handshakes_per_second_per_ip = 0;
  // Each shard's writes of one event-loop turn go out in one io_uring submission; false: one
  // sendmsg per connection (server/websocket/sendmsg_batch.hpp).
  bool io_uring = true;
  // PEM files; both set: the listener speaks TLS only (https, wss). See server/tls.
  std::string tls_cert;
  std::string tls_key;
  packet_parser parser = packet_parser::json;
  // Connection state recovery (server/recovery): off unless recovery.window is set.
  recovery::recovery_options recovery;
};

}  // namespace chorus::server
