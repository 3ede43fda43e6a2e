#pragma once

#include <string_view>

namespace chorus::server {

// Why a socket or an Engine.IO session ended; the strings are the Socket.IO reference's.
enum class disconnect_reason {
  transport_close,              // the client closed the connection
  transport_error,              // the connection failed (I/O error, WebSocket protocol error)
  ping_timeout,                 // no pong within pingTimeout
  parse_error,                  // the client sent a packet that does not parse
  forced_close,                 // the server closed the session (e.g. no CONNECT in time)
  server_shutting_down,         // graceful shutdown
  client_namespace_disconnect,  // the client sent DISCONNECT for the namespace
  server_namespace_disconnect,  // the application called disconnect()
  write_queue_full,             // the client does not read fast enough
};

constexpr std::string_view to_string(disconnect_reason reason) {
  switch (reason) {
    case disconnect_reason::transport_close:
      return "transport close";
    case disconnect_reason::transport_error:
      return "transport error";
    case disconnect_reason::ping_timeout:
      return "ping timeout";
    case disconnect_reason::parse_error:
      return "parse error";
    case disconnect_reason::forced_close:
      return "forced close";
    case disconnect_reason::server_shutting_down:
      return "server shutting down";
    case disconnect_reason::client_namespace_disconnect:
      return "client namespace disconnect";
    case disconnect_reason::server_namespace_disconnect:
      return "server namespace disconnect";
    case disconnect_reason::write_queue_full:
      return "write queue full";
  }
  return "unknown";
}

}  // namespace chorus::server
