#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/socketio/types.hpp"

namespace chorus::protocol::socketio {

// Collects the N binary attachments that follow a BINARY_EVENT/BINARY_ACK packet, bounding their
// count (by the header) and their total size (lim.max_attachment_bytes). The time bound belongs
// to the caller, which owns the clock.
class binary_reassembler {
 public:
  explicit binary_reassembler(const limits& lim);

  // Starts a packet: keeps the packet text (header and JSON) and the expected count. Any packet
  // in progress is dropped.
  void start(std::string text, std::size_t attachments);

  bool active() const { return active_; }

  // Adds one binary message: ok; attachments_too_large when the summed bytes would exceed
  // lim.max_attachment_bytes; unexpected_binary when no packet is active or all its buffers are
  // in. On error nothing is stored; the caller is expected to reset() (and disconnect).
  parse_error add(std::string_view bytes);

  // All expected buffers are in (immediately so for 0 attachments).
  bool complete() const { return active_ && buffers_.size() == expected_; }

  // Hand over the packet; the first take makes the reassembler inactive, and the two may be
  // called in either order.
  std::string take_text();
  std::vector<std::string> take_buffers();

  void reset();

 private:
  limits lim_;
  bool active_ = false;
  std::size_t expected_ = 0;
  std::size_t bytes_ = 0;
  std::string text_;
  std::vector<std::string> buffers_;
};

}  // namespace chorus::protocol::socketio
