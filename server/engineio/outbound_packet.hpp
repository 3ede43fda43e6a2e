#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "protocol/engineio/packet.hpp"
#include "rooms/encoded_packet.hpp"

namespace chorus::server::engineio {

// One Engine.IO packet waiting to be written, encoded once: the WebSocket frame and, inside it,
// the Engine.IO packet that polling sends. Text packets carry their type digit ("4…", "2");
// binary packets are the raw bytes of a message. Immutable and shared, never copied, so one
// packet can be queued for every recipient of a broadcast.
using outbound_packet = rooms::shared_packet;

inline outbound_packet make_text_packet(std::string_view text) {
  return rooms::encoded_packet::make(text, false);
}

inline outbound_packet make_binary_packet(std::string_view bytes) {
  return rooms::encoded_packet::make(bytes, true);
}

// An Engine.IO MESSAGE being written: Engine.IO puts its type first, the layer above appends
// its own packet (Socket.IO's) to text() in place, and packet() encodes the whole once. The same
// single string, copied once into the outbound packet, as a text packet written by hand: the
// layer above never writes Engine.IO's framing, and pays nothing for not doing so.
class message_writer {
 public:
  message_writer()
      : text_(type_size, protocol::engineio::type_digit(protocol::engineio::packet_type::message)) {
  }

  // Where the layer above appends its packet. Only append: what is already there is Engine.IO's.
  std::string& text() { return text_; }
  // How much of the layer above's packet is written so far: an offset into message_of(packet()).
  std::size_t written() const { return text_.size() - type_size; }
  outbound_packet packet() const { return make_text_packet(text_); }

  // The type in front of the layer above's packet.
  static constexpr std::size_t type_size = 1;

 private:
  std::string text_;
};

// The layer above's packet inside a MESSAGE that message_writer wrote.
inline std::string_view message_of(const rooms::encoded_packet& packet) {
  return packet.payload().substr(message_writer::type_size);
}

}  // namespace chorus::server::engineio
