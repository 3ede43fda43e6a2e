#pragma once

#include <memory>
#include <string>
#include <vector>

#include "protocol/engineio/packet.hpp"
#include "server/asio.hpp"
#include "server/config.hpp"
#include "server/disconnect_reason.hpp"
#include "server/engineio/handshake_request.hpp"
#include "server/engineio/outbound_packet.hpp"
#include "server/engineio/session_handler.hpp"
#include "server/transport/packet_transport.hpp"
#include "server/wakeup.hpp"

namespace chorus::server {
class shard;
}  // namespace chorus::server

namespace chorus::server::engineio {

class session_registry;

enum class transport_kind { polling, websocket };

// Why a long-polling request was refused.
enum class polling_error { none, concurrent_get, transport_mismatch, unknown_session, bad_payload };

// One Engine.IO session: the transport in use (long-polling, or WebSocket after an upgrade or
// from the start), the heartbeat, and the handler on top. Lives on its home shard; every call
// comes on that shard's thread, so it needs no lock.
class session final : public std::enable_shared_from_this<session>, public transport_handler {
 public:
  // registry: the home shard's, which the endpoint adds the session to and which it leaves as it
  // closes.
  session(shard& home, session_registry& registry, std::string sid, transport_kind transport,
          std::unique_ptr<session_handler> handler);
  ~session();

  // The open packet ("0{…}") to send first; then start() runs the handler's on_open and the
  // heartbeat.
  std::string open_packet() const;
  void start();

  const std::string& sid() const { return sid_; }
  shard& home() const { return home_; }
  const server_config& config() const;
  transport_kind transport() const { return transport_; }
  bool closed() const { return closed_; }
  // What the request that opened the session carried (null until the endpoint keeps it).
  const std::shared_ptr<const handshake_request>& handshake() const { return handshake_; }
  void keep_handshake(std::shared_ptr<const handshake_request> request) {
    handshake_ = std::move(request);
  }

  // Queues a packet on the current transport. Ignored once closed. Past the connection's byte
  // bound a volatile packet is dropped; any other closes the session (write queue full).
  void send(outbound_packet packet, bool is_volatile = false);
  // Ends the session: tells the handler, flushes what is queued, closes the transport.
  void close(disconnect_reason reason);
  // The same, after the current handler: for paths that must not re-enter (e.g. a broadcast
  // walking a room table when one recipient's queue overflows).
  void close_later(disconnect_reason reason);

  // Long-polling. A GET waits until packets are queued (or the session closes) and returns the
  // body; a POST hands every packet of its body to the session.
  struct poll_result {
    polling_error error = polling_error::none;
    std::string body;
  };
  awaitable<poll_result> poll();
  polling_error post(std::string_view body);
  // Brackets the reading of a POST body; false when another POST is already being read.
  bool begin_post() {
    if (post_pending_) return false;
    post_pending_ = true;
    return true;
  }
  void end_post() { post_pending_ = false; }

  // WebSocket, known only as a packet_transport (a websocket_connection, over TCP or TLS; a stub
  // in tests). A WebSocket-only session starts with `attach_websocket`; an upgrade starts with
  // `attach_probe` and completes when the probe sends the upgrade packet. The caller then
  // starts the transport with this session as its handler.
  void attach_websocket(std::shared_ptr<packet_transport> ws);
  bool can_upgrade() const { return !closed_ && transport_ == transport_kind::polling && !probe_; }
  bool attach_probe(std::shared_ptr<packet_transport> ws);
  void on_transport_text(packet_transport& ws, std::string_view text) override;
  void on_transport_binary(packet_transport& ws, std::string_view bytes) override;
  void on_transport_closed(packet_transport& ws, disconnect_reason reason) override;

 private:
  void on_packet(const protocol::engineio::packet_view& packet);
  void on_probe_packet(packet_transport& ws, const protocol::engineio::packet_view& packet);
  void complete_upgrade();
  std::string drain_polling_queue();
  void forget();    // leaves the registry
  void wake_get();  // a GET waiting for packets re-checks
  // The shard's open-sessions gauge of the current transport.
  void count_open(std::int64_t change);
  // A closed polling session waits, at most `bound`, for the GET that takes its last packets.
  void linger_for_next_get(std::chrono::milliseconds bound);
  // The heartbeat: plain timer callbacks rather than a coroutine, so an idle session keeps one
  // small pending handler, not a coroutine frame and its spawn state.
  void wait_ping_interval();
  void wait_pong();
  // The heartbeat's pong deadline has passed, though its timers may not have run yet.
  bool heartbeat_overdue() const;
  awaitable<void> expire_probe(std::shared_ptr<session> self, std::shared_ptr<packet_transport> ws);

  shard& home_;
  session_registry& registry_;
  std::string sid_;
  transport_kind transport_;
  std::unique_ptr<session_handler> handler_;
  std::shared_ptr<const handshake_request> handshake_;

  bool closed_ = false;
  bool close_posted_ = false;
  bool forgotten_ = false;
  bool awaiting_pong_ = false;  // a ping went out; its pong has not come
  asio::steady_timer heartbeat_timer_;

  // Long-polling state: packets wait here until a GET takes them.
  // A vector, not a deque: libstdc++'s deque allocates ~600 bytes even when empty, which every
  // WebSocket session would carry.
  std::vector<outbound_packet> polling_queue_;
  std::size_t polling_queued_bytes_ = 0;
  bool get_pending_ = false;
  bool post_pending_ = false;
  bool answer_get_with_noop_ = false;  // upgrading: release the client's GET with a noop
  bool closed_by_client_ = false;      // closed by the client's close packet
  // Only a session that began on polling has one (a WebSocket session never polls).
  std::unique_ptr<wakeup> get_wakeup_;

  std::shared_ptr<packet_transport> websocket_;  // active WebSocket transport
  std::shared_ptr<packet_transport> probe_;      // WebSocket being upgraded to
};

}  // namespace chorus::server::engineio
