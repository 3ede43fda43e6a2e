#include "server/engineio/sid.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace chorus::server::engineio {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int index_of(char c) {
  auto pos = alphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// Random bytes drawn from OpenSSL's CSPRNG 4 KiB at a time per thread. RAND_bytes costs about
// 8,000 instructions a call whatever the size (parameter lookups, locks), and every handshake
// needs two ids: batching took it off the handshake profile (callgrind, docs/BENCHMARKS.md).
class random_byte_pool {
 public:
  unsigned char next() {
    if (used_ == bytes_.size()) {
      if (RAND_bytes(bytes_.data(), static_cast<int>(bytes_.size())) != 1)
        throw std::runtime_error("RAND_bytes failed");
      used_ = 0;
    }
    return bytes_[used_++];
  }

 private:
  std::array<unsigned char, 4096> bytes_{};
  std::size_t used_ = bytes_.size();
};

thread_local random_byte_pool random_pool;

}  // namespace

std::string make_random_id(std::size_t length) {
  std::string id(length, '\0');
  for (char& c : id) c = alphabet[random_pool.next() & 63];
  return id;
}

std::string make_sid(unsigned shard_index) {
  std::string sid = make_random_id(20);
  sid[0] = alphabet[(shard_index >> 6) & 63];
  sid[1] = alphabet[shard_index & 63];
  return sid;
}

std::optional<unsigned> shard_of_sid(std::string_view sid, unsigned shard_count) {
  if (sid.size() != 20) return std::nullopt;
  for (char c : sid)
    if (index_of(c) < 0) return std::nullopt;
  unsigned shard = static_cast<unsigned>(index_of(sid[0]) << 6 | index_of(sid[1]));
  if (shard >= shard_count) return std::nullopt;
  return shard;
}

}  // namespace chorus::server::engineio
