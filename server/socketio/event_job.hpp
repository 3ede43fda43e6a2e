#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/fanout/broadcast_job.hpp"

namespace chorus::server::socketio {

// Socket.IO encodes a broadcast's EVENT once, inside an Engine.IO message (engineio::
// message_writer), and hands the hub the job; the hub only delivers packets.
//
// A job for one EVENT: packets[0] is an Engine.IO message holding the Socket.IO header
// (BINARY_EVENT when there are attachments, with ack_id when given) and the data array ([event,
// ...args]), then one packet per attachment; data_offset and issued set. Target, flags and acks are
// the caller's to fill.
std::shared_ptr<fanout::broadcast_job> make_event_job(std::string_view nsp,
                                                      std::optional<std::uint64_t> ack_id,
                                                      const std::vector<std::string>& attachments,
                                                      std::string_view data_json);
// The same, the data array written from an event name and its comma-separated JSON arguments.
std::shared_ptr<fanout::broadcast_job> make_event_job(std::string_view nsp,
                                                      std::optional<std::uint64_t> ack_id,
                                                      const std::vector<std::string>& attachments,
                                                      std::string_view event_name,
                                                      std::string_view args_json);

}  // namespace chorus::server::socketio
