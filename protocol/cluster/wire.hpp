#pragma once

#include <simdjson.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/cluster/types.hpp"

// Pieces shared by the Redis adapter's and the ClusterAdapter's codecs: reading a payload in
// either form, the JS values the adapters read from it, and writing options.
namespace chorus::protocol::cluster::wire {

// A payload as the Node adapters read it: first byte '{' → JSON text, else notepack msgpack,
// bridged to JSON (binaries into `attachments`) and parsed. Lone surrogate escapes, which
// JSON.stringify writes and simdjson refuses, are read as U+FFFD. `root` lives until the
// parser's next parse. Containers deeper than depth_limit are refused.
bool parse_payload(std::string_view payload, simdjson::dom::parser& parser, std::size_t depth_limit,
                   simdjson::dom::element& root, std::vector<std::string>& attachments,
                   std::string& error);

// The JS number a JSON number is; nullopt for anything else.
std::optional<double> js_number(simdjson::dom::element value);

// A JS integer (1 and 1.0 alike); nullopt for anything else.
std::optional<std::int64_t> js_integer(simdjson::dom::element value);

// JS truthiness: false, null, 0, "" are false (NaN cannot be in JSON).
bool js_truthy(simdjson::dom::element value);

// A room name: a string, or a number as String(n) gives it. false for anything else.
bool room_name(simdjson::dom::element value, std::string& name);

// A list of room names (`new Set(list)`: null or absent is empty). At most `max` entries.
bool read_rooms(std::optional<simdjson::dom::element> list, std::size_t max,
                std::vector<std::string>& rooms, std::string_view what, std::string& error);

// {rooms, except, flags?}: flags volatile/compress/local by truthiness, timeout a number ≥ 0
// (ms, truncated); unknown flag keys are ignored.
bool read_options(simdjson::dom::element opts, broadcast_options& out, std::string& error);

// A value re-written as JSON (js_stringify.hpp); `attachments_in` for a msgpack payload.
bool read_json(simdjson::dom::element value, std::size_t depth_limit,
               const std::vector<std::string>* attachments_in, std::string& json,
               std::vector<std::string>& attachments, std::string_view what, std::string& error);

// {type: 2|5, data: [...], nsp?}: the data re-written (read_json), nsp `default_nsp` when
// absent.
bool read_packet(simdjson::dom::element value, std::string_view default_nsp,
                 const std::vector<std::string>* attachments_in, event_packet& out,
                 std::string& error);

// A field of an object: nullopt when absent (a repeated key: its last value, as JSON.parse).
std::optional<simdjson::dom::element> field(simdjson::dom::object object, std::string_view key);

// An optional string field: absent → nullopt; present but not a string → error.
bool read_string(simdjson::dom::object object, std::string_view key, std::string& out,
                 bool required, std::string& error);

// ["a","b"] and {"rooms":[…],"except":[…]} / {…,"flags":{…}} as JSON.stringify writes them;
// flags with the keys that are set, in the order volatile, compress, local, timeout.
void append_rooms_json(std::string& out, const std::vector<std::string>& rooms);
void append_flags_json(std::string& out, const broadcast_options& opts);
void append_options_json(std::string& out, const broadcast_options& opts, bool with_flags);

// The same in notepack msgpack.
void append_rooms_msgpack(std::string& out, const std::vector<std::string>& rooms);
void append_options_msgpack(std::string& out, const broadcast_options& opts);

// {type:2, data, nsp?} in msgpack (nsp written when `with_nsp`). false when the data JSON does
// not parse or its placeholders do not match the attachments.
bool append_packet_msgpack(std::string& out, const event_packet& packet, bool with_nsp);

}  // namespace chorus::protocol::cluster::wire
