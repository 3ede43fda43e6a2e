#pragma once

#include <array>
#include <cstddef>

#include "server/disconnect_reason.hpp"
#include "server/metrics/latency_histogram.hpp"
#include "server/metrics/owned_counter.hpp"

namespace chorus::server::metrics {

// Number of disconnect_reason values (the last one is write_queue_full).
constexpr std::size_t disconnect_reason_count =
    static_cast<std::size_t>(disconnect_reason::write_queue_full) + 1;

// Engine.IO transports, as indexes (polling, websocket: engineio::transport_kind's order).
constexpr std::size_t transport_count = 2;

// One shard's counters. Written only by the shard's own thread (owned_counter); a scrape on any
// thread sums them over shards. Cache-line aligned so two shards' counters never share a line.
struct alignas(64) shard_metrics {
  owned_counter tcp_accepted;
  std::array<owned_gauge, transport_count> sessions_open;      // by current transport
  std::array<owned_counter, transport_count> sessions_opened;  // by the transport it started on
  owned_counter events_in;             // Socket.IO EVENT / BINARY_EVENT packets received
  owned_counter packets_in;            // Engine.IO packets read: each of a POST body, each message
  owned_counter packets_out;           // Engine.IO packets written to a transport
  owned_counter bytes_in;              // WebSocket bytes read, polling POST bodies
  owned_counter bytes_out;             // WebSocket bytes written, polling GET bodies
  owned_counter broadcast_passes;      // broadcasts delivered by this shard (one per shard each)
  owned_counter broadcast_deliveries;  // recipients reached on this shard
  owned_counter volatile_dropped;      // volatile packets not queued: the queue was full
  owned_counter queue_over_bound;      // connections closed because their queue passed the bound
  std::array<owned_counter, disconnect_reason_count> session_closes;      // Engine.IO, by reason
  std::array<owned_counter, disconnect_reason_count> socket_disconnects;  // Socket.IO, by reason
  latency_histogram handler_latency;       // running one event handler
  latency_histogram fanout_latency;        // a broadcast's wait in this shard's inbox
  latency_histogram fanout_write_latency;  // a broadcast's issue to the end of the pass sending it
};

inline std::size_t index_of(disconnect_reason reason) {
  return static_cast<std::size_t>(reason);
}

}  // namespace chorus::server::metrics
