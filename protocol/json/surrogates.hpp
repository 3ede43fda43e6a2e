#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace chorus::protocol::json {

// JavaScript's JSON.stringify writes a lone UTF-16 surrogate as an escape ("\ud800"), which
// JSON.parse accepts but simdjson refuses. When `json` holds such escapes, writes a copy to `out`
// with each replaced by "\ufffd" (U+FFFD, as a UTF-8 decoder would) and returns true; otherwise
// returns false and leaves `out` alone. Valid surrogate pairs are kept.
bool replace_lone_surrogates(std::string_view json, std::string& out);

// Parses `json` with `parser` (one per thread, owned by the caller) as JSON.parse reads it: lone
// surrogate escapes replaced first, into a thread-local copy only when there are any. The parser
// copies the text (it has no simdjson padding); `root` lives in the parser.
simdjson::error_code parse_as_javascript(simdjson::dom::parser& parser, std::string_view json,
                                         simdjson::dom::element& root);

}  // namespace chorus::protocol::json
