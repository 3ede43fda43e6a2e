#pragma once

#include <string>
#include <string_view>

// The Redis keys of the chat's cluster state, all under the cluster's --redis-key, so that two
// clusters sharing a Redis keep apart. A room or user name is the key's last part, after a fixed
// infix, so no name can reach another kind of key.
namespace chorus::server::chat::keys {

// A capped stream per room ("" is the lobby) of its newest messages.
std::string history(std::string_view prefix, std::string_view room);
// The counter message ids come from (INCR), shared by every room and node.
std::string message_id(std::string_view prefix);
// A hash per room: field "<node>:<username>" -> that node's sockets in the room under that name,
// and field "v" -> the version of the room's last roster.
std::string room_presence(std::string_view prefix, std::string_view room);
// A hash per signed-in user: field "<node>" -> that node's sockets signed in under the name.
std::string user_presence(std::string_view prefix, std::string_view username);
// The counter roster versions come from, shared by every room (INCR).
std::string presence_version(std::string_view prefix);
// A node is alive while "<node_prefix><node id>" exists (it is set with a TTL and refreshed).
std::string node_prefix(std::string_view prefix);

// The field of `username` on `node` in a room_presence hash.
std::string room_field(std::string_view node, std::string_view username);

}  // namespace chorus::server::chat::keys
