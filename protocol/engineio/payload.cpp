#include "protocol/engineio/payload.hpp"

#include <algorithm>

#include "protocol/base64.hpp"

namespace chorus::protocol::engineio {

const char* to_string(payload_error error) {
  switch (error) {
    case payload_error::ok:
      return "ok";
    case payload_error::empty_payload:
      return "empty payload";
    case payload_error::empty_packet:
      return "empty packet";
    case payload_error::bad_packet_type:
      return "bad packet type";
    case payload_error::bad_base64:
      return "bad base64";
    case payload_error::too_many_packets:
      return "too many packets";
  }
  return "unknown payload error";
}

payload_error decode_payload(std::string_view body,
                             const std::function<void(const packet_view&)>& on_packet,
                             std::string& scratch, std::size_t max_packets) {
  if (body.empty()) return payload_error::empty_payload;
  // Count first so an oversized body is refused before any of it takes effect.
  const auto separators =
      static_cast<std::size_t>(std::count(body.begin(), body.end(), record_separator));
  if (separators >= max_packets) return payload_error::too_many_packets;

  std::size_t pos = 0;
  while (true) {
    const std::size_t end = std::min(body.find(record_separator, pos), body.size());
    const std::string_view segment = body.substr(pos, end - pos);
    if (segment.empty()) return payload_error::empty_packet;
    if (segment[0] == 'b') {
      scratch.clear();
      if (!decode_base64(segment.substr(1), scratch)) return payload_error::bad_base64;
      on_packet(packet_view{packet_type::message, true, scratch});
    } else {
      const auto packet = decode_text_packet(segment);
      if (!packet) return payload_error::bad_packet_type;
      on_packet(*packet);
    }
    if (end == body.size()) return payload_error::ok;
    pos = end + 1;
  }
}

void append_payload_packet(std::string& out, const packet_view& packet) {
  if (!out.empty()) out += record_separator;
  if (packet.binary) {
    out += 'b';
    append_base64(out, packet.data);
  } else {
    append_text_packet(out, packet.type, packet.data);
  }
}

}  // namespace chorus::protocol::engineio
