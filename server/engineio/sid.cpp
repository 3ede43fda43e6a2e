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

}  // namespace

std::string make_random_id(std::size_t length) {
  std::string id(length, '\0');
  std::array<unsigned char, 64> bytes{};
  for (std::size_t i = 0; i < length; i += bytes.size()) {
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
      throw std::runtime_error("RAND_bytes failed");
    for (std::size_t j = 0; j < bytes.size() && i + j < length; ++j)
      id[i + j] = alphabet[bytes[j] & 63];
  }
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
