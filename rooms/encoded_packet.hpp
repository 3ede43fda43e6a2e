#pragma once

// Encode once, deliver many: a broadcast's bytes, built once and shared read-only by every
// recipient on every shard. Server WebSocket frames are unmasked, so the same frame bytes serve
// every WebSocket recipient; polling recipients take the Engine.IO packet alone (payload()).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace chorus::rooms {

class encoded_packet {
  // make() is the only way in: the bytes live behind the object. explicit: `{}` cannot forge one.
  struct make_key {
    explicit make_key() = default;
  };

 public:
  // engineio_packet: a text packet with its type digit (`42["msg",1]`), or for binary the raw
  // bytes of a binary message. Frame header and packet share one allocation with the object and
  // the shared_ptr's reference counts.
  static std::shared_ptr<const encoded_packet> make(std::string_view engineio_packet, bool binary);

  // Header + payload: what a WebSocket writer sends as one buffer.
  std::string_view websocket_frame() const { return {bytes_, header_size_ + payload_size_}; }
  // The Engine.IO packet alone, for polling.
  std::string_view payload() const { return {bytes_ + header_size_, payload_size_}; }
  bool binary() const { return binary_; }
  // Size of the Engine.IO packet (payload()); websocket_frame().size() adds 2, 4 or 10.
  std::size_t size() const { return payload_size_; }

  // For make() only (via allocate_shared); bytes points at storage sized for the frame.
  encoded_packet(make_key, char* bytes, std::string_view engineio_packet, bool binary);
  encoded_packet(const encoded_packet&) = delete;
  encoded_packet& operator=(const encoded_packet&) = delete;

 private:
  const char* bytes_;
  std::size_t payload_size_;
  std::uint8_t header_size_;
  bool binary_;
};

// How every layer holds one: shared, immutable, queued for every recipient.
using shared_packet = std::shared_ptr<const encoded_packet>;

}  // namespace chorus::rooms
