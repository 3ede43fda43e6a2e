#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "server/metrics/shard_metrics.hpp"

namespace chorus::server::admin {

// The node's running totals the Admin UI charts, summed over shards at one instant.
struct node_counters {
  std::uint64_t connections = 0;  // Engine.IO sessions opened
  std::array<std::uint64_t, metrics::disconnect_reason_count> disconnections{};  // by reason
  std::uint64_t packets_in = 0;
  std::uint64_t packets_out = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
};

// server_stats' aggregatedEvents: what happened, per second, since the last report, as
// @socket.io/admin-ui's EventBuffer counts it ({timestamp, type, subType?, count}, timestamp in
// ms floored to the second; rawDisconnection's subType is the close reason). chorus counts in
// its shards anyway, so this takes differences of those counters instead of hooking every
// packet. Used by one thread.
class aggregated_events {
 public:
  // The first sample only sets the baseline: what happened before it is not reported.
  void sample(const node_counters& now, std::int64_t now_ms);
  // The events since the last call, as a JSON array; clears them.
  std::string take_json();

 private:
  struct entry {
    std::int64_t timestamp;
    std::string_view type;
    std::string_view sub_type;  // "" for none
    std::uint64_t count;
  };
  void add(std::int64_t second, std::string_view type, std::string_view sub_type,
           std::uint64_t count);

  bool has_baseline_ = false;
  node_counters last_;
  std::vector<entry> entries_;
};

}  // namespace chorus::server::admin
