#pragma once

#include <string>
#include <vector>

#include "server/engineio/outbound_packet.hpp"

namespace chorus::server::fanout {

// A recipient as the hub sees it (Asio's chat_participant): a name, a namespace and a way to
// take a broadcast. socketio::socket is one; tests use stubs. The hub holds plain pointers: a
// participant leaves the hub (shard_hub::remove) before it is destroyed.
class participant {
 public:
  // The socket id: the name of the participant's own room.
  virtual const std::string& id() const = 0;
  virtual const std::string& nsp() const = 0;
  // Queues a broadcast's packets, encoded once and shared by every recipient. Runs inside the
  // hub's walk of a room table: it must not join, leave or remove anything now (a participant
  // that has to go, e.g. on a full queue, goes later).
  virtual void deliver(const std::vector<engineio::outbound_packet>& packets, bool is_volatile) = 0;

 protected:
  // Not owned through this interface.
  ~participant() = default;
};

}  // namespace chorus::server::fanout
