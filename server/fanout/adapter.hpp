#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "server/asio.hpp"
#include "server/fanout/broadcast_job.hpp"

namespace chorus::server {
class shard;
}

namespace chorus::server::fanout {

// What is asked of a namespace's sockets beyond one shard (socket.io-adapter's Adapter):
// broadcasts and questions about rooms. local_adapter answers for this process's shards; a
// cluster adapter (Redis, SCALEOUT.md) would also carry them to other nodes, so socketio/ and
// the applications do not change when one is added. Each operation names its namespace.
class adapter {
 public:
  virtual ~adapter() = default;

  // Delivers a broadcast the caller encoded once to every recipient `job` names. From any
  // thread; `origin` is the shard the caller runs on (it delivers at once, so one sender's
  // messages keep their order), or nullptr. job->flags.local: this process only.
  virtual void broadcast(std::shared_ptr<const broadcast_job> job, shard* origin) = 0;

  // Awaitable from a coroutine on any executor.
  // The ids of the sockets in `room`.
  virtual awaitable<std::vector<std::string>> room_members(std::string nsp, std::string room) = 0;
  // How many sockets are in `room`.
  virtual awaitable<std::size_t> room_size(std::string nsp, std::string room) = 0;
  // The names of every room (each socket's own room included), sorted, each once.
  virtual awaitable<std::vector<std::string>> room_names(std::string nsp) = 0;
  // Every socket leaves `room` (socket.io's socketsLeave).
  virtual awaitable<void> close_room(std::string nsp, std::string room) = 0;
};

}  // namespace chorus::server::fanout
