#pragma once

#include <functional>
#include <memory>

#include "server/engineio/session_handler.hpp"

namespace chorus::server {

class shard;
namespace fanout {
class adapter;
}
namespace recovery {
class state_recovery;
}

// What the layers above Engine.IO (Socket.IO and the applications) use of the node they run on:
// handed to them, so they never reach the server that composes it. server implements it.
class node_services {
 public:
  // Carries broadcasts and room questions (this process's shards, or a cluster's nodes too).
  virtual fanout::adapter& adapter() = 0;
  // Connection state recovery when enabled, else null.
  virtual recovery::state_recovery* recovery() = 0;
  virtual unsigned shard_count() const = 0;
  virtual shard& shard_at(unsigned index) = 0;

 protected:
  ~node_services() = default;  // not owned through this interface
};

// Makes the handler that runs on top of each new Engine.IO session (Socket.IO, or an echo), on
// the session's shard of `node`.
using session_handler_factory =
    std::function<std::unique_ptr<engineio::session_handler>(shard& home, node_services& node)>;

}  // namespace chorus::server
