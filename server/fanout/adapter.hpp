#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/asio.hpp"
#include "server/fanout/broadcast_job.hpp"
#include "server/fanout/socket_description.hpp"
#include "server/metrics/exposition.hpp"

namespace chorus::server::fanout {

class shard_hub;

// What serverSideEmit with an ack gathers: each other node's reply (its first ack argument, as
// JSON), and whether every node answered before the timeout.
struct server_replies {
  std::vector<std::string> replies;
  bool complete = true;
};

// Where a cluster adapter hands the serverSideEmit events other nodes send: the application's
// handlers. `reply` is empty when the sender asked for no answer.
using server_event_sink = std::function<void(const std::string& nsp, std::string data_json,
                                             std::function<void(std::string)> reply)>;

// What is asked of a namespace's sockets beyond one shard (socket.io-adapter's Adapter):
// broadcasts and questions about rooms. local_adapter answers for this process's shards; a
// cluster adapter (Redis, SCALEOUT.md) would also carry them to other nodes, so socketio/ and
// the applications do not change when one is added. Each operation names its namespace.
class adapter {
 public:
  virtual ~adapter() = default;

  // Delivers a broadcast the caller encoded once to every recipient `job` names. From any
  // thread; `origin` is the hub of the shard the caller runs on (it delivers at once, so one
  // sender's messages keep their order), or nullptr. job->flags.local: this process only.
  virtual void broadcast(std::shared_ptr<const broadcast_job> job, shard_hub* origin) = 0;

  // Awaitable from a coroutine on any executor.
  // The ids of the sockets in `room`.
  virtual awaitable<std::vector<std::string>> room_members(std::string nsp, std::string room) = 0;
  // How many sockets are in `room`.
  virtual awaitable<std::size_t> room_size(std::string nsp, std::string room) = 0;
  // The names of every room (each socket's own room included), sorted, each once.
  virtual awaitable<std::vector<std::string>> room_names(std::string nsp) = 0;
  // Every socket leaves `room` (socket.io's socketsLeave).
  virtual awaitable<void> close_room(std::string nsp, std::string room) = 0;

  // socket.io's server-side operations on the sockets `target` names, with Node's names and
  // meaning. The three below return at once; the work happens on each socket's shard (and node).
  virtual void sockets_join(std::string nsp, rooms::broadcast_target target,
                            std::vector<std::string> rooms) = 0;
  virtual void sockets_leave(std::string nsp, rooms::broadcast_target target,
                             std::vector<std::string> rooms) = 0;
  virtual void disconnect_sockets(std::string nsp, rooms::broadcast_target target,
                                  bool close_connection) = 0;
  virtual awaitable<std::vector<socket_description>> fetch_sockets(
      std::string nsp, rooms::broadcast_target target) = 0;
  // How many servers share the namespace's broadcasts (1 for one process).
  virtual awaitable<std::size_t> server_count(std::string nsp) = 0;

  // socket.io's serverSideEmit: data_json ([event, ...args]) to the handlers of `nsp` on the
  // other nodes, never this one's (one node: nothing to do).
  virtual void server_side_emit(std::string nsp, std::string data_json) = 0;
  // The same, waiting for every other node's reply or the cluster's request timeout.
  virtual awaitable<server_replies> server_side_emit_with_ack(std::string nsp,
                                                              std::string data_json) = 0;

  // Adds the adapter's own metric families to a /metrics scrape (any thread).
  virtual void append_metrics(std::vector<metrics::family>& families) const {}
};

}  // namespace chorus::server::fanout
