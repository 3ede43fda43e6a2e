#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "server/asio.hpp"
#include "server/cluster/redis_url.hpp"
#include "server/fanout/adapter.hpp"
#include "server/fanout/local_adapter.hpp"
#include "server/string_hash.hpp"

namespace chorus::protocol::cluster {
struct broadcast_options;
struct redis_request;
}  // namespace chorus::protocol::cluster

namespace chorus::server::cluster {

class redis_connection;

// A cluster question that got no full answer: Redis is down, or a node did not answer in time.
struct cluster_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct redis_adapter_options {
  redis_endpoint endpoint;
  std::string key = "socket.io";  // channel prefix (the Node adapter's `key`)
  std::chrono::milliseconds requests_timeout{5000};
};

// What /metrics shows of the cluster link. Written on the link thread, read by scrapes.
struct cluster_counters {
  std::atomic<bool> up{false};
  std::atomic<std::uint64_t> published{0};         // broadcasts and requests handed to Redis
  std::atomic<std::uint64_t> received{0};          // broadcasts from other nodes delivered here
  std::atomic<std::uint64_t> dropped{0};           // not published: the link was down or backed up
  std::atomic<std::uint64_t> malformed{0};         // channel messages that could not be decoded
  std::atomic<std::uint64_t> requests{0};          // cluster requests this node asked
  std::atomic<std::uint64_t> request_failures{0};  // of which timed out or found Redis down
  std::atomic<std::uint64_t> request_micros{0};    // their total latency
};

// @socket.io/redis-adapter 8.3's classic Pub/Sub protocol (../shared/SCALEOUT.md §1), so chorus
// nodes and Node.js nodes serve one cluster: every broadcast is delivered here at once (through
// the local adapter) and published once, encoded once, for the other nodes; their broadcasts and
// requests come back through Redis. One thread of its own runs the two Redis connections
// (publish/commands and subscriptions) and every encode, decode and request, so no shard ever
// waits on Redis; what arrives is handed to the shards through their hubs' inboxes.
class redis_adapter final : public fanout::adapter {
 public:
  // `namespaces`: every namespace the application serves (each has its own channels); `sink`:
  // where other nodes' serverSideEmit events go (called on the link thread).
  redis_adapter(server& srv, redis_adapter_options options, std::vector<std::string> namespaces,
                fanout::server_event_sink sink);
  ~redis_adapter() override;

  void broadcast(std::shared_ptr<const fanout::broadcast_job> job, shard* origin) override;
  // Cluster-wide, as socket.io's fetchSockets / allRooms / socketsLeave are.
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
  awaitable<std::vector<fanout::socket_description>> fetch_sockets(
      std::string nsp, rooms::broadcast_target target) override;
  awaitable<std::size_t> server_count(std::string nsp) override;
  void server_side_emit(std::string nsp, std::string data_json) override;
  awaitable<fanout::server_replies> server_side_emit_with_ack(std::string nsp,
                                                              std::string data_json) override;
  void append_metrics(std::vector<metrics::family>& families) const override;

  const cluster_counters& counters() const { return counters_; }
  // This node's id on the channels (6 characters, as the Node adapter's).
  const std::string& uid() const { return uid_; }

 private:
  struct pending_request;
  class remote_acks;
  enum class channel_kind { broadcast, request, response };

  // All below run on the link thread.
  void subscribe_all();
  void on_message(std::string_view channel, std::string_view payload);
  void on_broadcast(const std::string& nsp, std::string_view payload);
  void on_request(const std::string& nsp, std::string_view payload);
  void on_response(std::string_view payload);
  void publish_broadcast(const fanout::broadcast_job& job);
  // A broadcast with acks: counts the other nodes, publishes it (type 7) and routes their
  // client counts (8) and acks (9) to the job's collector until its timeout.
  awaitable<void> publish_with_acks(std::shared_ptr<const fanout::broadcast_job> job);
  // Type 7 from another node: delivered here, each shard's count summed into one type 8, each
  // client's ack a type 9.
  void deliver_for_node(const std::string& nsp, protocol::cluster::redis_request& request);
  bool publish(const std::string& channel, const std::string& payload);
  void note_malformed(std::string_view what, std::string_view error);
  // socketsJoin / socketsLeave / disconnectSockets: published, applied here when the message
  // comes back (as the Node adapter does); applied at once if it cannot be published.
  void publish_or_apply(std::string nsp, std::string payload, std::function<void()> apply);
  awaitable<std::size_t> count_servers(std::string nsp);
  // Publishes the request registered in pending_ under `request_id` and waits for its
  // answers or the timeout (throws cluster_error).
  awaitable<std::shared_ptr<pending_request>> ask_nodes(std::string nsp, std::string request_id,
                                                        std::string payload);
  awaitable<std::vector<std::string>> all_rooms_on_link(std::string nsp);
  awaitable<std::vector<fanout::socket_description>> fetch_on_link(std::string nsp,
                                                                   rooms::broadcast_target target);
  awaitable<fanout::server_replies> emit_with_ack_on_link(std::string nsp, std::string data_json);
  awaitable<void> answer_all_rooms(std::string nsp, std::string request_id);
  // A REMOTE_FETCH answer, or with ids_only the legacy SOCKETS one.
  awaitable<void> answer_fetch(std::string nsp, std::string request_id,
                               rooms::broadcast_target target, bool ids_only);
  // Runs a link-thread coroutine from any executor and hands back its result there.
  template <class T>
  awaitable<T> on_link(awaitable<T> work);

  std::string broadcast_channel(std::string_view nsp) const;
  std::string request_channel(std::string_view nsp) const;
  std::string response_channel(std::string_view nsp) const;

  server& server_;
  redis_adapter_options options_;
  std::vector<std::string> namespaces_;
  fanout::server_event_sink sink_;
  std::string uid_;
  fanout::local_adapter local_;
  cluster_counters counters_;
  asio::io_context link_{1};
  std::shared_ptr<redis_connection> publisher_;
  std::shared_ptr<redis_connection> subscriber_;
  // channel → (what it carries, namespace), for the exact channels; broadcasts by prefix.
  // Looked up for every message: by string_view, no copy.
  std::unordered_map<std::string, std::pair<channel_kind, std::string>, string_hash,
                     std::equal_to<>>
      channels_;
  std::vector<std::pair<std::string, std::string>> broadcast_prefixes_;  // (nsp, "<key>#<nsp>#")
  std::unordered_map<std::string, std::shared_ptr<pending_request>> pending_;
  // This node's broadcasts with acks still collecting, by request id.
  std::unordered_map<std::string, std::shared_ptr<fanout::ack_gatherer>> ack_broadcasts_;
  std::chrono::steady_clock::time_point last_malformed_log_{};
  std::thread thread_;
};

}  // namespace chorus::server::cluster
