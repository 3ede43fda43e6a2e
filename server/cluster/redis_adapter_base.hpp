#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocol/cluster/types.hpp"
#include "server/asio.hpp"
#include "server/cluster/pending_requests.hpp"
#include "server/cluster/redis_link.hpp"
#include "server/cluster/redis_url.hpp"
#include "server/fanout/adapter.hpp"
#include "server/fanout/local_adapter.hpp"

namespace chorus::server {
class server;
}

namespace chorus::server::cluster {

struct redis_adapter_options {
  redis_endpoint endpoint;
  std::string key = "socket.io";  // channel prefix (the Node adapters' `key` / `channelPrefix`)
  std::chrono::milliseconds requests_timeout{5000};
};

// socketsJoin / socketsLeave / disconnectSockets, one of them, whichever node asked it.
struct sockets_operation {
  enum class kind { join, leave, disconnect };
  kind what = kind::join;
  std::string nsp;
  rooms::broadcast_target target;
  std::vector<std::string> rooms;  // join, leave
  bool close = false;              // disconnect
};

// What both Redis protocols (classic Pub/Sub, sharded Pub/Sub: ../shared/SCALEOUT.md §1, §1b)
// do alike, so that each protocol is only how its messages are written, where they go and what
// a node does with them. Every broadcast is delivered here at once (through the local adapter)
// and published once, encoded once, for the other nodes; fetchSockets, serverSideEmit with acks
// and broadcasts with acks count the other nodes, ask them and gather their answers until the
// request timeout. All of it runs on the link's thread (redis_link); what arrives is handed to
// the shards through their hubs' inboxes.
class redis_adapter_base : public fanout::adapter {
 public:
  void broadcast(std::shared_ptr<const fanout::broadcast_job> job,
                 fanout::shard_hub* origin) override;
  // Cluster-wide, as socket.io's fetchSockets / socketsLeave are.
  awaitable<std::vector<std::string>> room_members(std::string nsp, std::string room) override;
  awaitable<std::size_t> room_size(std::string nsp, std::string room) override;
  awaitable<void> close_room(std::string nsp, std::string room) override;
  void sockets_join(std::string nsp, rooms::broadcast_target target,
                    std::vector<std::string> rooms) override;
  void sockets_leave(std::string nsp, rooms::broadcast_target target,
                     std::vector<std::string> rooms) override;
  void disconnect_sockets(std::string nsp, rooms::broadcast_target target,
                          bool close_connection) override;
  awaitable<std::vector<fanout::socket_description>> fetch_sockets(
      std::string nsp, rooms::broadcast_target target) override;
  awaitable<std::size_t> server_count(std::string nsp) override;
  void server_side_emit(std::string nsp, std::string data_json) override;
  awaitable<fanout::server_replies> server_side_emit_with_ack(std::string nsp,
                                                              std::string data_json) override;
  void append_metrics(std::vector<metrics::family>& families) const override;

  const cluster_counters& counters() const { return link_.counters(); }
  // This node's id on the channels.
  const std::string& uid() const { return uid_; }

 protected:
  // When this node applies its own sockets operations: when they come back from Redis (the
  // classic adapter; at once if they cannot be published), or at once (the ClusterAdapter).
  enum class own_operations { applied_on_echo, applied_at_once };

  // `namespaces`: every namespace the application serves ("/" is added); `sink`: where other
  // nodes' serverSideEmit events go (called on the link thread). The derived class subscribes
  // through link_ and then calls start().
  redis_adapter_base(server& srv, redis_adapter_options options,
                     std::vector<std::string> namespaces, fanout::server_event_sink sink,
                     redis_pubsub_verbs verbs, std::string uid, own_operations own);
  ~redis_adapter_base() override = default;
  void start();

  // ---- The protocol, on the link thread. Each publish_* returns whether it was published.
  virtual std::string new_request_id() const = 0;
  // The channel whose subscribers are the cluster's servers.
  virtual std::string counted_channel(std::string_view nsp) const = 0;
  virtual void on_message(std::string_view channel, std::string_view payload) = 0;
  virtual void publish_broadcast(const fanout::broadcast_job& job) = 0;
  virtual bool publish_broadcast_with_acks(const fanout::broadcast_job& job,
                                           const std::string& request_id) = 0;
  virtual bool publish_fetch(const std::string& nsp, const std::string& request_id,
                             const rooms::broadcast_target& target) = 0;
  // request_id "" : no ack asked.
  virtual bool publish_server_side_emit(const std::string& nsp, const std::string& data_json,
                                        const std::string& request_id) = 0;
  virtual bool publish_sockets_operation(const sockets_operation& op) = 0;

  // ---- What arrives, handled alike (link thread).
  // A sockets operation, on this node's sockets.
  void apply(const sockets_operation& op);
  // Another node's broadcast, to this node's sockets.
  void deliver_broadcast(const std::string& nsp, const protocol::cluster::event_packet& packet,
                         const protocol::cluster::broadcast_options& opts);
  // Another node's broadcast with acks: delivered here, every shard's count summed into one
  // `publish_count`, each client's ack a `publish_ack`.
  void deliver_for_node(const std::string& nsp, const protocol::cluster::event_packet& packet,
                        const protocol::cluster::broadcast_options& opts,
                        std::function<void(std::size_t clients)> publish_count,
                        std::function<void(std::string json)> publish_ack);
  // Another node's serverSideEmit, to the application; `reply` (empty: none asked) is called
  // on the link thread.
  void hand_server_event(const std::string& nsp, std::string data_json,
                         std::function<void(std::string json)> reply);
  // The sockets of this node `target` names, handed to `publish_answer` on the link thread.
  void answer_fetch(std::string nsp, rooms::broadcast_target target,
                    std::function<void(std::vector<fanout::socket_description>)> publish_answer);
  // Answers to this node's requests: ignored unless the request id is still asked here.
  void client_count_arrived(const std::string& request_id, std::uint64_t clients);
  void ack_arrived(const std::string& request_id, std::string json);
  void sockets_arrived(const std::string& request_id, std::string_view sockets_json);
  void reply_arrived(const std::string& request_id, std::string json);
  // Whether `request_id` is one of this node's requests or broadcasts with acks still open.
  bool asked_here(const std::string& request_id) const;

  awaitable<std::size_t> count_servers(std::string nsp);
  bool serves(std::string_view nsp) const;

  // Declared first: destroyed last (its timers and executor outlive every member using them);
  // a derived class's destructor calls link_.stop() first.
  redis_link link_;
  server& server_;
  redis_adapter_options options_;
  std::vector<std::string> namespaces_;
  fanout::server_event_sink sink_;
  std::string uid_;
  fanout::local_adapter local_;
  pending_requests pending_;

 private:
  void run(sockets_operation op);
  awaitable<void> publish_with_acks(std::shared_ptr<const fanout::broadcast_job> job);
  awaitable<std::vector<fanout::socket_description>> fetch_on_link(std::string nsp,
                                                                   rooms::broadcast_target target);
  awaitable<fanout::server_replies> emit_with_ack_on_link(std::string nsp, std::string data_json);
  awaitable<void> fetch_and_answer(
      std::string nsp, rooms::broadcast_target target,
      std::function<void(std::vector<fanout::socket_description>)> publish_answer);

  own_operations own_;
  // This node's broadcasts with acks still collecting, by request id.
  std::unordered_map<std::string, std::shared_ptr<fanout::ack_gatherer>> ack_broadcasts_;
};

// The broadcast's packet and options as the adapters ship them.
protocol::cluster::event_packet packet_of(const fanout::broadcast_job& job);
protocol::cluster::broadcast_options options_of(const rooms::broadcast_target& target,
                                                const rooms::broadcast_flags& flags = {});
rooms::broadcast_target target_of(const protocol::cluster::broadcast_options& opts);

}  // namespace chorus::server::cluster
