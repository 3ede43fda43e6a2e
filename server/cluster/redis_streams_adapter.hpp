#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/cluster/cluster_adapter_base.hpp"
#include "server/cluster/stream_reader.hpp"

namespace chorus::server::cluster {

// @socket.io/redis-streams-adapter 0.3.1 (createAdapter; ../shared/SCALEOUT.md §2, §3): the
// ClusterAdapter envelope (protocol/cluster/stream_messages.hpp) over
//   - the stream "<key>" (--redis-key; the Node adapter's streamName with streamCount 1, its
//     default: every namespace in one stream): non-ack broadcasts, socketsJoin, socketsLeave and
//     disconnectSockets, `XADD <key> MAXLEN ~ 10000 * uid … nsp … type … [data …]`, read by a
//     connection of its own (stream_reader);
//   - classic Pub/Sub: broadcasts with acks, fetchSockets and serverSideEmit on "<key>#<nsp>#"
//     (the Node adapter's channelPrefix is its streamName by default: both are "socket.io"),
//     answers on the requester's "<key>#<nsp>#<uid>#", msgpack of the whole message;
//     serverCount = NUMSUB of "<key>#<nsp>#".
// This node subscribes only once its reader knows where the stream ends, so a node other nodes
// count reads every entry they add from then on.
//
// Connection state recovery is not implemented: a broadcast's stream entry id is its offset,
// and the two hooks below are where it is known, on this node's XADD and on another's entry.
// (The link thread starts in this constructor: a class overriding them would first move that
// start() to its own constructor, so that no hook runs before it is built.)
class redis_streams_adapter : public cluster_adapter_base {
 public:
  redis_streams_adapter(server& srv, redis_adapter_options options,
                        std::vector<std::string> namespaces, fanout::server_event_sink sink);
  ~redis_streams_adapter() override;

  static constexpr std::string_view max_length = "10000";  // MAXLEN ~, the Node default maxLen

 protected:
  // This node's non-ack broadcast in `nsp` became entry `entry_id` (link thread; not called
  // when the XADD failed).
  virtual void broadcast_appended(std::string_view /*nsp*/, std::string_view /*entry_id*/) {}
  // Another node's non-ack broadcast was read at `entry_id`, just before it is delivered here
  // (link thread).
  virtual void broadcast_read(const protocol::cluster::cluster_message& /*message*/,
                              std::string_view /*entry_id*/) {}

 private:
  std::string counted_channel(std::string_view nsp) const override;
  void on_message(std::string_view channel, std::string_view payload) override;
  bool send_message(const protocol::cluster::cluster_message& message) override;
  void send_answer(const std::string& requester,
                   const protocol::cluster::cluster_message& message) override;

  bool append_to_stream(const protocol::cluster::cluster_message& message);
  void on_entry(const stream_entry& entry);

  stream_reader reader_;
};

}  // namespace chorus::server::cluster
