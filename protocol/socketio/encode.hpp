#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/socketio/types.hpp"

namespace chorus::protocol::socketio {

// Encoders append to a caller's string so a broadcast can build its frame without extra copies.
// The namespace is omitted for "/" (and for an empty name).

// "<type>[<n>-][<nsp>,][<id>]"; "<n>-" is written for BINARY_EVENT/BINARY_ACK only (also n=0).
void append_header(std::string& out, packet_type type, std::string_view nsp,
                   std::optional<std::uint64_t> ack_id, std::size_t attachments = 0);

// Header then `["<name>",<args_json>]`; args_json is the comma-separated JSON elements after the
// name (may be empty). The type is BINARY_EVENT when attachments > 0.
void append_event(std::string& out, std::string_view nsp, std::string_view event_name,
                  std::string_view args_json, std::optional<std::uint64_t> ack_id = {},
                  std::size_t attachments = 0);

// Header then `[<args_json>]`; BINARY_ACK when attachments > 0.
void append_ack(std::string& out, std::string_view nsp, std::uint64_t ack_id,
                std::string_view args_json, std::size_t attachments = 0);

// 0[/nsp,]{"sid":"…"}, or with a pid (connection state recovery on) {"sid":"…","pid":"…"}
void append_connect(std::string& out, std::string_view nsp, std::string_view sid,
                    std::string_view pid = {});

// 4[/nsp,]{"message":"…"} with the message escaped.
void append_connect_error(std::string& out, std::string_view nsp, std::string_view message);

// 1[/nsp,]
void append_disconnect(std::string& out, std::string_view nsp);

// {"_placeholder":true,"num":N}
std::string placeholder_json(std::size_t num);

}  // namespace chorus::protocol::socketio
