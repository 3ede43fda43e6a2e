#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/asio.hpp"

namespace chorus::server::fanout {

// What a broadcast with acks gathers (socket.io's io.timeout(ms).emit(ev, ..., (err, responses)
// => ...)): each client's first ack argument, as JSON, and whether every client the broadcast
// reached answered before the timeout (socket.io's err is "operation has timed out" otherwise).
struct broadcast_ack_result {
  std::vector<std::string> responses;
  bool complete = false;
};

// The receiving end of a broadcast with acks. Whoever delivers it (each shard; each other node
// of a cluster) reports once how many clients got it, and each client's ack arrives here. Any
// thread.
class ack_gatherer {
 public:
  virtual ~ack_gatherer() = default;
  // The sender's side learns how many reports to wait for: every shard of this process, and
  // once the cluster adapter has counted them, the other nodes; then seal() says that is all.
  virtual void expect(std::size_t reporters) {}
  virtual void seal() {}
  virtual void delivered(std::size_t clients) = 0;
  virtual void acked(std::string first_arg_json) = 0;
};

// The sender's side: completes once sealed, every expected report is in and every counted
// client answered, or at the timeout, whichever is first; `done` runs once, on `executor`.
class ack_collector final : public ack_gatherer,
                            public std::enable_shared_from_this<ack_collector> {
 public:
  using done_callback = std::function<void(broadcast_ack_result)>;
  static std::shared_ptr<ack_collector> create(asio::any_io_executor executor,
                                               std::chrono::milliseconds timeout,
                                               done_callback done);

  void expect(std::size_t reporters) override;
  void seal() override;
  void delivered(std::size_t clients) override;
  void acked(std::string first_arg_json) override;

 private:
  ack_collector(asio::any_io_executor executor, done_callback done);
  // With mutex_ held: completes when everything is in.
  void check_complete();
  void finish(bool complete);  // with mutex_ held

  asio::any_io_executor executor_;
  asio::steady_timer timer_;
  done_callback done_;
  std::mutex mutex_;
  std::size_t expected_reports_ = 0;
  std::size_t reports_ = 0;
  std::size_t clients_ = 0;
  bool sealed_ = false;
  bool finished_ = false;
  std::vector<std::string> responses_;
};

// Ack ids for broadcasts: one id for every recipient (encode once), from a range no socket's
// own emit_with_ack counter reaches, so it never collides with a pending ack of the socket.
std::uint64_t next_broadcast_ack_id();

}  // namespace chorus::server::fanout
