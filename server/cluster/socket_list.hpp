#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/fanout/socket_description.hpp"

namespace chorus::server::cluster {

// socket.io's RemoteSocket list as a fetch answer carries it: [{id, handshake, rooms, data}].
std::string sockets_json(const std::vector<fanout::socket_description>& sockets);

// Only the ids: the legacy SOCKETS answer, ["sid", ...].
std::string socket_ids_json(const std::vector<fanout::socket_description>& sockets);

// The other way: appends a fetch answer's sockets; false when it is not an array of sockets.
bool append_sockets(std::string_view json, std::vector<fanout::socket_description>& out);

}  // namespace chorus::server::cluster
