#pragma once

#include <memory>
#include <string>

namespace chorus::server::engineio {

// One Engine.IO packet waiting to be written. Text packets carry their type digit ("4…", "2");
// binary packets carry the raw bytes of a message. The bytes are shared, never copied, so the
// same packet can be queued for many recipients.
struct outbound_packet {
  std::shared_ptr<const std::string> bytes;
  bool binary = false;
};

inline outbound_packet make_text_packet(std::string text) {
  return {std::make_shared<const std::string>(std::move(text)), false};
}

inline outbound_packet make_binary_packet(std::string bytes) {
  return {std::make_shared<const std::string>(std::move(bytes)), true};
}

}  // namespace chorus::server::engineio
