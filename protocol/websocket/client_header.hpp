#pragma once

// Parsing and validation of one client→server frame header (RFC 6455 §5.2), as a strict server
// with no extensions. Checks run in wire order on whatever bytes are present, so a bad frame is
// refused as soon as the offending byte arrives — in particular an oversized declared length is
// refused before any of its payload is read or buffered.

#include <cstddef>
#include <cstdint>
#include <span>

#include "protocol/websocket/frame.hpp"
#include "protocol/websocket/mask.hpp"

namespace chorus::protocol::websocket {

struct client_header {
  bool fin = false;
  opcode op = opcode::continuation;
  std::uint64_t payload_size = 0;
  masking_key mask{};
  std::size_t size = 0;  // header bytes on the wire: 6, 8 or 14
};

// What the header is checked against: the reader's message state.
struct header_context {
  bool message_open = false;         // a text/binary frame without FIN awaits continuations
  std::uint64_t payload_budget = 0;  // data payload bytes the message may still grow by
};

struct header_result {
  enum class status { incomplete, complete, invalid };
  status state = status::incomplete;
  client_header header;                           // when complete
  close_code error = close_code::protocol_error;  // when invalid
  const char* reason = "";                        // when invalid
};

header_result parse_client_header(std::span<const std::uint8_t> data, const header_context& ctx);

}  // namespace chorus::protocol::websocket
