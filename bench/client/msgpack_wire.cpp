#include "bench/client/msgpack_wire.hpp"

namespace chorus::bench {

namespace sio = protocol::socketio;

bool msgpack_wire::encode(std::string_view engineio_text, std::string& out) {
  if (!engineio_text.starts_with('4')) return false;
  auto p = parse_sio_packet(engineio_text.substr(1));
  if (!p || p->type > static_cast<int>(sio::packet_type::connect_error)) return false;
  std::optional<std::string_view> data;
  if (!p->data.empty()) data = p->data;
  return sio::append_msgpack_packet(out, parser_, static_cast<sio::packet_type>(p->type), p->nsp,
                                    p->id, data, {});
}

std::optional<sio_packet> msgpack_wire::decode(std::string_view message, sio::parse_error& error) {
  error = sio::decode_msgpack(message, limits_, parser_, packet_, payload_);
  if (error == sio::parse_error::reserved_event_name) {
    error = sio::parse_error::ok;
    return sio_packet{};  // type -1
  }
  if (error != sio::parse_error::ok) return std::nullopt;
  sio_packet p;
  p.type = static_cast<int>(packet_.type);
  p.nsp = packet_.nsp;
  p.id = packet_.ack_id;
  if (packet_.has_data) p.data = packet_.data;
  return p;
}

}  // namespace chorus::bench
