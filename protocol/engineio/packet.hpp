#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chorus::protocol::engineio {

// Engine.IO v4 packet types; the wire form of a text packet starts with the digit.
enum class packet_type : std::uint8_t {
  open = 0,
  close = 1,
  ping = 2,
  pong = 3,
  message = 4,
  upgrade = 5,
  noop = 6
};

// A decoded packet. `data` views the input (or a caller's scratch buffer for binary data).
// binary=true means `data` holds raw bytes of an implicit message packet.
struct packet_view {
  packet_type type;
  bool binary = false;
  std::string_view data;
};

// A text packet as carried in a WebSocket text frame or one polling segment: "<digit><data>".
// nullopt when `text` is empty or its first character is not a type digit 0-6.
std::optional<packet_view> decode_text_packet(std::string_view text);

// The digit a text packet of `type` starts with.
constexpr char type_digit(packet_type type) {
  return static_cast<char>('0' + static_cast<int>(type));
}

// Appends "<digit><data>".
void append_text_packet(std::string& out, packet_type type, std::string_view data);

}  // namespace chorus::protocol::engineio
