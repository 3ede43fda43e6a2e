#include "server/cluster/remote_acks.hpp"

namespace chorus::server::cluster {

std::shared_ptr<remote_acks> remote_acks::create(asio::any_io_executor link, unsigned shards,
                                                 std::function<void(std::size_t)> on_count,
                                                 std::function<void(std::string)> on_ack) {
  return std::shared_ptr<remote_acks>(
      new remote_acks(std::move(link), shards, std::move(on_count), std::move(on_ack)));
}

void remote_acks::delivered(std::size_t clients) {
  asio::post(link_, [self = shared_from_this(), clients] {
    self->clients_ += clients;
    if (++self->reports_ == self->shards_) self->on_count_(self->clients_);
  });
}

void remote_acks::acked(std::string first_arg_json) {
  asio::post(link_, [self = shared_from_this(), json = std::move(first_arg_json)]() mutable {
    self->on_ack_(std::move(json));
  });
}

}  // namespace chorus::server::cluster
