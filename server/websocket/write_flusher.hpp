#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "server/asio.hpp"
#include "server/metrics/latency_histogram.hpp"
#include "server/websocket/sendmsg_batch.hpp"

namespace chorus::server {

class websocket_connection;

// Writes for one shard's WebSocket connections, batched per event-loop turn. A connection that
// gets frames queued is listed once; one posted pass then gathers each listed connection's
// queue into one sendmsg and makes all of them with one system call (sendmsg_batch). A
// broadcast to a thousand sockets thus costs a thousand list entries and, after the shard has
// handled everything that arrived, one io_uring submission — no timer, no coroutine resumption
// and no system call per connection (bench/compare.sh measures the path).
class write_flusher {
 public:
  // `use_io_uring`: see sendmsg_batch. `broadcast_latency`: where a pass that carries a
  // broadcast records how long after its issue the pass ended.
  write_flusher(asio::any_io_executor executor, bool use_io_uring,
                metrics::latency_histogram& broadcast_latency)
      : executor_(std::move(executor)),
        batch_(use_io_uring),
        broadcast_latency_(broadcast_latency) {}

  // Lists `connection` for the next pass (the caller lists each connection at most once).
  void schedule(std::shared_ptr<websocket_connection> connection);
  // Says that a broadcast issued at `issued` has just queued frames here: the coming pass, if
  // one is pending, records its end against the earliest such broadcast. Nothing is recorded
  // when no pass is pending (the recipients were all polling or already waiting for room in
  // their sockets); sockets the pass finds full finish later and are not waited for.
  void note_broadcast(std::chrono::steady_clock::time_point issued);

  const sendmsg_batch& batch() const { return batch_; }

 private:
  void flush_all();
  // Gathers listed connections from flushing_[next] on into the batch until it or the frame
  // space is full; returns where it stopped.
  std::size_t gather_batch(std::size_t next);

  // One connection's part of the batch being built.
  struct batched_write {
    websocket_connection* connection;
    std::size_t bytes;
    const void* first_queued;  // for websocket_connection::prefetch_for_finish
  };
  // How many connections ahead the results pass asks for their state to be loaded.
  static constexpr std::size_t prefetch_distance = 4;
  static constexpr std::size_t frame_space = 16 * 1024;

  asio::any_io_executor executor_;
  std::vector<std::shared_ptr<websocket_connection>> listed_;
  std::vector<std::shared_ptr<websocket_connection>> flushing_;
  bool pass_posted_ = false;
  // The earliest broadcast whose frames the pending pass carries.
  std::optional<std::chrono::steady_clock::time_point> pending_broadcast_;
  sendmsg_batch batch_;
  metrics::latency_histogram& broadcast_latency_;
  std::vector<batched_write> batched_;
  // The batch's messages and their frames: kept until the batch has run.
  std::unique_ptr<std::array<msghdr, sendmsg_batch::capacity>> messages_ =
      std::make_unique<std::array<msghdr, sendmsg_batch::capacity>>();
  std::unique_ptr<std::array<iovec, frame_space>> frames_ =
      std::make_unique<std::array<iovec, frame_space>>();
};

}  // namespace chorus::server
