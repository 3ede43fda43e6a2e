#include "protocol/socketio/header.hpp"

#include <limits>

namespace chorus::protocol::socketio {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads the run of digits at text[i...]; false when the value does not fit uint64.
bool read_number(std::string_view text, std::size_t& i, std::uint64_t& value) {
  constexpr auto max = std::numeric_limits<std::uint64_t>::max();
  value = 0;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    const auto digit = static_cast<std::uint64_t>(text[i] - '0');
    if (value > (max - digit) / 10) return false;
    value = value * 10 + digit;
  }
  return true;
}

bool carries_ack_id(packet_type type) {
  return type == packet_type::event || type == packet_type::ack || is_binary(type);
}

bool requires_ack_id(packet_type type) {
  return type == packet_type::ack || type == packet_type::binary_ack;
}

}  // namespace

parse_error decode_header(std::string_view text, header& out, const limits& lim) {
  out = header{};
  if (text.empty()) return parse_error::empty_packet;
  if (text[0] < '0' || text[0] > '6') return parse_error::unknown_type;
  out.type = static_cast<packet_type>(text[0] - '0');
  std::size_t i = 1;

  if (is_binary(out.type)) {
    const std::size_t start = i;
    std::uint64_t count = 0;
    // An overflowing count is as much "too many" as 11 is; it must never wrap to a small number.
    const bool fits = read_number(text, i, count);
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i == start || i == text.size() || text[i] != '-') return parse_error::bad_attachment_count;
    if (!fits || count > lim.max_attachments) return parse_error::too_many_attachments;
    // A binary packet without binary is refused, as the reference server does.
    if (count == 0) return parse_error::bad_attachment_count;
    out.attachments = static_cast<std::size_t>(count);
    ++i;
  }

  // The namespace runs to the first ',' or, as socket.io-parser reads it, to the end of the
  // packet: "40/custom" connects to "/custom".
  if (i < text.size() && text[i] == '/') {
    const std::size_t comma = text.find(',', i);
    if (comma == std::string_view::npos) {
      out.nsp = text.substr(i);
      i = text.size();
    } else {
      out.nsp = text.substr(i, comma - i);
      i = comma + 1;
    }
  }

  if (carries_ack_id(out.type) && i < text.size() && is_digit(text[i])) {
    std::uint64_t id = 0;
    if (!read_number(text, i, id)) return parse_error::bad_ack_id;
    out.ack_id = id;
  }
  if (requires_ack_id(out.type) && !out.ack_id) return parse_error::bad_ack_id;

  out.payload = text.substr(i);
  return parse_error::ok;
}

}  // namespace chorus::protocol::socketio
