#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace chorus::protocol::msgpack {

// The msgpack ext family (fixext 1/2/4/8/16 = d4…d8, ext 8/16/32 = c7…c9) as notepack.io reads
// it. MsgPuck 1.0.3 checks and skips ext values (mp_check, mp_typeof == MP_EXT) but has no
// function that decodes an ext header, and msgpack-c (libmsgpack-dev), which has one, cannot be
// installed beside libboost1.81-dev; reading the header is the one piece written here.

struct ext_header {
  std::int8_t type = 0;
  std::uint32_t length = 0;  // data bytes after the header
};

// At *cursor an ext value: reads its header and leaves *cursor at the data. nullopt, with
// *cursor unchanged, when *cursor is not an ext value (0xc1, the byte msgpack never uses, is
// not one, though mp_typeof says MP_EXT) or when the header or its data runs past `end`.
std::optional<ext_header> read_ext_header(const char** cursor, const char* end);

// What notepack.io's decoder (3.0.1, which @socket.io/redis-adapter 8.3 uses; 2.x wrote the
// two legacy forms) makes of an ext value.
enum class ext_kind {
  undefined,  // fixext 1 type 0 (d4 00 xx): notepack 2's `undefined`
  binary,     // ext 8/16/32 type 0: an ArrayBuffer (notepack 2's typed arrays)
  date,       // timestamp ext -1 (32, 64 and 96 bits), or notepack 2's fixext 8 type 0 (ms)
  unknown     // anything else: notepack gives [type, Buffer]; chorus refuses it
};

struct notepack_ext {
  ext_kind kind = ext_kind::unknown;
  std::int8_t type = 0;
  std::string_view data;    // the data bytes (binary: the ArrayBuffer's bytes)
  double time_value = 0.0;  // date: the JS Date's time value in ms, NaN if out of range
};

// Reads one ext value at *cursor and moves past it; nullopt as for read_ext_header. The date's
// time value is computed with the same double arithmetic as notepack's decoder, then clipped as
// `new Date(x)` clips it (so the ISO text matches Node's to the millisecond).
std::optional<notepack_ext> read_notepack_ext(const char** cursor, const char* end);

}  // namespace chorus::protocol::msgpack
