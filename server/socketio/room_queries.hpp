#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/asio.hpp"
#include "server/fanout/adapter.hpp"

namespace chorus::server {
class node_services;
}

namespace chorus::server::socketio {

// Questions about a room, asked of the server's adapter (every shard, and later every node):
// each shard answers for the sockets it owns, on its own thread, and the answers are gathered.
// Awaitable from a coroutine on any executor.

// The ids of the sockets in `room` of namespace `nsp`.
awaitable<std::vector<std::string>> room_members(node_services& node, std::string nsp,
                                                 std::string room);
// How many sockets are in `room`.
awaitable<std::size_t> room_size(node_services& node, std::string nsp, std::string room);
// The names of every room of namespace `nsp` (each socket's own room included).
awaitable<std::vector<std::string>> room_names(node_services& node, std::string nsp);
// Every socket leaves `room` (socket.io's socketsLeave / Flask-SocketIO's close_room).
awaitable<void> close_room(node_services& node, std::string nsp, std::string room);

// socket.io's serverSideEmit on namespace `nsp`: the event (args_json: comma-separated JSON) to
// the handlers the other nodes registered with on_server_event; never this node's.
void server_side_emit(node_services& node, std::string nsp, std::string_view event_name,
                      std::string_view args_json = {});
// The same, gathering each other node's reply until the cluster's request timeout.
awaitable<fanout::server_replies> server_side_emit_with_ack(node_services& node, std::string nsp,
                                                            std::string_view event_name,
                                                            std::string_view args_json = {});

}  // namespace chorus::server::socketio
