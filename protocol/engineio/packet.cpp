#include "protocol/engineio/packet.hpp"

namespace chorus::protocol::engineio {

std::optional<packet_view> decode_text_packet(std::string_view text) {
  if (text.empty() || text[0] < '0' || text[0] > '6') return std::nullopt;
  return packet_view{static_cast<packet_type>(text[0] - '0'), false, text.substr(1)};
}

void append_text_packet(std::string& out, packet_type type, std::string_view data) {
  out += type_digit(type);
  out.append(data);
}

}  // namespace chorus::protocol::engineio
