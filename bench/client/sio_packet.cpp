#include "bench/client/sio_packet.hpp"

#include <charconv>

namespace chorus::bench {

std::optional<sio_packet> parse_sio_packet(std::string_view text) {
  if (text.empty() || text[0] < '0' || text[0] > '6') return std::nullopt;
  sio_packet p;
  p.type = text[0] - '0';
  std::size_t pos = 1;
  if (p.type == 5 || p.type == 6) {  // binary event/ack: "<attachments>-"
    std::size_t dash = text.find('-', pos);
    if (dash == std::string_view::npos) return std::nullopt;
    pos = dash + 1;
  }
  if (pos < text.size() && text[pos] == '/') {
    std::size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) {
      // A namespace with nothing after it ("1/chat") ends the packet.
      p.nsp = text.substr(pos);
      return p;
    }
    p.nsp = text.substr(pos, comma - pos);
    pos = comma + 1;
  }
  if (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    std::uint64_t id = 0;
    auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), id);
    if (ec != std::errc()) return std::nullopt;
    p.id = id;
    pos = static_cast<std::size_t>(end - text.data());
  }
  p.data = text.substr(pos);
  return p;
}

bool is_event_named(std::string_view data, std::string_view name) {
  return data.size() >= name.size() + 3 && data[0] == '[' && data[1] == '"' &&
         data.substr(2, name.size()) == name && data[2 + name.size()] == '"';
}

std::string_view open_packet_sid(std::string_view json) {
  constexpr std::string_view key = "\"sid\":\"";
  std::size_t start = json.find(key);
  if (start == std::string_view::npos) return {};
  start += key.size();
  std::size_t end = json.find('"', start);
  if (end == std::string_view::npos) return {};
  return json.substr(start, end - start);
}

}  // namespace chorus::bench
