#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace chorus::server::socketio {

// Answers one serverSideEmit from another node of the cluster (socket.io's ack callback of
// io.on(event, (...args, ack) => ...)): the value, as JSON, goes back to the node that asked.
// Copyable; the first call sends, later calls do nothing, and so does every call when the
// sender asked for no answer.
class server_reply {
 public:
  server_reply() = default;
  explicit server_reply(std::function<void(std::string)> send)
      : send_(std::move(send)), pending_(std::make_shared<bool>(static_cast<bool>(send_))) {}
  bool wanted() const { return pending_ && *pending_; }
  void operator()(std::string_view json_value) const {
    if (!wanted()) return;
    *pending_ = false;
    send_(std::string(json_value));
  }

 private:
  std::function<void(std::string)> send_;
  std::shared_ptr<bool> pending_;
};

}  // namespace chorus::server::socketio
