#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <vector>

namespace chorus::protocol::json {

// JSON.stringify(JSON.parse(text)) for a value simdjson parsed from `text`: what a Node.js
// process writes when it relays JSON it was given. Numbers in JS's shortest text (1.0 → 1,
// 1e21 → 1e+21), strings re-escaped as JSON.stringify does, object keys in JS's order (a
// repeated key once, with its last value; array indices first: see js_keys.hpp). No whitespace.
//
// With `attachments_in` (and `attachments_out`), the text is a msgpack value bridged to JSON
// (json_bridge.hpp) and its placeholders stand for attachments_in[num]: each is written renumbered
// in the order it comes, its bytes appended to *attachments_out (so a part of a message carries its
// own binaries).
//
// false, with `out` and *attachments_out as they were, for containers deeper than depth_limit
// or (with attachments_in) a placeholder whose num is not an index of *attachments_in.
bool append_js_json(simdjson::dom::element value, std::string& out, std::size_t depth_limit,
                    const std::vector<std::string>* attachments_in = nullptr,
                    std::vector<std::string>* attachments_out = nullptr);

}  // namespace chorus::protocol::json
