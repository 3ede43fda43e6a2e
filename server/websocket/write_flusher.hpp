#pragma once

#include <memory>
#include <vector>

#include "server/asio.hpp"

namespace chorus::server {

class websocket_connection;

// Writes for one shard's WebSocket connections, batched per event-loop turn. A connection that
// gets frames queued is listed once; one posted pass then writes each listed connection's whole
// queue with one sendmsg. A broadcast to a thousand sockets thus costs a thousand list entries
// and, after the shard has handled everything that arrived, a thousand system calls — no timer,
// no coroutine resumption per connection (bench/compare.sh measures the path).
class write_flusher {
 public:
  explicit write_flusher(asio::any_io_executor executor) : executor_(std::move(executor)) {}

  // Lists `connection` for the next pass (the caller lists each connection at most once).
  void schedule(std::shared_ptr<websocket_connection> connection);

 private:
  void flush_all();

  asio::any_io_executor executor_;
  std::vector<std::shared_ptr<websocket_connection>> listed_;
  std::vector<std::shared_ptr<websocket_connection>> flushing_;
  bool pass_posted_ = false;
};

}  // namespace chorus::server
