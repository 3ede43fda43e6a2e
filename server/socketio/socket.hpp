#pragma once

#include <any>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rooms/member.hpp"
#include "server/asio.hpp"
#include "server/disconnect_reason.hpp"
#include "server/engineio/outbound_packet.hpp"
#include "server/fanout/participant.hpp"
#include "server/recovery/session_store.hpp"
#include "server/socketio/ack.hpp"
#include "server/socketio/broadcast_operator.hpp"
#include "server/socketio/packet_writer.hpp"

namespace chorus::server {
class shard;
}
namespace chorus::server::engineio {
class session;
struct handshake_request;
}  // namespace chorus::server::engineio

namespace chorus::server::socketio {

class client;
class namespace_handlers;
class socket_observer;

// One client's connection to one namespace. Lives on its session's shard; every call must come
// from that shard's thread (handlers always do). The hub reaches it as a participant.
class socket final : public std::enable_shared_from_this<socket>, public fanout::participant {
 public:
  // pid: the private id of connection state recovery ("" when it is off).
  socket(client& owner, const namespace_handlers& handlers, std::string nsp, std::string id,
         std::string pid, std::string auth_json);
  ~socket();

  const std::string& id() const override { return id_; }
  const std::string& nsp() const override { return nsp_; }
  // The CONNECT packet's auth payload as JSON ("{}" when the client sent none).
  const std::string& auth_json() const { return auth_json_; }
  bool connected() const { return connected_; }
  // Connection state recovery: this socket is one that dropped and came back (same id, rooms and
  // data; what it missed was sent again), as socket.io's socket.recovered.
  bool recovered() const { return recovered_; }
  const std::string& pid() const { return pid_; }
  const namespace_handlers& handlers() const { return handlers_; }
  // The Engine.IO session id of its connection (socket.conn.id), and that connection's transport:
  // "polling" or "websocket" (the last one once disconnected).
  const std::string& client_id() const { return client_id_; }
  std::string_view transport() const { return over_websocket_ ? "websocket" : "polling"; }

  // Sends an event to this client. args_json: the arguments as comma-separated JSON elements;
  // binary attachments are referenced from it by {"_placeholder":true,"num":i}. With connection
  // state recovery on it is stored (and ends with its offset), even when the client is away.
  void emit(std::string_view event_name, std::string_view args_json = {},
            std::vector<std::string> attachments = {});
  // The same, and `callback` runs once with the client's ack, or with timeout/disconnected.
  void emit_with_ack(std::string_view event_name, std::string_view args_json,
                     std::chrono::milliseconds timeout, ack_callback callback,
                     std::vector<std::string> attachments = {});
  // From a connect middleware: an event written straight to the client ahead of the CONNECT
  // reply, as socket.io lets a middleware emit (@socket.io/admin-ui's `session`); the client
  // hands it on just before `connect`. Never stored for recovery, never observed.
  void emit_before_connect(std::string_view event_name, std::string_view args_json);
  // Leaves the namespace (DISCONNECT); with close_connection the whole connection closes too.
  void disconnect(bool close_connection = false) override;

  // Rooms. A socket is always in the room named by its id; it leaves all on disconnect.
  void join(std::string_view room);
  void leave(std::string_view room);
  // Leaves every room but its own.
  void leave_all();
  std::vector<std::string> rooms() const;

  // Broadcasts in this socket's namespace. `broadcast()` reaches everyone but this socket,
  // `broadcast(true)` everyone; chain .to(room) to narrow it to rooms (Flask-SocketIO's
  // emit(..., to=room, include_self=...)). `to(room)` is socket.io's socket.to(room): the room
  // without this socket.
  broadcast_operator broadcast(bool include_self = false) const;
  broadcast_operator to(std::string room) const;

  // The executor of the socket's shard: for timers and work that must come back to the socket.
  asio::any_io_executor executor() const;

  // Application data, e.g. the chat's username.
  std::any& data() { return data_; }
  // What fetchSockets shows as socket.data on any node: a JSON value the application keeps in
  // step with data() ("{}", as in socket.io, until set).
  void set_data_json(std::string json) { data_json_ = std::move(json); }
  // With application::expose_admin_data on, an object gets "_admin" first (clientId: the first 12
  // characters of the Engine.IO id, transport).
  std::string data_json() const override;
  // socket.io's handshake object: headers, time, address, xdomain, secure, issued (ms), url,
  // query and auth.
  std::string handshake_json() const override;
  // The client's IP address, as handshake.address ("" when unknown).
  const std::string& address() const;

  // Used by the client that owns this socket.
  void send_ack(std::uint64_t id, std::string_view args_json, std::vector<std::string> attachments);
  void on_ack(std::uint64_t id, std::string_view args_json, std::vector<std::string>& attachments);
  void on_disconnected(disconnect_reason reason);
  // Its connection completed an upgrade to WebSocket.
  void on_transport_upgraded();
  // Connected in its namespace, CONNECT answered: the observer is told of it and of the rooms
  // it is in already; from now on it hears of every room change.
  void announce();
  // Registers with the shard's hub once connected.
  void attach_to_hub();
  // Before attach_to_hub: this socket comes back as the one that left `session` (its rooms are
  // joined by attach_to_hub); stored packets up to `through` are not delivered again.
  void restore(recovery::saved_session session, std::uint64_t through);
  // Recovery through the cluster's log, whose read may miss what this node delivers meanwhile:
  // attached to the hub, the socket holds what reaches it until replayed() says what the read
  // found. Then what was held is sent, minus the stored packets the replay already sent.
  void hold_deliveries() { held_.emplace(); }
  void replayed(protocol::cluster::stream_id through);
  // A broadcast reaching this socket.
  void deliver(const fanout::broadcast_job& job) override;
  // socketsJoin / socketsLeave moved it: told to the observer like join() and leave().
  void room_changed(std::string_view room, bool joined) override;
  bool deliver_expecting_ack(const std::vector<engineio::outbound_packet>& packets,
                             std::uint64_t ack_id,
                             const std::shared_ptr<fanout::ack_gatherer>& acks,
                             std::chrono::milliseconds timeout) override;

 private:
  struct pending_ack {
    ack_callback callback;
    std::unique_ptr<asio::steady_timer> timer;
  };
  void send_packet(outbound_message message);
  void observe_sent(const fanout::broadcast_job& job);
  // Waits for the client's ack `id`: `callback` runs once, with it, or at the timeout, or when
  // the socket disconnects.
  void expect_ack(std::uint64_t id, std::chrono::milliseconds timeout, ack_callback callback);

  // The session connection state recovery keeps when the connection drops for `reason` (taken
  // before the socket leaves its rooms), or nullopt.
  std::optional<recovery::saved_session> session_to_keep(disconnect_reason reason);

  client& owner_;  // gone once the connection closed: touched only while connected_
  // Outlives every socket on it: what an application still holding a disconnected socket
  // reaches (emit() stores for recovery, executor()).
  shard& home_;
  node_services& node_;  // outlives every socket too
  const namespace_handlers& handlers_;
  socket_observer* const observer_;  // the application's (it outlives the socket), or null
  const bool expose_admin_data_;
  bool announced_ = false;  // the observer was told `connected`: room changes follow
  std::string nsp_;
  std::string id_;
  std::string pid_;
  std::string auth_json_;
  std::string client_id_;
  bool over_websocket_ = false;
  // The session's (shared: it stays when the connection goes); null without one.
  std::shared_ptr<const engineio::handshake_request> handshake_;
  bool connected_ = true;
  bool recovered_ = false;
  std::uint64_t replayed_through_ = 0;
  protocol::cluster::stream_id replayed_stream_through_;
  std::optional<std::vector<std::shared_ptr<const fanout::broadcast_job>>> held_;
  std::vector<std::string> restored_rooms_;
  std::uint64_t next_ack_id_ = 0;
  std::unordered_map<std::uint64_t, pending_ack> pending_acks_;
  std::any data_;
  std::string data_json_ = "{}";
  std::chrono::system_clock::time_point issued_ = std::chrono::system_clock::now();
  rooms::member_id member_id_ = 0;
  bool in_hub_ = false;
};

}  // namespace chorus::server::socketio
