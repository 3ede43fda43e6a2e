#include "server/socketio/packet_writer.hpp"

#include "server/socketio/json_packet_writer.hpp"
#include "server/socketio/msgpack_packet_writer.hpp"

namespace chorus::server::socketio {

const packet_writer& packet_writer_for(packet_parser parser) {
  return parser == packet_parser::msgpack ? msgpack_packet_writer() : json_packet_writer();
}

}  // namespace chorus::server::socketio
