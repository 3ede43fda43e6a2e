#pragma once

#include <string_view>

namespace chorus::protocol::socketio {

// Slices already-validated JSON without re-serializing it, so an event's arguments can be
// forwarded (echoed, broadcast) byte for byte.

// The elements of an EVENT array after its first one (the name), comma-separated as written:
// `["msg", 1, {"a":2}]` → `1, {"a":2}`; "" when the name is the only element.
std::string_view args_after_name(std::string_view event_array);

// The elements of an array: `[1,2]` → `1,2`; "" for `[]`.
std::string_view array_elements(std::string_view array);

}  // namespace chorus::protocol::socketio
