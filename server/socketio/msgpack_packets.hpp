#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/engineio/outbound_packet.hpp"
#include "server/socketio/packet_writer.hpp"

namespace chorus::server::socketio {

// Under --parser msgpack every Socket.IO packet is one Engine.IO binary message holding
// socket.io-msgpack-parser's map (protocol/socketio/msgpack_encode.hpp): binaries are inline,
// never separate attachment messages. Each function builds that message from what the JSON path
// writes as text: args_json the comma-separated JSON arguments whose binaries are placeholders
// for `attachments`.
//
// The data's JSON is parsed with a parser of this thread's own, not the shard's json_parser():
// that one holds the packet a handler is being run for, which an emit from the handler must not
// overwrite.
//
// An application's args_json that does not parse or names a missing attachment cannot be
// written as msgpack (the JSON path sends it as it is): the event or ack is logged and dropped,
// and these return null.

// socket.io-msgpack-parser's packets (--parser msgpack), as the functions below write them.
const packet_writer& msgpack_packet_writer();

engineio::outbound_packet msgpack_event(std::string_view nsp, std::string_view event_name,
                                        std::string_view args_json,
                                        const std::vector<std::string>& attachments,
                                        std::optional<std::uint64_t> ack_id = {});
engineio::outbound_packet msgpack_ack(std::string_view nsp, std::uint64_t id,
                                      std::string_view args_json,
                                      const std::vector<std::string>& attachments);
engineio::outbound_packet msgpack_connect(std::string_view nsp, std::string_view sid,
                                          std::string_view pid);
engineio::outbound_packet msgpack_connect_error(std::string_view nsp, std::string_view message);
engineio::outbound_packet msgpack_disconnect(std::string_view nsp);

}  // namespace chorus::server::socketio
