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
// Connection state recovery over the stream (a broadcast's entry id as its offset) is not
// implemented: each node recovers the sessions it kept (server/recovery).
class redis_streams_adapter : public cluster_adapter_base {
 public:
  redis_streams_adapter(server& srv, redis_adapter_options options,
                        std::vector<std::string> namespaces, fanout::server_event_sink sink);
  ~redis_streams_adapter() override;

  static constexpr std::string_view max_length = "10000";  // MAXLEN ~, the Node default maxLen

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
