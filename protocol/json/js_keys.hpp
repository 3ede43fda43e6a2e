#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace chorus::protocol::json {

// The order in which JavaScript lists an object's keys (Object.keys, JSON.stringify, for…in),
// so that an object chorus relays reads as Node.js would have written it.

// Whether `key` is an array index to JS: a canonical decimal integer ("0", "7", not "07" or
// "-1") below 2^32 - 1. Such keys come first in any object, in ascending order.
bool is_array_index(std::string_view key, std::uint32_t* index = nullptr);

// An object built by assigning keys[0], keys[1], … in turn holds each key once, with the value
// of its last assignment at the place of its first, the array-index keys first and ascending,
// then the others in the order they first came. Returns nullopt when that is exactly the order
// of `keys` (no duplicate, indices first and ascending: the common case, checked without
// allocating up to 8 keys), else the positions in `keys` of the assignments whose values stay,
// in the object's order. "__proto__" counts as a key, as JSON.parse makes it one (an assignment
// `o[k] = v` would set the prototype instead: json_bridge.hpp refuses that key).
std::optional<std::vector<std::size_t>> js_key_order(std::span<const std::string_view> keys);

}  // namespace chorus::protocol::json
