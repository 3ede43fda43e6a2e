#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/msgpack/json_bridge.hpp"
#include "protocol/socketio/types.hpp"

namespace chorus::protocol::socketio {

// Encoders of socket.io-msgpack-parser 3.0.2 packets: one msgpack map, appended to `out`, byte
// for byte what its Encoder (notepack.io 2.2 encode) writes for the packet object socket.io
// 4.8.3's server builds. notepack writes an object's keys in property order, and the server
// builds its packets as (lib/socket.ts):
//   EVENT          {type, data} then id when asked for an ack, then nsp (emit, broadcast)
//   ACK            {id, type, data} then nsp (Socket#ack)
//   CONNECT        {type, data: {sid, pid}} then nsp (pid undefined, d4 00 00, without recovery)
//   CONNECT_ERROR  {type, data} then nsp (Socket#_error; client.ts writes its "Invalid
//                  namespace" as {type, nsp, data}: chorus writes every one in the first order,
//                  which decoders read alike)
//   DISCONNECT     {type} then nsp.
// Data is chorus's JSON form: binaries are placeholders {"_placeholder":true,"num":i} for
// attachments[i] and become msgpack bin, the rest as notepack encodes what JSON.parse gives
// (msgpack::append_msgpack). BINARY_EVENT/BINARY_ACK are written as EVENT/ACK: the parser has
// no binary types, a binary is inline.

// Any packet. `data_json` is parsed with `parser` (one per thread, owned by the caller);
// nullopt writes no "data" key. An ack id is written for EVENT and ACK only. false, with `out`
// as it was, for JSON that does not parse, a placeholder that is not an index of
// `attachments`, or data nested deeper than `depth_limit`.
bool append_msgpack_packet(std::string& out, simdjson::dom::parser& parser, packet_type type,
                           std::string_view nsp, std::optional<std::uint64_t> ack_id,
                           std::optional<std::string_view> data_json,
                           const std::vector<std::string>& attachments,
                           std::size_t depth_limit = msgpack::max_depth);

// EVENT with data [event_name, <args_json>]: args_json is the comma-separated JSON elements
// after the name, as append_event (encode.hpp) takes them, so a broadcast is encoded once for
// every recipient. false as append_msgpack_packet.
bool append_msgpack_event(std::string& out, simdjson::dom::parser& parser, std::string_view nsp,
                          std::string_view event_name, std::string_view args_json,
                          const std::vector<std::string>& attachments,
                          std::optional<std::uint64_t> ack_id = {},
                          std::size_t depth_limit = msgpack::max_depth);

// CONNECT {sid, pid}: pid as notepack 2 writes `undefined` when empty, as the reference does
// without connection state recovery.
void append_msgpack_connect(std::string& out, std::string_view nsp, std::string_view sid,
                            std::string_view pid = {});

// CONNECT_ERROR {message}.
void append_msgpack_connect_error(std::string& out, std::string_view nsp, std::string_view message);

void append_msgpack_disconnect(std::string& out, std::string_view nsp);

}  // namespace chorus::protocol::socketio
