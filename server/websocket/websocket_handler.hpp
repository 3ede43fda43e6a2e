#pragma once

#include <string_view>

#include "server/disconnect_reason.hpp"

namespace chorus::server {

class websocket_connection;

// What a websocket_connection delivers to: in the server its Engine.IO session, in tests a stub.
// Every call comes on the connection's shard thread; `ws` says which connection (a session may
// hold an upgrade probe next to its transport).
class websocket_handler {
 public:
  // A complete text or binary message.
  virtual void on_websocket_text(websocket_connection& ws, std::string_view text) = 0;
  virtual void on_websocket_binary(websocket_connection& ws, std::string_view bytes) = 0;
  // Once, after the connection's reader and any writer have ended: why it ended.
  virtual void on_websocket_closed(websocket_connection& ws, disconnect_reason reason) = 0;

 protected:
  ~websocket_handler() = default;  // not deleted through this interface
};

}  // namespace chorus::server
