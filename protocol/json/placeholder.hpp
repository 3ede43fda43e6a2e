#pragma once

#include <simdjson.h>

#include <cstddef>

namespace chorus::protocol::json {

// socket.io-parser's reconstructPacket: an object whose "_placeholder" is true stands for
// attachments[num], whatever else it holds. chorus asks num to be an integer index of the
// attachments (the parser would also take 0.5 and hand on undefined).
enum class placeholder_kind { none, valid, invalid };

struct placeholder_ref {
  placeholder_kind kind = placeholder_kind::none;
  std::size_t num = 0;
};

// A repeated key counts with its last value, as JSON.parse keeps it.
placeholder_ref find_placeholder(simdjson::dom::object object, std::size_t attachment_count);

}  // namespace chorus::protocol::json
