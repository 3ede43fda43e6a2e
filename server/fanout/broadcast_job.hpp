#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "rooms/broadcast_target.hpp"
#include "server/engineio/outbound_packet.hpp"

namespace chorus::server::fanout {

// One broadcast, encoded once and shared, immutable, by every shard that delivers it.
struct broadcast_job {
  std::string nsp;
  rooms::broadcast_target target;
  rooms::broadcast_flags flags;
  std::vector<engineio::outbound_packet> packets;  // the event, then its binary attachments
  std::chrono::steady_clock::time_point issued;    // for the fan-out latency histogram
};

}  // namespace chorus::server::fanout
