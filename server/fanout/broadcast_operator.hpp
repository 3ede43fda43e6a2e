#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rooms/broadcast_target.hpp"

namespace chorus::server {
class server;
class shard;
}  // namespace chorus::server

namespace chorus::server::fanout {

// Emits one event to many sockets of a namespace, through the server's adapter: to rooms (each
// recipient once), to the whole namespace when no room is named, except rooms or socket ids
// (every socket is in a room named by its id). The packet is encoded once, here; the calling
// shard delivers at once, so one sender's messages keep their order.
class broadcast_operator {
 public:
  // `origin`: the shard the caller runs on, or nullptr from any other thread.
  broadcast_operator(server& srv, shard* origin, std::string nsp);

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

 private:
  server& server_;
  shard* origin_;
  std::string nsp_;
  rooms::broadcast_target target_;
  rooms::broadcast_flags flags_;
};

}  // namespace chorus::server::fanout
