#pragma once

#include <string>

namespace chorus::protocol::json {

// JavaScript's own text for a number, so that what chorus writes for a value is byte for byte
// what Node.js writes for it (a msgpack float relayed as JSON, a number used as a room name).

// ECMAScript Number::toString: the shortest digits that read back as `value`, in plain notation
// from 1e-7 up to 1e21 and exponential outside ("1e+21", "1.5e-7"); -0 is "0"; "NaN",
// "Infinity", "-Infinity" for the non-finite values (String(x), an object key).
void append_js_number(std::string& out, double value);

// JSON.stringify of a number: as above, but null for NaN and ±Infinity.
void append_json_number(std::string& out, double value);

}  // namespace chorus::protocol::json
