#pragma once

#include <string_view>

#include "protocol/socketio/types.hpp"

namespace chorus::protocol::socketio {

// Splits `<type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]` into `out`; the payload
// is not looked at (see parse_payload). Rules, stricter than socket.io-parser where it is lax:
// - type digit 0-6;
// - BINARY_EVENT/BINARY_ACK require `N-` with N all digits and N <= lim.max_attachments; the
//   other types have none;
// - a namespace starts with '/' and runs to the first ',' or to the end of the packet ("/"
//   when absent), as socket.io-parser reads it;
// - an ack id (digits fitting uint64) is read only for EVENT/ACK and their binary forms, and
//   ACK/BINARY_ACK require one; for the other types leading digits are part of the payload.
parse_error decode_header(std::string_view text, header& out, const limits& lim);

}  // namespace chorus::protocol::socketio
