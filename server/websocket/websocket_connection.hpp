#pragma once

#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "protocol/websocket/frame.hpp"
#include "protocol/websocket/frame_reader.hpp"
#include "server/asio.hpp"
#include "server/config.hpp"
#include "server/disconnect_reason.hpp"
#include "server/engineio/outbound_packet.hpp"
#include "server/wakeup.hpp"

namespace chorus::server {

namespace engineio {
class session;
}

enum class send_result { queued, dropped, over_bound };

// A WebSocket connection after the HTTP upgrade. chorus frames it itself (RFC 6455) so that one
// writer coroutine owns every byte written: it drains the whole queue — data frames that may be
// shared with other recipients, and control frames — into one gather write.
class websocket_connection : public std::enable_shared_from_this<websocket_connection> {
 public:
  // `leftover`: bytes that arrived after the upgrade request, already read from the socket.
  websocket_connection(tcp::socket socket, std::string_view leftover, const server_config& config);
  ~websocket_connection();

  // Reads and writes until the connection ends, delivering what arrives to `session`.
  awaitable<void> run(std::shared_ptr<engineio::session> session);

  // Queues one Engine.IO packet as one frame (text or binary). Past the byte bound a volatile
  // packet is dropped; any other is queued and over_bound tells the caller to close.
  send_result send(engineio::outbound_packet packet, bool is_volatile);
  // Flushes what is queued, sends a close frame and ends the connection (bounded in time).
  void close(protocol::websocket::close_code code, std::string_view reason);

 private:
  // A shared, pre-framed packet, or a control frame of this connection's own (pong, close).
  struct queued_frame {
    engineio::outbound_packet packet;
    std::string control;
    std::string_view bytes() const { return packet ? packet->websocket_frame() : control; }
  };

  awaitable<void> read_loop();
  awaitable<void> write_loop();
  awaitable<boost::system::error_code> write_gather();
  void queue_control(protocol::websocket::opcode op, std::string payload);
  // Hands one reader event to the session; false when reading should stop.
  bool dispatch(const protocol::websocket::reader_event& event);
  void fail(protocol::websocket::close_code code, std::string_view reason);

  tcp::socket socket_;
  const server_config& config_;
  std::shared_ptr<engineio::session> session_;
  protocol::websocket::frame_reader reader_;

  std::vector<std::uint8_t> read_buffer_;
  std::size_t read_begin_ = 0;
  std::size_t read_end_ = 0;

  std::deque<queued_frame> queue_;
  std::size_t queued_bytes_ = 0;
  wakeup writer_wakeup_;
  bool closing_ = false;
  bool close_queued_ = false;
  disconnect_reason end_reason_ = disconnect_reason::transport_close;
  asio::steady_timer close_deadline_;

  // Reused by the writer for each gather write.
  std::vector<queued_frame> in_flight_;
  std::vector<asio::const_buffer> gather_;
};

}  // namespace chorus::server
