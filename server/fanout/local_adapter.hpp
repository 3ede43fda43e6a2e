#pragma once

#include <functional>
#include <vector>

#include "server/fanout/adapter.hpp"
#include "server/fanout/broadcast_numbering.hpp"

namespace chorus::server::fanout {

// One process: a broadcast goes to every shard's hub (one inbox entry per shard, not per
// recipient); a question is asked of every shard on its own thread and the answers gathered.
class local_adapter final : public adapter {
 public:
  // hubs: every shard's, by shard index. numbering: connection state recovery's log, when it
  // numbers broadcasts (null: none). Neither owned; both outlive the adapter.
  explicit local_adapter(std::vector<shard_hub*> hubs, broadcast_numbering* numbering = nullptr)
      : hubs_(std::move(hubs)), numbering_(numbering) {}

  void broadcast(std::shared_ptr<const broadcast_job> job, shard_hub* origin) override;
  // broadcast() without sealing a broadcast with acks: a cluster adapter adds the other nodes'
  // reports to wait for, then seals it.
  void deliver(const std::shared_ptr<const broadcast_job>& job, shard_hub* origin);
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
  // Runs `act` on every hub's thread (shared by all of them, so it must only read what it
  // captures).
  void on_every_hub(std::function<void(shard_hub&)> act);

  std::vector<shard_hub*> hubs_;
  broadcast_numbering* numbering_;
};

}  // namespace chorus::server::fanout
