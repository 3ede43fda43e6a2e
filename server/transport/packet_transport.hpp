#pragma once

#include <memory>
#include <string_view>

#include "protocol/websocket/frame.hpp"
#include "rooms/encoded_packet.hpp"
#include "server/disconnect_reason.hpp"

namespace chorus::server {

// One Engine.IO packet to write, encoded once and shared by every recipient of a broadcast
// (engineio::outbound_packet is the same type, named for the layer that makes it).
using rooms::shared_packet;

enum class send_result { queued, dropped, over_bound };

class packet_transport;

// What a transport delivers to: in the server an Engine.IO session, in tests a stub. Every call
// comes on the transport's shard thread; `from` says which transport (a session may hold an
// upgrade probe next to the transport it uses).
class transport_handler {
 public:
  // A complete text or binary message.
  virtual void on_transport_text(packet_transport& from, std::string_view text) = 0;
  virtual void on_transport_binary(packet_transport& from, std::string_view bytes) = 0;
  // Once, after the transport has stopped reading and writing: why it ended.
  virtual void on_transport_closed(packet_transport& from, disconnect_reason reason) = 0;

 protected:
  ~transport_handler() = default;  // not deleted through this interface
};

// The seam between an Engine.IO session and a connection that carries its packets (WebSocket,
// over TCP or TLS): the session hands it packets and a close, and hears from it through
// transport_handler. The session includes no transport; a transport includes no session.
class packet_transport {
 public:
  virtual ~packet_transport() = default;
  // Starts delivering to `handler` (held until on_transport_closed).
  virtual void start(std::shared_ptr<transport_handler> handler) = 0;
  // Queues one packet. Past the transport's byte bound a volatile packet is dropped; any other
  // is queued and over_bound tells the session to close.
  virtual send_result send(shared_packet packet, bool is_volatile) = 0;
  // Writes what is queued, then closes with `code` and `reason` (bounded in time).
  virtual void close(protocol::websocket::close_code code, std::string_view reason) = 0;
};

}  // namespace chorus::server
