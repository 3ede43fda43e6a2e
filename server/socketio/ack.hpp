#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::server::socketio {

class socket;

enum class ack_status { ok, timeout, disconnected };

// A client's answer to an emit with an ack: its arguments as JSON (comma-separated elements)
// and binary attachments. Views are valid during the callback.
struct ack_response {
  ack_status status = ack_status::ok;
  std::string_view args_json;
  const std::vector<std::string>* attachments = nullptr;
};
using ack_callback = std::function<void(const ack_response&)>;

// Answers one client event that asked for an ack; copyable, usable after the handler returns
// (e.g. once a message is stored). The first call sends; later calls and calls after the socket
// is gone do nothing.
class ack_sender {
 public:
  ack_sender() = default;
  ack_sender(std::weak_ptr<socket> target, std::uint64_t id)
      : target_(std::move(target)), id_(id), pending_(std::make_shared<bool>(true)) {}
  explicit operator bool() const { return pending_ && *pending_; }
  void operator()(std::string_view args_json = {}, std::vector<std::string> attachments = {}) const;

 private:
  std::weak_ptr<socket> target_;
  std::uint64_t id_ = 0;
  std::shared_ptr<bool> pending_;
};

}  // namespace chorus::server::socketio
