#pragma once

// RFC 6455 §5 frame encoding for the server side. Server frames are never masked, so one encoded
// frame serves every recipient of a broadcast.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace chorus::protocol::websocket {

enum class opcode : std::uint8_t {
  continuation = 0,
  text = 1,
  binary = 2,
  close = 8,
  ping = 9,
  pong = 10
};

enum class close_code : std::uint16_t {
  normal = 1000,
  going_away = 1001,
  protocol_error = 1002,
  unsupported_data = 1003,
  no_status = 1005,
  invalid_payload = 1007,
  policy_violation = 1008,
  message_too_big = 1009,
  internal_error = 1011
};

// 2 bytes + 8 bytes of extended length; server frames carry no masking key.
constexpr std::size_t max_frame_header_size = 10;

// Control frames (close, ping, pong) carry at most 125 payload bytes (§5.5).
constexpr std::size_t max_control_payload_size = 125;

// Close reason room: the control payload minus the 2-byte status code.
constexpr std::size_t max_close_reason_size = max_control_payload_size - 2;

// Control opcodes have the high bit of the 4-bit opcode set (§5.5).
constexpr bool is_control(opcode op) {
  return (static_cast<std::uint8_t>(op) & 0x8) != 0;
}

// Server→client frame header (FIN set unless fin=false, never masked). Writes into out (≥ 10
// bytes) and returns its length: 2, 4 or 10. payload_size must be < 2^63 (§5.2).
std::size_t encode_frame_header(std::uint8_t* out, opcode op, std::uint64_t payload_size,
                                bool fin = true);

// A whole unmasked frame as a string (header + payload), for control frames and tests. The caller
// keeps control payloads within max_control_payload_size.
std::string encode_frame(opcode op, std::string_view payload);

// Close frame payload: 2-byte big-endian code + UTF-8 reason (reason truncated to fit 123 bytes,
// at a code point boundary so the reason stays valid UTF-8 for the peer's check).
std::string encode_close_payload(close_code code, std::string_view reason);

}  // namespace chorus::protocol::websocket
