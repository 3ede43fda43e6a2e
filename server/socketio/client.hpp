#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "protocol/socketio/binary_reassembler.hpp"
#include "protocol/socketio/packet.hpp"
#include "server/asio.hpp"
#include "server/engineio/outbound_packet.hpp"
#include "server/engineio/session_handler.hpp"

namespace chorus::server {
class shard;
}

namespace chorus::server::socketio {

class application;
class socket;

// Socket.IO on top of one Engine.IO session: decodes packets, connects namespaces, routes events
// and acks to sockets, and reassembles binary attachments.
class client final : public engineio::session_handler {
 public:
  client(const application& app, shard& home);
  ~client() override;

  void on_open(engineio::session& session) override;
  void on_message(engineio::session& session, std::string_view data, bool binary) override;
  void on_close(engineio::session& session, disconnect_reason reason) override;

  // For sockets: queue an Engine.IO message ("4" + Socket.IO packet) and its attachments.
  void send(std::string engine_text, std::vector<std::string> attachments);
  // Queues packets encoded once for many recipients.
  void send_shared(const std::vector<engineio::outbound_packet>& packets, bool is_volatile);
  // A socket left its namespace (server or client side).
  void remove(socket& gone, disconnect_reason reason);
  void close(disconnect_reason reason);
  // Server-side disconnect of every namespace (each gets DISCONNECT), then the connection closes.
  void disconnect_all();
  shard& home() const { return home_; }

 private:
  void on_text(std::string_view text);
  void on_binary(std::string_view bytes);
  void dispatch(const protocol::socketio::header& h, std::vector<std::string>& attachments);
  void on_connect(const protocol::socketio::header& h, const protocol::socketio::parsed_payload& p);
  void on_event(socket& target, const protocol::socketio::header& h,
                const protocol::socketio::parsed_payload& p, std::vector<std::string>& attachments);
  socket* find(std::string_view nsp) const;
  void fail(protocol::socketio::parse_error error);

  const application& app_;
  shard& home_;
  // The session owns this client, so while the client exists the session does: the send path
  // (once per broadcast recipient) uses the plain pointer; timers, which may fire after both are
  // gone, hold the weak one.
  engineio::session* session_ = nullptr;
  std::weak_ptr<engineio::session> weak_session_;
  protocol::socketio::limits limits_;
  protocol::socketio::binary_reassembler reassembler_;
  // On the heap and only while they run: an idle connection keeps neither (120 bytes each).
  std::unique_ptr<asio::steady_timer> connect_timer_;
  std::unique_ptr<asio::steady_timer> attachment_timer_;
  // Few namespaces per connection: a vector beats a map.
  std::vector<std::shared_ptr<socket>> sockets_;
};

}  // namespace chorus::server::socketio
