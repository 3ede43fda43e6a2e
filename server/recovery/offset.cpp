#include "server/recovery/offset.hpp"

#include <charconv>

#include "protocol/json/escape.hpp"

namespace chorus::server::recovery {

std::string format_offset(std::uint64_t seq) {
  return std::to_string(seq);
}

std::optional<std::uint64_t> parse_offset(std::string_view offset) {
  // Canonical decimal only: no sign, no leading zero, no spaces, at most 20 digits.
  if (offset.empty() || offset.size() > 20 || (offset.size() > 1 && offset.front() == '0'))
    return std::nullopt;
  std::uint64_t seq = 0;
  auto [end, ec] = std::from_chars(offset.data(), offset.data() + offset.size(), seq);
  if (ec != std::errc{} || end != offset.data() + offset.size() || seq == 0) return std::nullopt;
  return seq;
}

void append_with_offset(std::string& out, std::string_view packet_text, std::string_view offset) {
  // Room for all of it: offsets (digits, '-') need no escaping, only their two quotes.
  out.reserve(out.size() + packet_text.size() + offset.size() + 3);
  out.append(packet_text.substr(0, packet_text.size() - 1));
  out += ',';
  protocol::json::append_quoted(out, offset);
  out += ']';
}

std::string with_offset(std::string_view packet_text, std::string_view offset) {
  std::string text;
  append_with_offset(text, packet_text, offset);
  return text;
}

}  // namespace chorus::server::recovery
