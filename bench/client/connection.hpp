#pragma once

// One client connection of a worker: its sockets, buffers and protocol state, plus the few
// fields the scenarios keep per connection. Owned by shared_ptr: every coroutine working on it
// holds a reference, so a connection a scenario drops (connect, churn) outlives its I/O.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace chorus::bench {

enum class role : std::uint8_t { subscriber, publisher, echoer, connector, holder, churner };

// How far the handshake got (for timeout messages).
enum class stage : std::uint8_t { tcp_connect, transport, open, connect_reply, up };

struct connection {
  connection(boost::asio::io_context& ioc, std::uint64_t id_, bool polling_)
      : socket(ioc), post_socket(ioc), timer(ioc), wake(ioc), id(id_), polling(polling_) {}

  boost::asio::ip::tcp::socket socket;       // the WebSocket, or the polling GET connection
  boost::asio::ip::tcp::socket post_socket;  // polling: POSTs go here
  boost::asio::steady_timer timer;           // handshake deadline, then the scenario's (pacing)
  boost::asio::steady_timer wake;            // a publisher waits here for room in its window
  std::uint64_t id;
  bool polling;
  unsigned server = 0;  // index in --servers
  stage at = stage::tcp_connect;
  bool closing = false;               // closed on purpose: errors after this are no failures
  bool holds_handshake_slot = false;  // counts against --connect-concurrency
  std::int64_t started_ns = 0;        // when the TCP connect began

  // Scenario state.
  role kind = role::subscriber;
  unsigned room = 0;
  int publisher = -1;  // global publisher index (fanout, churn)
  unsigned chain = 0;  // churn: the churner slot this connection is the current one of
  std::string user;
  std::string joined_text;  // in a `status` event: the join is done
  bool joined = false;
  std::vector<std::uint64_t> expected;   // next sequence per publisher of the room
  std::vector<std::int64_t> send_times;  // echo: send time per in-flight slot
  std::uint64_t sent = 0, replies = 0;   // echo

  // Input: frames (WebSocket) or responses (polling GET).
  std::vector<std::uint8_t> in = std::vector<std::uint8_t>(4096);
  std::size_t in_len = 0;
  // Output: framed bytes (WebSocket) or a polling payload (packets joined by 0x1e).
  std::string outbox;
  // Polling: the POST in progress.
  std::string writing_buf;
  bool writing = false;
  // WebSocket after the upgrade: the socket, taken out of asio by the worker's websocket_io.
  int fd = -1;
  bool waiting_writable = false;  // outbox bytes wait for the socket to take them

  // Polling.
  std::string sid;
  std::vector<std::uint8_t> post_in = std::vector<std::uint8_t>(512);
  std::size_t post_in_len = 0;
  bool post_connected = false;
};

using connection_ptr = std::shared_ptr<connection>;

}  // namespace chorus::bench
