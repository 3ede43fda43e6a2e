#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chorus::server::recovery {

// A stored packet's offset as the client sees it: the last argument of the event, which the
// client sends back in its CONNECT auth. This node's log numbers packets 1, 2, ... and writes
// the number in decimal (socket.io's in-memory log writes a time-based id; the client treats it
// as opaque).
std::string format_offset(std::uint64_t seq);
// nullopt for anything format_offset cannot have written (a client's input: never trusted).
std::optional<std::uint64_t> parse_offset(std::string_view offset);

// `packet_text`, which ends with the event's data array ("...[ev,args]"), with `offset` as one
// more argument: "...[ev,args,\"<offset>\"]".
std::string with_offset(std::string_view packet_text, std::string_view offset);
// The same, appended to `out`.
void append_with_offset(std::string& out, std::string_view packet_text, std::string_view offset);

}  // namespace chorus::server::recovery
