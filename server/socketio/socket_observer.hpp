#pragma once

#include <string_view>

#include "server/disconnect_reason.hpp"

namespace chorus::server::socketio {

class socket;

// Told what sockets do, for tools that watch a server (the Admin UI's development mode). Called
// on the socket's shard thread, during the change: it must only take note (copy what it needs,
// hand it elsewhere) and never call back into the socket's mutating API.
class socket_observer {
 public:
  virtual ~socket_observer() = default;
  // The socket is in its namespace (CONNECT answered, before the connection handler) and in the
  // room named by its id. First of all calls: joined follows for the rooms it is in already (its
  // own id first, then those a recovered session came back with).
  virtual void connected(const socket& s) = 0;
  // The socket left its namespace; it is still readable (id, nsp). Then `left` for each room it
  // was in, its own included (socket.io's order). Before the disconnect handler.
  virtual void disconnected(const socket& s, disconnect_reason reason) = 0;
  // Every change of room, the own-id room included (joining a room it is in says nothing).
  virtual void joined(const socket& s, std::string_view room) = 0;
  virtual void left(const socket& s, std::string_view room) = 0;
  // An event from the client, and one emitted to this socket alone (socket.emit); args_json is
  // the arguments after the name as comma-separated JSON ("" for none).
  virtual void event_received(const socket& s, std::string_view event_name,
                              std::string_view args_json) = 0;
  virtual void event_sent(const socket& s, std::string_view event_name,
                          std::string_view args_json) = 0;
  // The socket's Engine.IO connection moved from long-polling to WebSocket.
  virtual void transport_upgraded(const socket& s) = 0;
};

}  // namespace chorus::server::socketio
