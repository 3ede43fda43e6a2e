#pragma once

#include <string>
#include <vector>

#include "rooms/room_refcount.hpp"
#include "server/cluster/cluster_adapter_base.hpp"
#include "server/fanout/room_listener.hpp"

namespace chorus::server::cluster {

// @socket.io/redis-adapter 8.3's sharded adapter (createShardedAdapter, Redis >= 7,
// subscriptionMode "dynamic"; ../shared/SCALEOUT.md §1b, §2): the ClusterAdapter envelope over
// SSUBSCRIBE/SPUBLISH on "<key>#<nsp>#" (every node), "<key>#<nsp>#<uid>#" (answers to this
// node) and "<key>#<nsp>#<room>#" (a room's broadcasts, subscribed while a shard of this node
// has the room, unless its name looks like a socket id); serverCount = SHARDNUMSUB of
// "<key>#<nsp>#". Unlike the classic adapter, this node applies its own socketsJoin,
// socketsLeave and disconnectSockets at once.
class sharded_redis_adapter final : public cluster_adapter_base, public fanout::room_listener {
 public:
  // Listens to every shard's rooms: before the server starts.
  sharded_redis_adapter(server& srv, redis_adapter_options options,
                        std::vector<std::string> namespaces, fanout::server_event_sink sink);
  ~sharded_redis_adapter() override;

  // Shard threads: a room's channel is subscribed while some shard has the room.
  void room_created(std::string_view nsp, std::string_view room) override;
  void room_deleted(std::string_view nsp, std::string_view room) override;

 private:
  std::string counted_channel(std::string_view nsp) const override;
  void on_message(std::string_view channel, std::string_view payload) override;
  bool send_message(const protocol::cluster::cluster_message& message) override;
  void send_answer(const std::string& requester,
                   const protocol::cluster::cluster_message& message) override;

  // The namespace a channel of this node belongs to, and whether it is its answers' channel.
  const std::string* namespace_of(std::string_view channel, bool& answers) const;
  void room_changed(std::string_view nsp, std::string_view room, bool created);

  // Room channels and how many shards have their room (link thread).
  rooms::room_refcount room_channels_;
};

}  // namespace chorus::server::cluster
