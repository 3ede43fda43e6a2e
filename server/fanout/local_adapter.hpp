#pragma once

#include "server/fanout/adapter.hpp"

namespace chorus::server {
class server;
}

namespace chorus::server::fanout {

// One process: a broadcast goes to every shard's hub (one inbox entry per shard, not per
// recipient); a question is asked of every shard on its own thread and the answers gathered.
class local_adapter final : public adapter {
 public:
  explicit local_adapter(server& srv) : server_(srv) {}

  void broadcast(std::shared_ptr<const broadcast_job> job, shard* origin) override;
  awaitable<std::vector<std::string>> room_members(std::string nsp, std::string room) override;
  awaitable<std::size_t> room_size(std::string nsp, std::string room) override;
  awaitable<std::vector<std::string>> room_names(std::string nsp) override;
  awaitable<void> close_room(std::string nsp, std::string room) override;

 private:
  server& server_;
};

}  // namespace chorus::server::fanout
