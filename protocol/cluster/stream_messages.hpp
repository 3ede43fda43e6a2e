#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/cluster/cluster_messages.hpp"

// @socket.io/redis-streams-adapter 0.3.1 (lib/adapter.ts, SCALEOUT.md §3): the ClusterAdapter
// envelope (cluster_messages.hpp) split between a Redis stream and Pub/Sub.
//   - Messages that must outlive a moment (non-ack BROADCAST, SOCKETS_JOIN, SOCKETS_LEAVE,
//     DISCONNECT_SOCKETS) are stream entries: `XADD <stream> MAXLEN ~ 10000 * uid <uid> nsp <nsp>
//     type <decimal> [data <…>]`, data being JSON.stringify of the message's data, or, when a
//     BROADCAST / 8 / 9 / 10 / 12's data holds binary, base64 of its msgpack.
//   - "Ephemeral" ones (a BROADCAST with requestId, FETCH_SOCKETS, SERVER_SIDE_EMIT) and every
//     response are Pub/Sub messages: msgpack of the whole message (encode_cluster_message_msgpack;
//     decode_cluster_message reads it), on "<prefix>#<nsp>#" (broadcast_channel) or, for a
//     response, the requester's "<prefix>#<nsp>#<uid>#" (room_channel).
// Pure codecs: no I/O.
namespace chorus::protocol::cluster {

// Whether the adapter sends `message` over Pub/Sub rather than the stream (isEphemeral, plus
// the responses, which always go to the requester's channel).
bool is_ephemeral(const cluster_message& message);

// One field of a stream entry.
struct stream_field {
  std::string_view name;  // "uid", "nsp", "type", "data"
  std::string value;
};

// The entry's fields in the Node adapter's order: uid, nsp, type, then data for a type that has
// data. Empty when the message cannot be encoded (as encode_cluster_message).
std::vector<stream_field> encode_stream_entry(const cluster_message& message);

// An entry as XREAD gives it: field-value pairs (a repeated field: its last value, as the Node
// adapter's object). nullopt with `error` set when it is malformed; nullopt with `error` empty
// for an entry without nsp, which the Node adapter skips without a word. type is read as
// decimal digits; data, when the type has data, is required.
std::optional<cluster_message> decode_stream_entry(
    std::span<const std::pair<std::string_view, std::string_view>> fields, std::string& error);

}  // namespace chorus::protocol::cluster
