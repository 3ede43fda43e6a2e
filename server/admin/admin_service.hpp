#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "server/admin/admin_options.hpp"
#include "server/socketio/application.hpp"

namespace chorus::server {
class node_services;
}

namespace chorus::server::admin {

class admin_login;
class socket_reporter;

// The server side of @socket.io/admin-ui 0.5.1 (instrument()): the /admin namespace with its
// basic auth, `session` and `config`, `server_stats` every 2 s, development mode's socket
// reports and `all_sockets`, and the UI's commands (emit, join, leave, _disconnect) through the
// adapter, so on every node of a cluster. Constructed before the server, outlives it.
class admin_service {
 public:
  static constexpr std::string_view nsp = "/admin";

  // Registers the namespace and, in development mode, the socket observer.
  admin_service(admin_options options, socketio::application& app);
  ~admin_service();

  // The node whose adapter the commands and reports go through: before the server starts.
  void attach(node_services& node);
  // After the server started: the server_stats loop, on shard 0.
  void start();
  // Before the server drains: ends the loop (it must not outlive the shards it asks).
  void stop();

  struct state;

 private:
  std::shared_ptr<state> state_;
  bool started_ = false;
};

}  // namespace chorus::server::admin
