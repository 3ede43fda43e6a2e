#pragma once

#include <memory>
#include <string_view>

#include "rooms/encoded_packet.hpp"

namespace chorus::server::engineio {

// One Engine.IO packet waiting to be written, encoded once: the WebSocket frame and, inside it,
// the Engine.IO packet that polling sends. Text packets carry their type digit ("4…", "2");
// binary packets are the raw bytes of a message. Immutable and shared, never copied, so one
// packet can be queued for every recipient of a broadcast.
using outbound_packet = std::shared_ptr<const rooms::encoded_packet>;

inline outbound_packet make_text_packet(std::string_view text) {
  return rooms::encoded_packet::make(text, false);
}

inline outbound_packet make_binary_packet(std::string_view bytes) {
  return rooms::encoded_packet::make(bytes, true);
}

}  // namespace chorus::server::engineio
