#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "server/asio.hpp"
#include "server/config.hpp"
#include "server/fanout/shard_hub.hpp"
#include "server/metrics/shard_metrics.hpp"
#include "server/websocket/write_flusher.hpp"

namespace chorus::server {

// One thread's share of the server: its io_context, its fan-out hub and counters, and per-thread
// scratch such as the JSON parser (its Engine.IO sessions are engineio::session_registry's).
// Nothing here is touched from another thread except through post() to the io_context.
class shard {
 public:
  // config: the server's, which outlives its shards.
  shard(unsigned index, const server_config& config);

  unsigned index() const { return index_; }
  const server_config& config() const { return config_; }
  asio::io_context& context() { return context_; }
  asio::any_io_executor executor() { return context_.get_executor(); }

  simdjson::dom::parser& json_parser() { return json_parser_; }
  // Where this shard's WebSocket connections read into: one buffer for all of them, so an idle
  // connection holds no read buffer and a busy one takes up to 64 KiB per system call. Valid
  // only until the reader's next suspension (it is shared).
  std::span<std::uint8_t> read_scratch() { return {read_scratch_.get(), read_scratch_size}; }
  write_flusher& flusher() { return flusher_; }
  fanout::shard_hub& hub() { return hub_; }
  // This shard's counters: written only here, summed over shards by /metrics.
  metrics::shard_metrics& metrics() { return metrics_; }

 private:
  unsigned index_;
  const server_config& config_;
  asio::io_context context_{1};
  simdjson::dom::parser json_parser_;
  static constexpr std::size_t read_scratch_size = 64 * 1024;
  std::unique_ptr<std::uint8_t[]> read_scratch_{new std::uint8_t[read_scratch_size]};
  metrics::shard_metrics metrics_;  // before flusher_, which records into it
  write_flusher flusher_;
  fanout::shard_hub hub_{context_, metrics_, flusher_};
};

}  // namespace chorus::server
