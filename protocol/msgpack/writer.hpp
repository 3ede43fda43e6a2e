#pragma once

#include <msgpuck.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace chorus::protocol::msgpack {

// MsgPuck's encoders appending to a std::string. Sizes past 2^32 - 1 cannot be written in
// msgpack; callers bound what they write well below that.

// Appends what `encode` (a MsgPuck encoder given the write position) writes in at most `max`
// bytes.
template <typename Encode>
void put(std::string& out, std::size_t max, Encode encode) {
  const std::size_t old = out.size();
  out.resize(old + max);
  char* end = encode(out.data() + old);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

inline constexpr std::size_t max_header = 9;  // a tag and up to 8 bytes

inline void put_array(std::string& out, std::uint32_t count) {
  put(out, max_header, [&](char* p) { return mp_encode_array(p, count); });
}

inline void put_map(std::string& out, std::uint32_t count) {
  put(out, max_header, [&](char* p) { return mp_encode_map(p, count); });
}

inline void put_str(std::string& out, std::string_view text) {
  put(out, max_header,
      [&](char* p) { return mp_encode_strl(p, static_cast<std::uint32_t>(text.size())); });
  out += text;
}

inline void put_bin(std::string& out, std::string_view bytes) {
  put(out, max_header,
      [&](char* p) { return mp_encode_binl(p, static_cast<std::uint32_t>(bytes.size())); });
  out += bytes;
}

inline void put_uint(std::string& out, std::uint64_t value) {
  put(out, max_header, [&](char* p) { return mp_encode_uint(p, value); });
}

inline void put_bool(std::string& out, bool value) {
  put(out, 1, [&](char* p) { return mp_encode_bool(p, value); });
}

inline void put_nil(std::string& out) {
  put(out, 1, [](char* p) { return mp_encode_nil(p); });
}

}  // namespace chorus::protocol::msgpack
