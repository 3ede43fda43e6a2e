#pragma once

#include <functional>

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
  // broadcast() without sealing a broadcast with acks: a cluster adapter adds the other nodes'
  // reports to wait for, then seals it.
  void deliver(const std::shared_ptr<const broadcast_job>& job, shard* origin);
  awaitable<std::vector<std::string>> room_members(std::string nsp, std::string room) override;
  awaitable<std::size_t> room_size(std::string nsp, std::string room) override;
  awaitable<std::vector<std::string>> room_names(std::string nsp) override;
  awaitable<void> close_room(std::string nsp, std::string room) override;
  void sockets_join(std::string nsp, rooms::broadcast_target target,
                    std::vector<std::string> rooms) override;
  void sockets_leave(std::string nsp, rooms::broadcast_target target,
                     std::vector<std::string> rooms) override;
  void disconnect_sockets(std::string nsp, rooms::broadcast_target target,
                          bool close_connection) override;
  awaitable<std::vector<socket_description>> fetch_sockets(std::string nsp,
                                                           rooms::broadcast_target target) override;
  awaitable<std::size_t> server_count(std::string nsp) override;
  void server_side_emit(std::string, std::string) override {}
  awaitable<server_replies> server_side_emit_with_ack(std::string nsp,
                                                      std::string data_json) override;

 private:
  // Runs `act` on every shard's thread (shared by all of them, so it must only read what it
  // captures).
  void on_every_shard(std::function<void(shard&)> act);

  server& server_;
};

}  // namespace chorus::server::fanout
