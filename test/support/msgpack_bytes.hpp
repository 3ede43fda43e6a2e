#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/msgpack/writer.hpp"

namespace chorus::test {

// msgpack pieces to build test input from, each one value (or a container's header).

inline std::string str(std::string_view text) {
  std::string out;
  protocol::msgpack::put_str(out, text);
  return out;
}

inline std::string uint(std::uint64_t n) {
  std::string out;
  protocol::msgpack::put_uint(out, n);
  return out;
}

inline std::string array_header(std::uint32_t count) {
  std::string out;
  protocol::msgpack::put_array(out, count);
  return out;
}

inline std::string map_header(std::uint32_t count) {
  std::string out;
  protocol::msgpack::put_map(out, count);
  return out;
}

inline const std::string nil("\xc0", 1);
inline const std::string undefined("\xd4\x00\x00", 3);  // notepack 2's undefined

}  // namespace chorus::test
