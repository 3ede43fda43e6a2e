#include "protocol/socketio/binary_reassembler.hpp"

#include <utility>

namespace chorus::protocol::socketio {

binary_reassembler::binary_reassembler(const limits& lim) : lim_(lim) {}

void binary_reassembler::start(std::string text, std::size_t attachments) {
  reset();
  active_ = true;
  expected_ = attachments;
  text_ = std::move(text);
  // decode_header bounded the count by lim.max_attachments, so this reservation is bounded too.
  buffers_.reserve(attachments);
}

parse_error binary_reassembler::add(std::string_view bytes) {
  if (!active_ || buffers_.size() >= expected_) return parse_error::unexpected_binary;
  if (bytes.size() > lim_.max_attachment_bytes - bytes_) return parse_error::attachments_too_large;
  bytes_ += bytes.size();
  buffers_.emplace_back(bytes);
  return parse_error::ok;
}

std::string binary_reassembler::take_text() {
  active_ = false;
  return std::exchange(text_, {});
}

std::vector<std::string> binary_reassembler::take_buffers() {
  active_ = false;
  expected_ = 0;
  bytes_ = 0;
  return std::exchange(buffers_, {});
}

void binary_reassembler::reset() {
  active_ = false;
  expected_ = 0;
  bytes_ = 0;
  text_.clear();
  buffers_.clear();
}

}  // namespace chorus::protocol::socketio
