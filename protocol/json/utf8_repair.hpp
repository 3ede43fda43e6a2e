#pragma once

#include <string>
#include <string_view>

namespace chorus::protocol::json {

// Node's Buffer#toString("utf8"): bytes to text, each maximal invalid subsequence replaced by
// U+FFFD (the WHATWG UTF-8 decoder). Returns false and leaves `out` alone when `bytes` is
// already valid UTF-8 (the common case: use it as it is); else writes the repaired text to
// `out` and returns true.
bool repair_utf8(std::string_view bytes, std::string& out);

}  // namespace chorus::protocol::json
