#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "protocol/cluster/stream_session.hpp"
#include "rooms/broadcast_target.hpp"
#include "rooms/encoded_packet.hpp"
#include "server/fanout/broadcast_acks.hpp"

namespace chorus::server::fanout {

// One broadcast, encoded once and shared, immutable, by every shard that delivers it.
struct broadcast_job {
  std::string nsp;
  rooms::broadcast_target target;
  rooms::broadcast_flags flags;
  std::vector<rooms::shared_packet> packets;  // the event, then its binary attachments
  // Where the data array ([event, ...args]) starts in the Socket.IO packet that packets[0]
  // carries (engineio::message_of): what a cluster adapter forwards to other nodes, without
  // decoding the packet again.
  std::size_t data_offset = 0;
  std::chrono::steady_clock::time_point issued;  // for the fan-out latency histogram
  // A broadcast with acks: packets[0] carries ack_id (the same for every recipient); each
  // recipient's ack goes to `acks`, each shard reports how many it reached. A recipient keeps
  // waiting for its ack for ack_timeout at most.
  std::shared_ptr<ack_gatherer> acks;
  std::uint64_t ack_id = 0;
  std::chrono::milliseconds ack_timeout{0};
  // Its offset in the node's connection state recovery log (0: not stored there).
  std::uint64_t log_seq = 0;
  // Or its entry id in the cluster's stream, which is its offset (0-0: not stored there).
  protocol::cluster::stream_id stream_offset;
};

}  // namespace chorus::server::fanout
