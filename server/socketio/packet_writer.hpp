#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/config.hpp"
#include "server/engineio/outbound_packet.hpp"
#include "server/fanout/broadcast_job.hpp"

namespace chorus::server::socketio {

// One Socket.IO packet as the Engine.IO messages that carry it: the packet, then one binary
// message per attachment (the JSON parser's; msgpack's binaries are inline, so none). A null
// packet sends nothing: the writer could not write it and said so in the log.
struct outbound_message {
  engineio::outbound_packet packet;
  std::vector<std::string> attachments;
};

// How this server writes the Socket.IO packets it sends: the one seam between a --parser and the
// sockets, clients and broadcasts that send packets, chosen once for the server (it is
// server-wide, as the reference's `parser` option). args_json is always the comma-separated JSON
// arguments an application hands over, binaries as placeholders for `attachments`.
class packet_writer {
 public:
  virtual ~packet_writer() = default;

  virtual outbound_message event(std::string_view nsp, std::string_view event_name,
                                 std::string_view args_json, std::vector<std::string> attachments,
                                 std::optional<std::uint64_t> ack_id) const = 0;
  virtual outbound_message ack(std::string_view nsp, std::uint64_t id, std::string_view args_json,
                               std::vector<std::string> attachments) const = 0;
  virtual outbound_message connect(std::string_view nsp, std::string_view sid,
                                   std::string_view pid) const = 0;
  virtual outbound_message connect_error(std::string_view nsp, std::string_view message) const = 0;
  virtual outbound_message disconnect(std::string_view nsp) const = 0;
  // An EVENT encoded once for every recipient of a broadcast; null when it cannot be written.
  virtual std::shared_ptr<fanout::broadcast_job> event_job(
      std::string_view nsp, std::optional<std::uint64_t> ack_id,
      const std::vector<std::string>& attachments, std::string_view event_name,
      std::string_view args_json) const = 0;
};

// The writer of a --parser: one immutable instance each, shared by every shard.
const packet_writer& packet_writer_for(packet_parser parser);

}  // namespace chorus::server::socketio
