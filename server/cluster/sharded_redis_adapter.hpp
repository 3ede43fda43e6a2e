#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "rooms/room_refcount.hpp"
#include "server/cluster/redis_adapter_base.hpp"
#include "server/fanout/room_listener.hpp"
#include "server/string_hash.hpp"

namespace chorus::protocol::cluster {
struct cluster_message;
}  // namespace chorus::protocol::cluster

namespace chorus::server::cluster {

// @socket.io/redis-adapter 8.3's sharded adapter (createShardedAdapter, Redis >= 7,
// subscriptionMode "dynamic"; ../shared/SCALEOUT.md §1b, §2): the ClusterAdapter envelope over
// SSUBSCRIBE/SPUBLISH on "<key>#<nsp>#" (every node), "<key>#<nsp>#<uid>#" (answers to this
// node) and "<key>#<nsp>#<room>#" (a room's broadcasts, subscribed while a shard of this node
// has the room, unless its name looks like a socket id); serverCount = SHARDNUMSUB of
// "<key>#<nsp>#". Unlike the classic adapter, this node applies its own socketsJoin,
// socketsLeave and disconnectSockets at once.
class sharded_redis_adapter final : public redis_adapter_base, public fanout::room_listener {
 public:
  // Listens to every shard's rooms: before the server starts.
  sharded_redis_adapter(server& srv, redis_adapter_options options,
                        std::vector<std::string> namespaces, fanout::server_event_sink sink);
  ~sharded_redis_adapter() override;

  // This node's rooms: the sharded protocol has no allRooms request.
  awaitable<std::vector<std::string>> room_names(std::string nsp) override;

  // Shard threads: a room's channel is subscribed while some shard has the room.
  void room_created(std::string_view nsp, std::string_view room) override;
  void room_deleted(std::string_view nsp, std::string_view room) override;

 private:
  std::string new_request_id() const override;
  std::string counted_channel(std::string_view nsp) const override;
  void on_message(std::string_view channel, std::string_view payload) override;
  void publish_broadcast(const fanout::broadcast_job& job) override;
  bool publish_broadcast_with_acks(const fanout::broadcast_job& job,
                                   const std::string& request_id) override;
  bool publish_fetch(const std::string& nsp, const std::string& request_id,
                     const rooms::broadcast_target& target) override;
  bool publish_server_side_emit(const std::string& nsp, const std::string& data_json,
                                const std::string& request_id) override;
  bool publish_sockets_operation(const sockets_operation& op) override;

  // The namespace a channel of this node belongs to, and whether it is its answers' channel.
  const std::string* namespace_of(std::string_view channel, bool& answers) const;
  void on_cluster_message(protocol::cluster::cluster_message& message);
  void on_answer(protocol::cluster::cluster_message& message);
  // Stamped with this node's uid, encoded, published where the Node adapter would.
  bool publish_message(protocol::cluster::cluster_message message);
  // To the requester's own channel.
  void publish_answer(const std::string& requester, protocol::cluster::cluster_message message);
  void room_changed(std::string_view nsp, std::string_view room, bool created);

  // "<key>#<nsp>#" and "<key>#<nsp>#<uid>#" → namespace. Looked up for every message.
  std::unordered_map<std::string, std::string, string_hash, std::equal_to<>> main_channels_;
  std::unordered_map<std::string, std::string, string_hash, std::equal_to<>> answer_channels_;
  // Room channels and how many shards have their room (link thread).
  rooms::room_refcount room_channels_;
};

}  // namespace chorus::server::cluster
