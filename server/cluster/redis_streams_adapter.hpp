#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/cluster/cluster_adapter_base.hpp"
#include "server/cluster/stream_reader.hpp"
#include "server/cluster/stream_recovery_log.hpp"

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
//
// With connection state recovery on, the stream is its log (stream_recovery_log), as in the Node
// adapter: every stored packet (a broadcast without ack, not volatile, not local; a socket's
// direct emit, a broadcast to its own room) is an entry whose id is its offset. This node
// delivers its own stored broadcasts when it reads them back from the stream rather than at
// once, so that each of its sockets gets stored packets in the stream's order, whichever node
// sent them: the order of the offsets a recovering client counts on. (The Node adapter delivers
// its own at once, once XADD answered.) One that cannot be added is delivered here without an
// offset, as the broadcast without recovery would be.
class redis_streams_adapter : public cluster_adapter_base {
 public:
  redis_streams_adapter(server& srv, redis_adapter_options options,
                        std::vector<std::string> namespaces, fanout::server_event_sink sink);
  ~redis_streams_adapter() override;

  void broadcast(std::shared_ptr<const fanout::broadcast_job> job,
                 fanout::shard_hub* origin) override;

  static constexpr std::string_view max_length = "10000";  // MAXLEN ~, the Node default maxLen

 private:
  std::string counted_channel(std::string_view nsp) const override;
  void on_message(std::string_view channel, std::string_view payload) override;
  bool send_message(const protocol::cluster::cluster_message& message) override;
  void send_answer(const std::string& requester,
                   const protocol::cluster::cluster_message& message) override;

  bool append_to_stream(const protocol::cluster::cluster_message& message,
                        std::function<void(const redis_reply& reply)> on_reply = {});
  void append_stored(std::shared_ptr<const fanout::broadcast_job> job);
  void on_entry(const stream_entry& entry);

  stream_reader reader_;
  // Set when connection state recovery is on (server/recovery keeps it in the stream).
  std::unique_ptr<stream_recovery_log> recovery_log_;
  // Whether the reader reads the stream from where it ended when it started; until then stored
  // broadcasts wait here (link thread), at most max_before_reading of them.
  bool reading_ = false;
  std::vector<std::shared_ptr<const fanout::broadcast_job>> before_reading_;
  static constexpr std::size_t max_before_reading = 1024;
};

}  // namespace chorus::server::cluster
