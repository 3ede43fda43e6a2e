#include "protocol/msgpack/ext.hpp"

#include <msgpuck.h>

#include "protocol/json/js_date.hpp"

namespace chorus::protocol::msgpack {
namespace {

constexpr double two_to_32 = 4294967296.0;

// notepack.io 3.0.1 lib/decode.js, the cases that make a Date (each expression as it is there).
double timestamp_time_value(std::uint8_t tag, std::int8_t type, const char* data) {
  if (type == 0) {  // d7 00: notepack 2's Date, int64 ms as int32 hi, uint32 lo
    const double hi = static_cast<std::int32_t>(mp_load_u32(&data)) * two_to_32;
    const double lo = mp_load_u32(&data);
    return hi + lo;
  }
  if (tag == 0xd6) {  // timestamp 32: uint32 seconds
    return mp_load_u32(&data) * 1e3;
  }
  if (tag == 0xd7) {  // timestamp 64: 30-bit ns, 34-bit seconds
    const std::uint32_t hi = mp_load_u32(&data);
    const std::uint32_t lo = mp_load_u32(&data);
    const double s = (hi & 0x3) * two_to_32 + lo;
    return s * 1e3 + (hi >> 2) / 1e6;
  }
  // timestamp 96 (c7 0c ff): uint32 ns, int64 seconds as int32 hi, uint32 lo
  const double ns = mp_load_u32(&data);
  const double hi = static_cast<std::int32_t>(mp_load_u32(&data));
  const double lo = mp_load_u32(&data);
  return (hi * two_to_32 + lo) * 1e3 + ns / 1e6;
}

ext_kind kind_of(std::uint8_t tag, std::int8_t type, std::uint32_t length) {
  switch (tag) {
    case 0xd4:
      return type == 0 ? ext_kind::undefined : ext_kind::unknown;
    case 0xd6:
      return type == -1 ? ext_kind::date : ext_kind::unknown;
    case 0xd7:
      return type == 0 || type == -1 ? ext_kind::date : ext_kind::unknown;
    case 0xc7:
      if (type == 0) return ext_kind::binary;
      // notepack reads 12 bytes whatever the length says; only the real timestamp 96 is a Date
      return type == -1 && length == 12 ? ext_kind::date : ext_kind::unknown;
    case 0xc8:
    case 0xc9:
      return type == 0 ? ext_kind::binary : ext_kind::unknown;
    default:  // fixext 2 and 16, of any type, are [type, Buffer] to notepack
      return ext_kind::unknown;
  }
}

}  // namespace

std::optional<ext_header> read_ext_header(const char** cursor, const char* end) {
  const char* p = *cursor;
  if (p >= end) return std::nullopt;
  const auto tag = static_cast<std::uint8_t>(*p);
  const std::size_t left = static_cast<std::size_t>(end - p);
  std::size_t header = 0;
  std::uint32_t length = 0;
  ++p;
  if (tag >= 0xd4 && tag <= 0xd8) {  // fixext: 1, 2, 4, 8, 16 data bytes
    header = 2;
    length = 1u << (tag - 0xd4);
  } else if (tag >= 0xc7 && tag <= 0xc9) {  // ext 8/16/32: the length, then the type
    header = 2 + (std::size_t{1} << (tag - 0xc7));
    if (left < header) return std::nullopt;
    length = tag == 0xc7 ? mp_load_u8(&p) : tag == 0xc8 ? mp_load_u16(&p) : mp_load_u32(&p);
  } else {
    return std::nullopt;
  }
  if (left < header || left - header < length) return std::nullopt;
  ext_header h;
  h.type = static_cast<std::int8_t>(mp_load_u8(&p));
  h.length = length;
  *cursor = p;
  return h;
}

std::optional<notepack_ext> read_notepack_ext(const char** cursor, const char* end) {
  const char* p = *cursor;
  if (p >= end) return std::nullopt;
  const auto tag = static_cast<std::uint8_t>(*p);
  const std::optional<ext_header> h = read_ext_header(&p, end);
  if (!h) return std::nullopt;
  notepack_ext ext;
  ext.type = h->type;
  ext.kind = kind_of(tag, h->type, h->length);
  ext.data = std::string_view(p, h->length);
  if (ext.kind == ext_kind::date) {
    ext.time_value = json::js_time_clip(timestamp_time_value(tag, h->type, p));
  }
  *cursor = p + h->length;
  return ext;
}

}  // namespace chorus::protocol::msgpack
