#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "server/asio.hpp"
#include "server/fanout/broadcast_acks.hpp"

namespace chorus::server::cluster {

// The answering side of another node's broadcast with acks: every shard's count of the clients
// it reached summed into the one count the asking node expects, and each client's ack passed
// on. Called from shard threads; `on_count` (once) and `on_ack` run on the link's executor.
class remote_acks final : public fanout::ack_gatherer,
                          public std::enable_shared_from_this<remote_acks> {
 public:
  static std::shared_ptr<remote_acks> create(asio::any_io_executor link, unsigned shards,
                                             std::function<void(std::size_t clients)> on_count,
                                             std::function<void(std::string json)> on_ack);

  void delivered(std::size_t clients) override;
  void acked(std::string first_arg_json) override;

 private:
  remote_acks(asio::any_io_executor link, unsigned shards,
              std::function<void(std::size_t)> on_count, std::function<void(std::string)> on_ack)
      : link_(std::move(link)),
        shards_(shards),
        on_count_(std::move(on_count)),
        on_ack_(std::move(on_ack)) {}

  asio::any_io_executor link_;
  unsigned shards_;
  std::function<void(std::size_t)> on_count_;
  std::function<void(std::string)> on_ack_;
  std::size_t clients_ = 0;  // link thread
  unsigned reports_ = 0;
};

}  // namespace chorus::server::cluster
