#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/cluster/redis_adapter_base.hpp"
#include "server/string_hash.hpp"

namespace chorus::protocol::cluster {
struct cluster_message;
}  // namespace chorus::protocol::cluster

namespace chorus::server::cluster {

// What the adapters built on socket.io-adapter's ClusterAdapter (../shared/SCALEOUT.md §2) do
// alike, whatever carries their messages: the sharded Redis adapter (sharded Pub/Sub) and the
// Redis streams adapter (a stream and Pub/Sub). Requests and broadcasts become the envelope
// {uid, nsp, type, data} stamped with this node's 16-hex uid; what arrives is filtered (never
// this node's own, never another namespace's) and handled by type; answers go back to the
// requester's uid. This node applies its own socketsJoin, socketsLeave and disconnectSockets at
// once. The derived class says where a message goes (send_message, send_answer) and hands what
// it reads to receive().
class cluster_adapter_base : public redis_adapter_base {
 public:
  // This node's rooms: the ClusterAdapter has no allRooms request.
  awaitable<std::vector<std::string>> room_names(std::string nsp) override;

 protected:
  cluster_adapter_base(server& srv, redis_adapter_options options,
                       std::vector<std::string> namespaces, fanout::server_event_sink sink,
                       redis_pubsub_verbs verbs);

  // The BROADCAST message of `job`, stamped with this node's uid.
  protocol::cluster::cluster_message stamped_broadcast(const fanout::broadcast_job& job) const;

  // `message`, stamped with this node's uid, to every node; false when it was not handed over.
  virtual bool send_message(const protocol::cluster::cluster_message& message) = 0;
  // An answer, stamped, to the node whose uid is `requester`.
  virtual void send_answer(const std::string& requester,
                           const protocol::cluster::cluster_message& message) = 0;

  // A message read from where the other nodes send (link thread). `answers_only`: it came on
  // this node's own answers channel, where only answers count.
  void receive(protocol::cluster::cluster_message& message, bool answers_only);
  // A Pub/Sub payload on a channel of `nsp`: decoded (JSON or msgpack), counted as malformed or
  // dropped when of another namespace, else received.
  void receive_payload(const std::string& nsp, bool answers_only, std::string_view payload);

  // Both protocols' channels of each namespace: "<key>#<nsp>#" (every node) and
  // "<key>#<nsp>#<uid>#" (answers to this node).
  void subscribe_channels(subscription_kind kind);
  // The namespace of one of those channels, and whether it is the answers' one; null for another.
  const std::string* channel_namespace(std::string_view channel, bool& answers) const;
  // "<key>#<nsp>#" → namespace. Looked up for every message.
  std::unordered_map<std::string, std::string, string_hash, std::equal_to<>> main_channels_;
  std::unordered_map<std::string, std::string, string_hash, std::equal_to<>> answer_channels_;

 private:
  std::string new_request_id() const override;
  void publish_broadcast(const fanout::broadcast_job& job) override;
  bool publish_broadcast_with_acks(const fanout::broadcast_job& job,
                                   const std::string& request_id) override;
  bool publish_fetch(const std::string& nsp, const std::string& request_id,
                     const rooms::broadcast_target& target) override;
  bool publish_server_side_emit(const std::string& nsp, const std::string& data_json,
                                const std::string& request_id) override;
  bool publish_sockets_operation(const sockets_operation& op) override;

  bool publish_message(protocol::cluster::cluster_message message);
  void publish_answer(const std::string& requester, protocol::cluster::cluster_message message);
  void on_request(protocol::cluster::cluster_message& message);
  void on_answer(protocol::cluster::cluster_message& message);
};

}  // namespace chorus::server::cluster
