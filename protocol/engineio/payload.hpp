#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "protocol/engineio/packet.hpp"

namespace chorus::protocol::engineio {

// HTTP long-polling bodies (Engine.IO v4): packets separated by the record separator '\x1e'; a
// binary message is 'b' followed by the base64 of its bytes.

inline constexpr char record_separator = '\x1e';

enum class payload_error {
  ok,
  empty_payload,
  empty_packet,
  bad_packet_type,
  bad_base64,
  too_many_packets
};

const char* to_string(payload_error error);

// Decodes `body`, calling on_packet(const packet_view&) for each packet in order. Binary segments
// are base64-decoded into `scratch` (reused) and passed as a view that is valid only during the
// call (binary=true, type=message). Stops at the first error; packets before it were delivered.
// A body with more than max_packets packets is refused whole (too_many_packets, no callback).
payload_error decode_payload(std::string_view body,
                             const std::function<void(const packet_view&)>& on_packet,
                             std::string& scratch, std::size_t max_packets = 10000);

// Appends one packet to a polling body, adding the separator when `out` is non-empty: text packets
// as "<digit><data>", binary packets (binary=true) as "b<base64>".
void append_payload_packet(std::string& out, const packet_view& packet);

}  // namespace chorus::protocol::engineio
