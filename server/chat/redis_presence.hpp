#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "server/asio.hpp"
#include "server/chat/chat_redis_link.hpp"
#include "server/chat/presence.hpp"
#include "server/chat/presence_service.hpp"

namespace chorus::server::chat {

struct redis_presence_options {
  std::string key = "socket.io";  // the cluster's --redis-key: every key starts with it
  std::size_t max_listed = 200;   // usernames listed in one `users` event
  // A node's users count while its liveness key lives: set with this TTL, refreshed every third
  // of it. A node that dies leaves its users online at most this long.
  std::chrono::milliseconds node_ttl{15000};
};

// Presence over every node of a cluster, in Redis (keys: chat_keys.hpp). Each node counts its
// own sockets in fields named by its id (HINCRBY), so nodes never overwrite one another, and
// each change runs in one Lua script that also INCRs the roster version: the versions of one
// room's rosters order them totally, whichever node sent them. Fields of nodes whose liveness
// key has expired are dropped by the scripts that read them.
//
// This node's own sockets are also kept in an in-process presence, so that `online` for a user
// signed in here needs no round trip.
class redis_presence final : public presence_service {
 public:
  redis_presence(chat_redis_link& link, redis_presence_options options);

  // Sets the node's liveness key and keeps refreshing it until close(); each time the link comes
  // back after it was lost, re-sends this node's counts (resync).
  void start();
  // Stops refreshing and deletes the liveness key (waiting at most `limit`), so that this
  // node's users are offline at once rather than after the TTL.
  void close(std::chrono::milliseconds limit = std::chrono::milliseconds(1000));

  const std::string& node_id() const { return node_id_; }

  void enter(asio::any_io_executor where, std::string room, std::string username,
             roster_callback done) override;
  void leave(asio::any_io_executor where, std::string room, std::string username,
             roster_callback done) override;
  void users(asio::any_io_executor where, std::string room, roster_callback done) override;
  void sign_in(asio::any_io_executor where, std::string username, done_callback done) override;
  void sign_out(asio::any_io_executor where, std::string username, done_callback done) override;
  void online(asio::any_io_executor where, std::string username, online_callback done) override;

 private:
  void room_script(asio::any_io_executor where, const char* op, const std::string& room,
                   const std::string& username, roster_callback done);
  void user_script(const char* op, const std::string& username,
                   chat_redis_link::reply_callback done);
  // A sign-in or -out (op "in", "out") in Redis; `done` on `where` once Redis answered.
  void share(const char* op, asio::any_io_executor where, const std::string& username,
             done_callback done);
  // Redis lost this node's counts (a restart without persistence) or missed some changes (made
  // while the link was down): sets every count this node has, and clears those of rooms and
  // users changed meanwhile that it no longer has. Absolute values, so the order against the
  // changes still queued does not matter as long as each change is queued in the order it was
  // made here (order_mutex_).
  void resync();
  void mark_dirty_room(const std::string& room);
  void mark_dirty_user(const std::string& username);

  chat_redis_link& link_;
  redis_presence_options options_;
  std::string node_id_;
  std::string node_key_;
  presence local_;
  // Held while a change is made here and its command queued, and while resync() reads the counts
  // and queues its commands: Redis gets them in the order the counts changed.
  std::mutex order_mutex_;
  // Rooms and users whose change did not reach Redis, for the next resync().
  std::mutex dirty_mutex_;
  std::set<std::string, std::less<>> dirty_rooms_;
  std::set<std::string, std::less<>> dirty_users_;
  std::atomic<bool> closed_{false};
};

}  // namespace chorus::server::chat
