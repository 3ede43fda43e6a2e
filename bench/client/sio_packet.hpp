#pragma once

// The client's view of what a server sends: Socket.IO packets (inside Engine.IO messages), the
// Engine.IO open packet's sid, and a long-polling payload's packets.

#include <cstdint>
#include <optional>
#include <string_view>

namespace chorus::bench {

struct sio_packet {
  int type = -1;                    // 0 CONNECT, 1 DISCONNECT, 2 EVENT, 3 ACK, 4 CONNECT_ERROR, …
  std::string_view nsp = "/";       // the namespace, "/" when absent
  std::optional<std::uint64_t> id;  // ack id
  std::string_view data;            // JSON after the header (may be empty)
};

// Parses a Socket.IO packet: type digit, "N-" attachment count (binary types), "/nsp,", id,
// data. nullopt when the type is not a digit 0–6 or the namespace is unterminated.
std::optional<sio_packet> parse_sio_packet(std::string_view text);

// Whether an EVENT's data is an array whose first element is the string `name`.
bool is_event_named(std::string_view data, std::string_view name);

// The "sid" of an Engine.IO open packet's JSON ("0{…}" without the "0"); empty when absent.
std::string_view open_packet_sid(std::string_view json);

// Calls f(packet) for each packet of an Engine.IO v4 polling payload (records split by 0x1e).
template <typename F>
void for_each_polling_packet(std::string_view payload, F&& f) {
  while (!payload.empty()) {
    std::size_t end = payload.find('\x1e');
    f(payload.substr(0, end));
    if (end == std::string_view::npos) break;
    payload.remove_prefix(end + 1);
  }
}

}  // namespace chorus::bench
