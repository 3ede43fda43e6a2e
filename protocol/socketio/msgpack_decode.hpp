#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/socketio/payload.hpp"
#include "protocol/socketio/types.hpp"

namespace chorus::protocol::socketio {

// A packet of socket.io-msgpack-parser 3.0.2 in the form the JSON codec hands the server: the
// data as JSON text whose binaries are placeholders {"_placeholder":true,"num":i} for
// attachments[i] (see protocol/msgpack/json_bridge.hpp for how each msgpack value is read).
struct msgpack_packet {
  packet_type type = packet_type::connect;  // 0-4 only: the parser has no BINARY_* types
  std::string nsp;
  std::optional<std::uint64_t> ack_id;  // EVENT and ACK only (ACK always has one)
  bool has_data = false;
  std::string data;  // JSON text when has_data
  std::vector<std::string> attachments;
};

// The packet as the JSON codec's header, viewing into `p`: BINARY_EVENT/BINARY_ACK with the
// attachment count when it carries binaries, so parse_payload and the server treat it as the
// same packet received as text and attachments.
header as_header(const msgpack_packet& p);

// Decodes one Engine.IO binary message as socket.io-msgpack-parser's Decoder#add does
// (notepack.io 2.2 decode, then checkPacket), and then checks the data with parse_payload, so
// the event name, reserved names, placeholders and nesting follow the JSON codec's rules exactly
// (`parsed` is its result: its root lives in `parser`). On error `out` is unspecified.
//
// Accepted: one msgpack map whose str keys are looked up as JS properties (a repeated key: the
// last one wins); any other str key is ignored, its value still read (as json_bridge reads data,
// so refused where data would be) since notepack decodes the whole map;
//   "type"  a number that is an integer 0-4 (index.js isInteger: 2.0 as a float64 too);
//   "nsp"   a str; invalid UTF-8 replaced by U+FFFD as Node's toString('utf8') does; any text,
//           "" too (socket.io 4.8 looks it up as is; an unknown one gets "Invalid namespace");
//   "data"  CONNECT: absent or a map; DISCONNECT: absent; CONNECT_ERROR: a str or a map;
//           EVENT/ACK: an array (index.js isDataValid); notepack 2's undefined (d4 00 xx) is
//           absent, as `decoded.data === undefined` reads it;
//   "id"    absent or undefined, else a number that is an integer (index.js isAckValid).
// Refused, each where the reference is looser and what it would let through is not usable:
//   - the message is not exactly one map (empty → empty_packet; text, another type, 0xc1,
//     truncation, a count beyond the bytes left, trailing bytes → invalid_msgpack; notepack
//     throws on all but a non-map top, where checkPacket then throws "invalid packet type");
//   - a key that is not a str, and the key "__proto__" (invalid_msgpack): JS would turn
//     ["type"] into the property "type", and `o.__proto__ = {type: 2, ...}` makes every field
//     an inherited one;
//   - the values json_bridge refuses, in any field (an unknown ext type, which notepack makes
//     [type, Buffer]; a container or binary as a map key; "__proto__" in a map) → invalid_msgpack;
//     nested deeper than lim.max_depth → too_deep. json_bridge reads as notepack 3 does; the one
//     form notepack 2.2 reads otherwise is the timestamp ext -1, a Date's ISO text here and
//     [-1, Buffer] there;
//   - an id that is negative or above 2^53 - 1 (bad_ack_id): socket.io-client counts ids from
//     0, and beyond 2^53 the JS number the reference keeps is not the id sent, so its ACK would
//     carry another; an ACK without an id (bad_ack_id), as the JSON codec;
//   - EVENT data that is empty or starts with something not a str (bad_event_name), a reserved
//     name (reserved_event_name), both as parse_payload (the reference passes them to the
//     server, which dispatches a number as a name and "error" as its error event);
//   - more than lim.max_attachments binaries (too_many_attachments), or more than
//     lim.max_attachment_bytes of them in all (attachments_too_large).
// An id on CONNECT, DISCONNECT or CONNECT_ERROR is checked, then dropped (socket.io ignores it).
// Every length is checked against the bytes left before it is used.
parse_error decode_msgpack(std::string_view bytes, const limits& lim, simdjson::dom::parser& parser,
                           msgpack_packet& out, parsed_payload& parsed);

}  // namespace chorus::protocol::socketio
