#include "server/shard.hpp"

namespace chorus::server {

shard::shard(unsigned index, const server_config& config)
    : index_(index),
      config_(config),
      flusher_(context_.get_executor(), config.io_uring, metrics_.fanout_write_latency) {}

}  // namespace chorus::server
