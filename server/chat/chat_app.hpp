#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "server/socketio/application.hpp"

namespace chorus::server::chat {

class history;
class presence_service;

struct chat_options {
  double rate_limit = 10;              // events per second per connection; 0: off
  std::size_t max_username = 32;       // bytes
  std::size_t max_room = 64;           // bytes
  std::size_t max_message = 2000;      // bytes
  std::size_t max_rooms = 100;         // rooms one connection may be in through join_room
  std::size_t max_listed_users = 200;  // usernames listed in one `users` event
  // Non-empty: every namespace admits only a CONNECT whose auth carries a valid HS256 JWT
  // signed with it ({token: "..."}); the token's sub (or name) is then the user's name.
  std::string jwt_secret;
};

// Every connection that `join`s as a user is in the room `user_room_prefix + username`, which
// private messages go to. Client rooms with this prefix are refused (Invalid message).
inline constexpr std::string_view user_room_prefix = "@user:";

// The seed's chat (a Flask-SocketIO lesson), event for event: status on connect, join,
// message to everyone, user_left, join_room / leave_room / room_message, the /chat and
// /notifications namespaces, and the errors for invalid payloads, handler failures and the
// rate limit. Beyond the seed: `history` on join and join_room (from `history`, which stores
// every message), `users` presence in rooms, volatile `typing`,
// acks {id, timestamp} once a message is stored, and `private_message` to a user's sockets.
// `history` and `people` (presence) must outlive the server: in one process, SQLite and the
// in-process presence; in a cluster, Redis.
void register_chat(socketio::application& app, const chat_options& options, history& history,
                   presence_service& people);

}  // namespace chorus::server::chat
