#include "server/socketio/msgpack_packets.hpp"

#include <simdjson.h>
#include <spdlog/spdlog.h>

#include "protocol/socketio/msgpack_encode.hpp"

namespace chorus::server::socketio {

namespace sio = protocol::socketio;

namespace {

simdjson::dom::parser& encode_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

engineio::outbound_packet written(bool ok, const std::string& bytes, const char* what,
                                  std::string_view nsp) {
  if (ok) return engineio::make_binary_packet(bytes);
  spdlog::error(
      "cannot write a Socket.IO {} on '{}' as msgpack: its arguments are not valid "
      "JSON with placeholders for its binaries; not sent",
      what, nsp);
  return nullptr;
}

}  // namespace

engineio::outbound_packet msgpack_event(std::string_view nsp, std::string_view event_name,
                                        std::string_view args_json,
                                        const std::vector<std::string>& attachments,
                                        std::optional<std::uint64_t> ack_id) {
  std::string bytes;
  bool ok = sio::append_msgpack_event(bytes, encode_parser(), nsp, event_name, args_json,
                                      attachments, ack_id);
  return written(ok, bytes, "event", nsp);
}

engineio::outbound_packet msgpack_ack(std::string_view nsp, std::uint64_t id,
                                      std::string_view args_json,
                                      const std::vector<std::string>& attachments) {
  std::string data;
  data.reserve(args_json.size() + 2);
  data += '[';
  data += args_json;
  data += ']';
  std::string bytes;
  bool ok = sio::append_msgpack_packet(bytes, encode_parser(), sio::packet_type::ack, nsp, id, data,
                                       attachments);
  return written(ok, bytes, "ack", nsp);
}

engineio::outbound_packet msgpack_connect(std::string_view nsp, std::string_view sid,
                                          std::string_view pid) {
  std::string bytes;
  sio::append_msgpack_connect(bytes, nsp, sid, pid);
  return engineio::make_binary_packet(bytes);
}

engineio::outbound_packet msgpack_connect_error(std::string_view nsp, std::string_view message) {
  std::string bytes;
  sio::append_msgpack_connect_error(bytes, nsp, message);
  return engineio::make_binary_packet(bytes);
}

engineio::outbound_packet msgpack_disconnect(std::string_view nsp) {
  std::string bytes;
  sio::append_msgpack_disconnect(bytes, nsp);
  return engineio::make_binary_packet(bytes);
}

}  // namespace chorus::server::socketio
