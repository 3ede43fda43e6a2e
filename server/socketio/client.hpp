#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/socketio/binary_reassembler.hpp"
#include "protocol/socketio/packet.hpp"
#include "server/asio.hpp"
#include "server/engineio/outbound_packet.hpp"
#include "server/engineio/session_handler.hpp"
#include "server/recovery/cluster_log.hpp"
#include "server/socketio/packet_writer.hpp"

namespace chorus::server {
class shard;
class node_services;
}  // namespace chorus::server

namespace chorus::server::socketio {

class application;
class socket;
class namespace_handlers;

// Socket.IO on top of one Engine.IO session: decodes packets, connects namespaces, routes events
// and acks to sockets, and reassembles binary attachments.
class client final : public engineio::session_handler {
 public:
  client(const application& app, shard& home, node_services& node);
  ~client() override;

  void on_open(engineio::session& session) override;
  void on_message(engineio::session& session, std::string_view data, bool binary) override;
  void on_close(engineio::session& session, disconnect_reason reason) override;
  void on_upgraded(engineio::session& session) override;

  // For sockets: queue a packet and its attachments, as writer() wrote them; a null packet sends
  // nothing.
  void send(outbound_message message);
  // How this server writes packets (its --parser).
  const packet_writer& writer() const;
  // Queues packets encoded once for many recipients.
  void send_shared(const std::vector<engineio::outbound_packet>& packets, bool is_volatile);
  // A socket left its namespace (server or client side).
  void remove(socket& gone, disconnect_reason reason);
  void close(disconnect_reason reason);
  // Server-side disconnect of every namespace (each gets DISCONNECT), then the connection closes.
  void disconnect_all();
  shard& home() const { return home_; }
  const application& app() const { return app_; }
  // The Engine.IO session under it (null before on_open).
  engineio::session* session() const { return session_; }
  node_services& node() const { return node_; }

 private:
  void on_text(std::string_view text);
  void on_binary(std::string_view bytes);
  // --parser msgpack: every packet is one binary message; a text one is a parse error.
  void on_msgpack(std::string_view bytes, bool binary);
  void dispatch(const protocol::socketio::header& h, std::vector<std::string>& attachments);
  // A packet decoded and its payload parsed, whichever the parser: to its socket or namespace.
  void route(const protocol::socketio::header& h, const protocol::socketio::parsed_payload& p,
             std::vector<std::string>& attachments);
  void on_connect(const protocol::socketio::header& h, const protocol::socketio::parsed_payload& p);
  void on_event(socket& target, const protocol::socketio::header& h,
                const protocol::socketio::parsed_payload& p, std::vector<std::string>& attachments);
  // Connecting a namespace: the socket, rebuilt from `session` when it comes back (stored packets
  // up to `through` then not delivered again), once the middlewares let it in (else null, the
  // CONNECT_ERROR sent); join() puts it in its rooms; welcome() sends the CONNECT reply.
  std::shared_ptr<socket> admit(const namespace_handlers& handlers, std::string_view nsp,
                                std::string auth_json, simdjson::dom::element auth,
                                std::optional<recovery::saved_session> session,
                                std::uint64_t through);
  void join(const std::shared_ptr<socket>& joined);
  // Whether a CONNECT admitted by the synchronous middlewares still waits for asynchronous ones
  // (none when the namespace has none, or a recovered socket skips the middlewares).
  bool awaits_middlewares(const namespace_handlers& handlers, bool recovered) const;
  // Runs the asynchronous middlewares on this shard, the namespace counting as connecting
  // meanwhile; then, if the connection is still open, `admitted` or the CONNECT_ERROR.
  void await_middlewares(std::shared_ptr<socket> joined, const namespace_handlers& handlers,
                         std::function<void(std::shared_ptr<socket>)> admitted);
  awaitable<void> run_async_middlewares(std::shared_ptr<engineio::session> keep,
                                        std::shared_ptr<socket> joined,
                                        const namespace_handlers& handlers,
                                        std::function<void(std::shared_ptr<socket>)> admitted);
  void welcome(socket& joined, const namespace_handlers& handlers);
  // Connection state recovery through the cluster's log, in steps (client.cpp).
  void recover_from_cluster(const namespace_handlers& handlers, std::string nsp,
                            std::string auth_json, std::string pid, std::string offset);
  void resume_recovery(const namespace_handlers& handlers, const std::string& nsp,
                       std::string auth_json, std::string offset,
                       std::optional<recovery::saved_session> session);
  // What follows once the middlewares let a socket back in: its rooms, then what it missed.
  void continue_recovery(std::shared_ptr<socket> joined, const namespace_handlers& handlers,
                         bool recovering, std::string offset);
  void finish_recovery(socket& joined, const namespace_handlers& handlers, std::string_view offset,
                       const std::optional<recovery::cluster_log::missed_packets>& missed);
  socket* find(std::string_view nsp) const;
  void fail(protocol::socketio::parse_error error);

  const application& app_;
  shard& home_;
  node_services& node_;
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
  // Namespaces whose CONNECT waits: for the cluster's recovery log or asynchronous middlewares.
  std::vector<std::string> recovering_;
};

}  // namespace chorus::server::socketio
