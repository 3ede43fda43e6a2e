#include "rooms/encoded_packet.hpp"

#include <cstring>
#include <functional>
#include <new>

#include "protocol/websocket/frame.hpp"

namespace chorus::rooms {
namespace {

namespace ws = chorus::protocol::websocket;

// Allocator for allocate_shared that asks for `tail` extra bytes behind the shared_ptr control
// block (which holds the object) and reports where they start. So one allocation holds the
// reference counts, the encoded_packet and its frame bytes: one malloc per broadcast, and the
// header the writer touches sits next to the counts every recipient bumps.
template <class T>
struct tail_allocator {
  using value_type = T;

  tail_allocator(std::size_t tail, char** tail_out) : tail_(tail), tail_out_(tail_out) {}
  template <class U>
  tail_allocator(const tail_allocator<U>& other) : tail_(other.tail_), tail_out_(other.tail_out_) {}

  T* allocate(std::size_t n) {
    // Control blocks need no more than new's default alignment; the tail is chars.
    static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
    char* block = static_cast<char*>(::operator new(n * sizeof(T) + tail_));
    *tail_out_ = block + n * sizeof(T);
    return reinterpret_cast<T*>(block);
  }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p); }

  // Any instance can free any block: all go to ::operator delete.
  template <class U>
  bool operator==(const tail_allocator<U>&) const {
    return true;
  }

  std::size_t tail_;
  char** tail_out_;  // make()'s local: written by the one allocate call, unused afterwards
};

}  // namespace

std::shared_ptr<const encoded_packet> encoded_packet::make(std::string_view engineio_packet,
                                                           bool binary) {
  const std::size_t size = ws::max_frame_header_size + engineio_packet.size();
  char* bytes = nullptr;
  // allocate_shared allocates (filling `bytes`) before it constructs, and the constructor reads
  // `bytes` through the reference only then.
  return std::allocate_shared<encoded_packet>(tail_allocator<encoded_packet>(size, &bytes),
                                              make_key{}, std::ref(bytes), engineio_packet, binary);
}

encoded_packet::encoded_packet(make_key, char* bytes, std::string_view engineio_packet, bool binary)
    : bytes_(bytes), payload_size_(engineio_packet.size()), binary_(binary) {
  // The header length (2, 4 or 10) is known only now; write it right before the payload's slot.
  std::uint8_t header[ws::max_frame_header_size];
  header_size_ = static_cast<std::uint8_t>(ws::encode_frame_header(
      header, binary ? ws::opcode::binary : ws::opcode::text, engineio_packet.size()));
  std::memcpy(bytes, header, header_size_);
  if (!engineio_packet.empty())
    std::memcpy(bytes + header_size_, engineio_packet.data(), engineio_packet.size());
}

}  // namespace chorus::rooms
