#pragma once

#include <string>
#include <vector>

namespace chorus::server::fanout {

// One socket as fetchSockets returns it, from any node: socket.io's RemoteSocket
// {id, handshake, rooms, data}.
struct socket_description {
  std::string id;
  std::string handshake_json;
  std::vector<std::string> rooms;
  std::string data_json;
};

}  // namespace chorus::server::fanout
