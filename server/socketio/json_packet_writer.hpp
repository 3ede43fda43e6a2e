#pragma once

#include "server/socketio/packet_writer.hpp"

namespace chorus::server::socketio {

// socket.io-parser's packets (--parser json, the default): each packet one Engine.IO text
// message, then its binary attachments, one message each.
const packet_writer& json_packet_writer();

}  // namespace chorus::server::socketio
