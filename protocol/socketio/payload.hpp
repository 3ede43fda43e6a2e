#pragma once

#include <simdjson.h>

#include "protocol/socketio/types.hpp"

namespace chorus::protocol::socketio {

// A validated payload. `root` lives in the caller's parser: valid until that parser is reused.
struct parsed_payload {
  bool has_payload = false;
  simdjson::dom::element root;
  // How many objects in it are placeholders (any "_placeholder":true); counted only when
  // parse_payload was asked to.
  std::size_t placeholders = 0;
};

// Names the server must never dispatch to a handler: the first six are socket.io-parser's
// RESERVED_EVENTS, "error" is refused as the reference server does since CVE-2024-38355.
bool is_reserved_event_name(std::string_view name);

// Parses h.payload (when non-empty) with `parser` (one per thread, owned by the caller) and
// checks it for h.type as socket.io-parser's isPayloadValid does, plus bounds:
// - more than lim.max_depth nested arrays/objects -> too_deep; malformed JSON -> invalid_json;
// - CONNECT: absent or object; DISCONNECT: absent; CONNECT_ERROR: object or string;
// - EVENT/BINARY_EVENT: an array (else invalid_payload), non-empty with a string first
//   (else bad_event_name -- stricter than the parser, which also takes numbers), not reserved
//   (else reserved_event_name);
// - ACK/BINARY_ACK: array;
// - binary types: every object with "_placeholder":true must have an integer "num" in
//   [0, h.attachments) -> else bad_placeholder (socket.io-parser CVE-2022-2421).
// On ok with an absent payload, `out` is left default (has_payload false). count_placeholders:
// also count the placeholders, of any packet type, into out.placeholders (the msgpack decoder
// tells a binary from a map that merely looks like one by the count).
parse_error parse_payload(simdjson::dom::parser& parser, const header& h, const limits& lim,
                          parsed_payload& out, bool count_placeholders = false);

}  // namespace chorus::protocol::socketio
