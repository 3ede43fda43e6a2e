#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chorus::server::engineio {

// A session id: two characters naming the owning shard, then 18 random base64url characters
// (108 bits from OpenSSL's CSPRNG). Any shard can route a request to the owner from the sid alone.
std::string make_sid(unsigned shard_index);

// The shard that owns `sid`, or nullopt when the sid is malformed or names no shard.
std::optional<unsigned> shard_of_sid(std::string_view sid, unsigned shard_count);

// A random id of the same alphabet (Socket.IO socket ids).
std::string make_random_id(std::size_t length = 20);

}  // namespace chorus::server::engineio
