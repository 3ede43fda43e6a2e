#pragma once

#include <string>
#include <string_view>

#include "server/socketio/socket_observer.hpp"

namespace chorus::server {
class node_services;
}

namespace chorus::server::admin {

// The Admin UI's development mode: tells the /admin namespace, on every node, what sockets do
// (socket_connected, socket_updated, socket_disconnected, room_joined, room_left,
// event_received, event_sent), as @socket.io/admin-ui's server does. Each report is formatted
// where the change happens and broadcast through the adapter, which queues it for the shards
// (nothing here touches a room table during the change that called it).
class socket_reporter final : public socketio::socket_observer {
 public:
  explicit socket_reporter(std::string admin_nsp) : admin_nsp_(std::move(admin_nsp)) {}
  // Before the server starts.
  void attach(node_services& node) { node_ = &node; }

  void connected(const socketio::socket& s) override;
  void disconnected(const socketio::socket& s, disconnect_reason reason) override;
  void joined(const socketio::socket& s, std::string_view room) override;
  void left(const socketio::socket& s, std::string_view room) override;
  void event_received(const socketio::socket& s, std::string_view event_name,
                      std::string_view args_json) override;
  void event_sent(const socketio::socket& s, std::string_view event_name,
                  std::string_view args_json) override;
  void transport_upgraded(const socketio::socket& s) override;

 private:
  void report(std::string_view event_name, const std::string& args_json);
  void report_room(const char* what, const socketio::socket& s, std::string_view room);
  void report_event(const char* what, const socketio::socket& s, std::string_view event_name,
                    std::string_view args_json);

  std::string admin_nsp_;
  node_services* node_ = nullptr;
};

}  // namespace chorus::server::admin
