#pragma once

#include <functional>
#include <optional>
#include <string>

#include "server/asio.hpp"
#include "server/chat/presence.hpp"

namespace chorus::server::chat {

// Who is in which room and who is online, as the chat handlers ask it: in this process
// (local_presence) or over every node of a cluster (redis_presence). Called on a shard thread;
// every callback runs on the executor `where` given with the call — at once for the local
// presence, later for the cluster's. Callbacks must hold what they need (a weak socket).
class presence_service {
 public:
  // The room's roster after the change; nullopt when it could not be had (Redis down).
  using roster_callback = std::function<void(std::optional<presence::roster>)>;
  // false: the change did not reach the cluster (Redis down); this node still counts it.
  using done_callback = std::function<void(bool ok)>;
  // nullopt: unknown (Redis down).
  using online_callback = std::function<void(std::optional<bool>)>;

  virtual ~presence_service() = default;

  // One socket enters or leaves a room under a username (several sockets may share one).
  virtual void enter(asio::any_io_executor where, std::string room, std::string username,
                     roster_callback done) = 0;
  virtual void leave(asio::any_io_executor where, std::string room, std::string username,
                     roster_callback done) = 0;
  virtual void users(asio::any_io_executor where, std::string room, roster_callback done) = 0;

  // One socket signs in or out under a username (the lobby's `join`).
  virtual void sign_in(asio::any_io_executor where, std::string username, done_callback done) = 0;
  virtual void sign_out(asio::any_io_executor where, std::string username, done_callback done) = 0;
  virtual void online(asio::any_io_executor where, std::string username, online_callback done) = 0;
};

}  // namespace chorus::server::chat
