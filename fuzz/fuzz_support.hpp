#pragma once

// What several fuzz targets share: the invariant check, a parser, the Socket.IO limits selector.

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "protocol/socketio/types.hpp"

namespace chorus::fuzz {

// A broken invariant is a finding: abort, so libFuzzer keeps the input.
inline void check(bool ok) {
  if (!ok) std::abort();
}

// One per target, reused between inputs as a connection's thread reuses its own.
inline simdjson::dom::parser& json_parser() {
  static simdjson::dom::parser parser;
  return parser;
}

// Socket.IO limits from one input byte: attachment bytes (1,000,000, 0, 1 or 16), then a
// nesting depth of 3 and at most 2 attachments, each by a bit.
inline protocol::socketio::limits socketio_limits(std::uint8_t selector) {
  static constexpr std::size_t attachment_bytes[] = {1'000'000, 0, 1, 16};
  protocol::socketio::limits lim;
  lim.max_attachment_bytes = attachment_bytes[selector & 3];
  if (selector & 4) lim.max_depth = 3;
  if (selector & 8) lim.max_attachments = 2;
  return lim;
}

}  // namespace chorus::fuzz
