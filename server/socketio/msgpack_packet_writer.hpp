#pragma once

#include "server/socketio/packet_writer.hpp"

namespace chorus::server::socketio {

// socket.io-msgpack-parser's packets (--parser msgpack): every Socket.IO packet one Engine.IO
// binary message holding the parser's map (protocol/socketio/msgpack_encode.hpp), binaries
// inline, never separate attachment messages; a broadcast's EVENT is the one message, with no
// JSON text for a cluster adapter or the recovery log (neither runs with msgpack), so its
// data_offset is 0.
//
// args_json is parsed with a parser of the calling thread's own, not the shard's json_parser():
// that one holds the packet a handler is being run for, which an emit from the handler must not
// overwrite. An application's args_json that does not parse or names a missing attachment cannot
// be written as msgpack (the JSON writer sends it as it is): the packet is logged and dropped
// (a null packet, a null job).
const packet_writer& msgpack_packet_writer();

}  // namespace chorus::server::socketio
