#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "rooms/broadcast_target.hpp"
#include "server/asio.hpp"
#include "server/fanout/broadcast_acks.hpp"
#include "server/fanout/socket_description.hpp"

namespace chorus::server {
class node_services;
class shard;
}  // namespace chorus::server

namespace chorus::server::socketio {

class packet_writer;

// Emits one event to many sockets of a namespace, through the server's adapter: to rooms (each
// recipient once), to the whole namespace when no room is named, except rooms or socket ids
// (every socket is in a room named by its id). The packet is encoded once, here; the calling
// shard delivers at once, so one sender's messages keep their order.
class broadcast_operator {
 public:
  // `origin`: the shard the caller runs on, or nullptr from any other thread.
  broadcast_operator(node_services& node, shard* origin, std::string nsp);

  broadcast_operator& to(std::string room);
  broadcast_operator& except(std::string room_or_socket_id);
  // May be dropped for a recipient whose queue is full, instead of disconnecting it.
  broadcast_operator& as_volatile();
  // This process only (matters once a cluster adapter exists).
  broadcast_operator& local();

  // args_json: the arguments as comma-separated JSON; attachments are referenced from it by
  // {"_placeholder":true,"num":i}.
  void emit(std::string_view event_name, std::string_view args_json = {},
            const std::vector<std::string>& attachments = {}) const;

  // The same, and `done` runs once (on the calling shard) with every reached client's first ack
  // argument, complete or not at the timeout (socket.io's io.timeout(ms).emit(..., cb)); on
  // every node of a cluster. Needs a calling shard (origin); nullptr uses shard 0.
  void emit_with_ack(std::string_view event_name, std::string_view args_json,
                     std::chrono::milliseconds timeout, fanout::ack_collector::done_callback done,
                     const std::vector<std::string>& attachments = {}) const;

  // socket.io's operations on the sockets this operator names (io.in(room).socketsJoin(...)),
  // on every node when the adapter is a cluster's.
  void sockets_join(std::vector<std::string> rooms) const;
  void sockets_leave(std::vector<std::string> rooms) const;
  void disconnect_sockets(bool close_connection = false) const;
  awaitable<std::vector<fanout::socket_description>> fetch_sockets() const;

 private:
  // The EVENT's writer: the server's --parser.
  const packet_writer& writer() const;

  node_services& node_;
  shard* origin_;
  std::string nsp_;
  rooms::broadcast_target target_;
  rooms::broadcast_flags flags_;
};

}  // namespace chorus::server::socketio
