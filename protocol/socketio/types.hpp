#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace chorus::protocol::socketio {

// Socket.IO v5 packet types; the wire form of a packet starts with the digit.
enum class packet_type : std::uint8_t {
  connect = 0,
  disconnect = 1,
  event = 2,
  ack = 3,
  connect_error = 4,
  binary_event = 5,
  binary_ack = 6
};

enum class parse_error {
  ok,
  empty_packet,
  unknown_type,
  bad_attachment_count,
  too_many_attachments,
  bad_ack_id,
  invalid_json,
  too_deep,
  invalid_payload,
  bad_event_name,
  reserved_event_name,
  bad_placeholder,
  unexpected_binary,  // a binary message with no binary packet being reassembled
  unexpected_text,    // a text packet while attachments are still expected
  attachments_too_large,
  invalid_msgpack,  // msgpack parser: not one well-formed msgpack map (see msgpack_codec.hpp)
  bad_namespace     // msgpack parser: "nsp" absent or not a string
};

// Short human text, e.g. "invalid payload".
const char* to_string(parse_error error);

// Input bounds: every number a peer declares is checked against one of these before it is used.
struct limits {
  std::size_t max_attachments = 10;
  std::size_t max_depth = 32;
  std::size_t max_attachment_bytes = 1'000'000;
};

// Everything before the JSON payload; the views point into the decoded text.
struct header {
  packet_type type = packet_type::connect;
  std::size_t attachments = 0;
  std::string_view nsp = "/";
  std::optional<std::uint64_t> ack_id;
  std::string_view payload;  // raw JSON text, may be empty
};

constexpr bool is_binary(packet_type type) {
  return type == packet_type::binary_event || type == packet_type::binary_ack;
}

}  // namespace chorus::protocol::socketio
