#pragma once

#include <string>
#include <string_view>

namespace chorus::protocol::json {

// JavaScript's JSON.stringify writes a lone UTF-16 surrogate as an escape ("\ud800"), which
// JSON.parse accepts but simdjson refuses. When `json` holds such escapes, writes a copy to `out`
// with each replaced by "\ufffd" (U+FFFD, as a UTF-8 decoder would) and returns true; otherwise
// returns false and leaves `out` alone. Valid surrogate pairs are kept.
bool replace_lone_surrogates(std::string_view json, std::string& out);

}  // namespace chorus::protocol::json
