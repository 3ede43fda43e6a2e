#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chorus::protocol::engineio {

// The handshake data the server sends in the open packet.
struct open_options {
  std::string_view sid;
  bool upgrade_to_websocket;  // false on a WebSocket-only session: nothing left to upgrade to
  std::uint32_t ping_interval_ms;
  std::uint32_t ping_timeout_ms;
  std::uint64_t max_payload;
};

// The open packet's JSON, without the leading '0', keys in the reference server's order:
// {"sid":"…","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}
std::string encode_open_json(const open_options& options);

}  // namespace chorus::protocol::engineio
