#pragma once

// The socket.io-msgpack-parser 3.0.2 codec, one include for callers:
//   msgpack_decode.hpp  decode_msgpack: one binary message → msgpack_packet (JSON data form)
//   msgpack_encode.hpp  append_msgpack_* encoders
// The JSON codec is packet.hpp; both hand the server the same form (as_header).

#include "protocol/socketio/msgpack_decode.hpp"
#include "protocol/socketio/msgpack_encode.hpp"
