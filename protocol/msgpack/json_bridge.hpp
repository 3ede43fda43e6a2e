#pragma once

#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace chorus::protocol::msgpack {

// msgpack ⇄ chorus's form of event data: JSON text in which binary is a placeholder
// {"_placeholder":true,"num":i} for attachments[i] (what socket.io-parser writes), so that data
// from a Node.js node goes out to clients exactly as that node would have written it.
//
// append_json reads a value as notepack.io 3.0.1's decoder (the one @socket.io/redis-adapter 8.3
// uses) reads it, and writes what JSON.stringify writes for the result once socket.io-parser has
// moved its binaries out:
//   - bin, and ext 8/16/32 of type 0 (an ArrayBuffer) → a placeholder, bytes appended to
//     `attachments` (num is their index there);
//   - Dates → the ISO text, "2026-12-02T02:00:00.000Z" (null out of range): timestamp ext -1 in
//     its 32, 64 and 96-bit forms (notepack 3) and fixext 8 type 0, int64 ms (notepack 2);
//   - notepack 2's undefined (fixext 1 type 0, d4 00 xx) → null in an array or at the top, and
//     no key at all in a map; nil → null;
//   - integers beyond 2^53 and floats as the JS number (double) they become, in JS's shortest
//     text; NaN and ±Infinity → null;
//   - strings: invalid UTF-8 is replaced by U+FFFD as Node's decoder does;
//   - map keys become what JS makes of them as property names: strings, numbers (String(n)),
//     nil "null", booleans, undefined "undefined"; a repeated key keeps its last value at its
//     first place, array-index keys ("0", "7") come first in ascending order;
//   - refused, where notepack would give something a JS app cannot use: any other ext type
//     (notepack's [type, Buffer]) → unknown_ext; an array, map, binary or Date as a map key →
//     bad_key; the key "__proto__" → proto_key (notepack's `o[k] = v` sets the object's
//     prototype instead of a key, and what socket.io then writes depends on v: nothing, a
//     later "__proto__" key once the prototype is null, a throw for a Buffer); the byte 0xc1 →
//     reserved_byte.
// The value is checked with MsgPuck's mp_check first; the walk then checks every count against
// the bytes left too (mp_check's counter is an int, and a map's count is doubled in 32 bits, so
// a header claiming 2^31 entries or more can pass it). Containers deeper than `depth_limit` →
// too_deep. The output is at most a small constant times the input, whatever the input.

enum class bridge_error {
  truncated,      // the value runs past the end, or a count claims more than the bytes left
  reserved_byte,  // 0xc1, which msgpack never uses
  too_deep,
  unknown_ext,
  bad_key,
  proto_key,
};

// Short human text, e.g. "unknown ext type".
const char* to_string(bridge_error error);

inline constexpr std::size_t max_depth = 32;

// Reads one msgpack value at *cursor (before `end`) and appends its JSON to `json` and its
// binaries to `attachments`. On success *cursor is past the value; on error nothing is appended
// and *cursor is unchanged.
std::optional<bridge_error> append_json(const char** cursor, const char* end, std::string& json,
                                        std::vector<std::string>& attachments,
                                        std::size_t depth_limit = max_depth);

// Checks one value exactly as append_json would and moves *cursor past it, writing nothing.
std::optional<bridge_error> skip_value(const char** cursor, const char* end,
                                       std::size_t depth_limit = max_depth);

// A msgpack number of any int or float form at *cursor, as the JS number notepack makes of it
// (integers past 2^53 rounded); nullopt, with *cursor unchanged, when it is not a number or is
// truncated.
std::optional<double> read_js_number(const char** cursor, const char* end);

// Whether the value at `cursor` is notepack 2's undefined (d4 00 xx, all before `end`).
bool is_undefined(const char* cursor, const char* end);

// The reverse, as notepack.io 3 encodes the JS value JSON.parse gives (after socket.io-parser
// has put the attachments back): integers in the smallest int form, other numbers (and
// integers of 2^64 or more in magnitude, which notepack would wrap) as float64, strings as str,
// objects with JS's key order (see js_keys.hpp), placeholders → bin of attachments[num].
// false, with `out` as it was, for a placeholder whose num is not an index of `attachments`, or
// containers deeper than `depth_limit`.
bool append_msgpack(simdjson::dom::element value, const std::vector<std::string>& attachments,
                    std::string& out, std::size_t depth_limit = max_depth);

}  // namespace chorus::protocol::msgpack
