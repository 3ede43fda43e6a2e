#pragma once

#include <cstddef>

#include "server/socketio/application.hpp"

namespace chorus::server::chat {

struct chat_options {
  double rate_limit = 10;          // events per second per connection; 0: off
  std::size_t max_username = 32;   // bytes
  std::size_t max_room = 64;       // bytes
  std::size_t max_message = 2000;  // bytes
};

// The seed's chat (a Flask-SocketIO lesson), event for event: status on connect, join,
// message to everyone, user_left, join_room / leave_room / room_message, the /chat and
// /notifications namespaces, and the errors for invalid payloads, handler failures and the
// rate limit.
void register_chat(socketio::application& app, const chat_options& options);

}  // namespace chorus::server::chat
