#pragma once

// The whole Socket.IO v5 packet codec, one include for callers:
//   types.hpp   packet types, parse errors, limits, header
//   header.hpp  decode_header: the text before the JSON payload
//   payload.hpp parse_payload: the JSON payload, validated per packet type (simdjson DOM)
//   encode.hpp  append_* encoders
// Binary attachments are collected by binary_reassembler.hpp.

#include "protocol/socketio/encode.hpp"
#include "protocol/socketio/header.hpp"
#include "protocol/socketio/payload.hpp"
#include "protocol/socketio/types.hpp"
