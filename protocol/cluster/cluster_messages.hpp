#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/cluster/types.hpp"

// The ClusterAdapter envelope (socket.io-adapter 2.5 cluster-adapter.ts, SCALEOUT.md §2) as
// @socket.io/redis-adapter 8.3's sharded adapter publishes it (§1b): JSON text of the whole
// message, except that a BROADCAST, FETCH_SOCKETS_RESPONSE, SERVER_SIDE_EMIT,
// SERVER_SIDE_EMIT_RESPONSE or BROADCAST_ACK whose data holds binary is notepack msgpack of the
// whole message. Receivers read a payload whose first byte is '{' as JSON, any other as msgpack.
// Decoding refuses wrong shapes as redis_messages.hpp does, with the same bounds.
namespace chorus::protocol::cluster {

namespace cluster_type {
inline constexpr int initial_heartbeat = 1;
inline constexpr int heartbeat = 2;
inline constexpr int broadcast = 3;
inline constexpr int sockets_join = 4;
inline constexpr int sockets_leave = 5;
inline constexpr int disconnect_sockets = 6;
inline constexpr int fetch_sockets = 7;
inline constexpr int fetch_sockets_response = 8;
inline constexpr int server_side_emit = 9;
inline constexpr int server_side_emit_response = 10;
inline constexpr int broadcast_client_count = 11;
inline constexpr int broadcast_ack = 12;
inline constexpr int adapter_close = 13;
}  // namespace cluster_type

// {uid, nsp, type, data?}; which fields of data a type has:
//   1, 2, 13  —
//   3   packet, opts, request_id ("" : no acks; else a broadcast with acks)
//   4, 5  opts, rooms          6  opts, close          7  opts, request_id
//   8   request_id, sockets_json (+ attachments)
//   9   data_json = the packet [event, ...args] (+ attachments), request_id ("" : no ack)
//   10, 12  request_id, data_json = the ack argument ("" : none) (+ attachments)
//   11  request_id, client_count
struct cluster_message {
  std::string uid;  // 16 hex chars; "emitter" from an emitter
  std::string nsp;
  int type = 0;
  broadcast_options opts;
  event_packet packet;  // 3: its nsp is the envelope's (the Node adapter ships none)
  std::string request_id;
  std::vector<std::string> rooms;
  bool close = false;
  std::string sockets_json;
  std::string data_json;
  std::vector<std::string> attachments;  // binaries of sockets_json / data_json
  std::uint64_t client_count = 0;
};

// What the Node sharded adapter publishes for `message` (key order included). Empty when the
// message must be msgpack and its JSON does not parse or a placeholder has no attachment, or
// the type is not 1…13.
std::string encode_cluster_message(const cluster_message& message);

// uid: "" when absent; nsp and type are required.
std::optional<cluster_message> decode_cluster_message(std::string_view payload, std::string& error);

// Whether a message of `type` has data (3…12; not the heartbeats nor ADAPTER_CLOSE).
bool has_cluster_data(int type);
// Whether the message's data holds binary: a BROADCAST, FETCH_SOCKETS_RESPONSE,
// SERVER_SIDE_EMIT, SERVER_SIDE_EMIT_RESPONSE or BROADCAST_ACK with attachments.
bool cluster_data_has_binary(const cluster_message& message);

// The whole message in msgpack whatever its data (the redis-streams adapter's Pub/Sub payload,
// SCALEOUT.md §3): {type, data?, uid, nsp}. Empty as encode_cluster_message.
std::string encode_cluster_message_msgpack(const cluster_message& message);

// The message's data alone, {…} as in the envelope: JSON text, or msgpack (empty when it cannot
// be encoded). Both empty for a type without data.
std::string encode_cluster_data_json(const cluster_message& message);
std::string encode_cluster_data_msgpack(const cluster_message& message);

// Reads data alone (first byte '{' → JSON, else msgpack) into `message`, whose type and nsp
// are set; refuses what decode_cluster_message refuses in data. A type without data: true.
bool decode_cluster_data(std::string_view payload, cluster_message& message, std::string& error);

// The sharded adapter's channels are "<prefix>#<nsp>#" (every node), "<prefix>#<nsp>#<uid>#"
// (responses to a node) and "<prefix>#<nsp>#<room>#" (a room): broadcast_channel and
// room_channel of redis_messages.hpp write them.
enum class subscription_mode { static_rooms, dynamic, dynamic_private };

// The channel the Node sharded adapter publishes `message` on (computeChannel): a BROADCAST
// without requestId to exactly one room goes to that room's channel in dynamic-private mode,
// and in dynamic mode when the room is not 20 chars long (does not look like a socket id);
// everything else to "<prefix>#<nsp>#".
std::string sharded_publish_channel(const cluster_message& message, std::string_view prefix,
                                    subscription_mode mode);

// A room whose name is 20 UTF-16 code units long, as every socket id is (the Node adapter's
// looksLikeASocketId).
bool looks_like_socket_id(std::string_view room);

// Whether a node subscribes to "<prefix>#<nsp>#<room>#" while it has `room` locally: in dynamic
// mode exactly the rooms whose broadcasts sharded_publish_channel sends there (not those that
// look like socket ids), in dynamic-private mode every room, in static mode none.
bool subscribes_room_channel(std::string_view room, subscription_mode mode);

}  // namespace chorus::protocol::cluster
