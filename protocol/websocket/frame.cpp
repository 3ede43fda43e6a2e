#include "protocol/websocket/frame.hpp"

namespace chorus::protocol::websocket {
namespace {

constexpr std::uint8_t fin_bit = 0x80;
constexpr std::uint8_t length_16 = 126;  // next 2 bytes hold the length
constexpr std::uint8_t length_64 = 127;  // next 8 bytes hold the length

// Longest prefix of s no longer than limit that does not end inside a UTF-8 sequence.
std::size_t utf8_prefix_size(std::string_view s, std::size_t limit) {
  if (s.size() <= limit) return s.size();
  std::size_t size = limit;
  // s[size] is the first byte cut off; while it is a continuation byte (10xxxxxx) the cut splits a
  // code point, so drop that code point's earlier bytes too.
  while (size > 0 && (static_cast<unsigned char>(s[size]) & 0xC0) == 0x80) --size;
  return size;
}

}  // namespace

std::size_t encode_frame_header(std::uint8_t* out, opcode op, std::uint64_t payload_size,
                                bool fin) {
  out[0] = static_cast<std::uint8_t>((fin ? fin_bit : 0) | static_cast<std::uint8_t>(op));
  if (payload_size < length_16) {
    out[1] = static_cast<std::uint8_t>(payload_size);
    return 2;
  }
  if (payload_size <= 0xFFFF) {
    out[1] = length_16;
    out[2] = static_cast<std::uint8_t>(payload_size >> 8);
    out[3] = static_cast<std::uint8_t>(payload_size);
    return 4;
  }
  out[1] = length_64;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<std::uint8_t>(payload_size >> (56 - 8 * i));
  return 10;
}

std::string encode_frame(opcode op, std::string_view payload) {
  std::uint8_t header[max_frame_header_size];
  const std::size_t header_size = encode_frame_header(header, op, payload.size());
  std::string frame;
  frame.reserve(header_size + payload.size());
  frame.append(reinterpret_cast<const char*>(header), header_size);
  frame.append(payload);
  return frame;
}

std::string encode_close_payload(close_code code, std::string_view reason) {
  const auto value = static_cast<std::uint16_t>(code);
  std::string payload;
  payload.reserve(2 + max_close_reason_size);
  payload.push_back(static_cast<char>(value >> 8));
  payload.push_back(static_cast<char>(value & 0xFF));
  payload.append(reason.substr(0, utf8_prefix_size(reason, max_close_reason_size)));
  return payload;
}

}  // namespace chorus::protocol::websocket
