#include "protocol/websocket/mask.hpp"

#include <cstring>

namespace chorus::protocol::websocket {

std::size_t apply_mask(std::uint8_t* data, std::size_t size, const masking_key& key,
                       std::size_t phase) {
  // The key repeats every 4 bytes, so 8 key bytes starting at the phase form one 64-bit word that
  // masks any 8 consecutive payload bytes: one load, XOR and store per 8 bytes instead of 8 byte
  // operations (and a loop the compiler can widen further into SIMD). Going through memcpy keeps
  // the unaligned loads free of aliasing/alignment UB, and byte order never matters because the
  // word is built from and applied to bytes in memory order.
  std::uint8_t key_bytes[8];
  for (std::size_t i = 0; i < 8; ++i) key_bytes[i] = key[(phase + i) & 3];
  std::uint64_t key_word;
  std::memcpy(&key_word, key_bytes, sizeof key_word);

  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + i, sizeof word);
    word ^= key_word;
    std::memcpy(data + i, &word, sizeof word);
  }
  // i is a multiple of 8 here, so key_bytes[k] still lines up with data[i + k].
  for (std::size_t k = 0; i + k < size; ++k) data[i + k] ^= key_bytes[k];
  return (phase + size) & 3;
}

}  // namespace chorus::protocol::websocket
