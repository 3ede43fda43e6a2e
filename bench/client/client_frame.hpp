#pragma once

// The client side of RFC 6455 framing, which protocol/websocket/ (a server's codec) lacks:
// masked client→server frames, and a reader of unmasked server→client frames.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "protocol/websocket/frame.hpp"
#include "protocol/websocket/mask.hpp"

namespace chorus::bench {

namespace ws = chorus::protocol::websocket;

// Appends one masked frame (FIN set) carrying `payload` under `key`.
void append_client_frame(std::string& out, ws::opcode op, std::string_view payload,
                         const ws::masking_key& key);

struct server_frame {
  enum class status { incomplete, complete, invalid };
  status state = status::incomplete;
  bool fin = false;
  ws::opcode op = ws::opcode::text;
  std::string_view payload;  // views the input
  std::size_t size = 0;      // header + payload bytes
  const char* error = "";
};

// Reads the frame at the start of `data`. Invalid: masked, reserved bits, unknown opcode,
// fragmented or oversized control frame, or a payload larger than max_payload.
server_frame read_server_frame(std::span<const std::uint8_t> data, std::size_t max_payload);

}  // namespace chorus::bench
