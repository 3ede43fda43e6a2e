#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rooms/encoded_packet.hpp"
#include "server/fanout/broadcast_acks.hpp"
#include "server/fanout/broadcast_job.hpp"

namespace chorus::server::fanout {

// A recipient as the hub sees it (Asio's chat_participant): a name, a namespace and a way to
// take a broadcast. socketio::socket is one; tests use stubs. The hub holds plain pointers: a
// participant leaves the hub (shard_hub::remove) before it is destroyed.
class participant {
 public:
  // The socket id: the name of the participant's own room.
  virtual const std::string& id() const = 0;
  virtual const std::string& nsp() const = 0;
  // Queues a broadcast's packets (job.packets), encoded once and shared by every recipient. Runs
  // inside the hub's walk of a room table: it must not join, leave or remove anything now (a
  // participant that has to go, e.g. on a full queue, goes later).
  virtual void deliver(const broadcast_job& job) = 0;
  // The same for a broadcast with acks: the participant also waits (timeout at most) for its
  // client's ack of `ack_id` and hands the first argument to `acks`. false: it is no longer
  // connected and took nothing (not counted as reached).
  virtual bool deliver_expecting_ack(const std::vector<rooms::shared_packet>& packets,
                                     std::uint64_t ack_id,
                                     const std::shared_ptr<ack_gatherer>& acks,
                                     std::chrono::milliseconds timeout) = 0;
  // Leaves the namespace as if the server called disconnect (disconnectSockets); with
  // close_connection the whole connection closes. Never called during a walk of a room table.
  virtual void disconnect(bool close_connection) = 0;
  // Told that the hub put it in `room` or took it out (socketsJoin, socketsLeave: a change of
  // membership only), during the walk of its room table: it may only take note.
  virtual void room_changed(std::string_view /*room*/, bool /*joined*/) {}
  // What fetchSockets shows of it (socket.io's handshake object, and socket.data), as JSON.
  virtual std::string handshake_json() const = 0;
  virtual std::string data_json() const = 0;

 protected:
  // Not owned through this interface.
  ~participant() = default;
};

}  // namespace chorus::server::fanout
