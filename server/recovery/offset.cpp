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

std::string with_offset(std::string_view packet_text, std::string_view offset) {
  std::string text(packet_text.substr(0, packet_text.size() - 1));
  text += ',';
  protocol::json::append_quoted(text, offset);
  text += ']';
  return text;
}

}  // namespace chorus::server::recovery
