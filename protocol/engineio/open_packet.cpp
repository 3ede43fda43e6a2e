#include "protocol/engineio/open_packet.hpp"

#include <fmt/format.h>

#include <iterator>

#include "protocol/json/escape.hpp"

namespace chorus::protocol::engineio {

std::string encode_open_json(const open_options& options) {
  std::string out = "{\"sid\":";
  // Our sids are URL-safe already; quoting anyway keeps the JSON valid whatever the generator.
  json::append_quoted(out, options.sid);
  fmt::format_to(std::back_inserter(out),
                 ",\"upgrades\":{},\"pingInterval\":{},\"pingTimeout\":{},\"maxPayload\":{}}}",
                 options.upgrade_to_websocket ? "[\"websocket\"]" : "[]", options.ping_interval_ms,
                 options.ping_timeout_ms, options.max_payload);
  return out;
}

}  // namespace chorus::protocol::engineio
