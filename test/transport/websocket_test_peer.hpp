#pragma once
// What the websocket_connection tests (plain and TLS) share: a stub in place of the Engine.IO
// session, frames built by hand as a client and as the server send them (apart from the server's
// own framing code), and a fixture running a connection over a socketpair for a bounded time.

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "server/asio.hpp"
#include "server/config.hpp"
#include "server/metrics/latency_histogram.hpp"
#include "server/metrics/shard_metrics.hpp"
#include "server/tls/tls_channel.hpp"
#include "server/transport/packet_transport.hpp"
#include "server/websocket/websocket_connection.hpp"
#include "server/websocket/write_flusher.hpp"

namespace chorus::server::websocket_test {

// Records what the connection hands to the session.
struct stub_handler : transport_handler {
  std::vector<std::string> texts;
  std::vector<std::string> binaries;
  int closed = 0;
  disconnect_reason reason = disconnect_reason::forced_close;  // none of the connection's own
  void on_transport_text(packet_transport&, std::string_view text) override {
    texts.emplace_back(text);
  }
  void on_transport_binary(packet_transport&, std::string_view bytes) override {
    binaries.emplace_back(bytes);
  }
  void on_transport_closed(packet_transport&, disconnect_reason why) override {
    ++closed;
    reason = why;
  }
};

// A connected AF_UNIX socketpair as two stream sockets: the server's end and the peer's. The
// connection only reads, writes and shuts down its descriptor, so no TCP port or loopback
// handshake is needed to test it.
inline std::pair<tcp::socket, tcp::socket> socket_pair(asio::io_context& context) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw std::system_error(errno, std::generic_category(), "socketpair");
  std::pair<tcp::socket, tcp::socket> ends{tcp::socket(context), tcp::socket(context)};
  ends.first.assign(tcp::v4(), fds[0]);
  ends.second.assign(tcp::v4(), fds[1]);
  return ends;
}

// A text packet as the session queues it ("4hi": an Engine.IO message).
inline shared_packet text_packet(std::string_view text) {
  return rooms::encoded_packet::make(text, false);
}

// A frame header of any payload length (RFC 6455 §5.2).
inline std::string frame_header(std::uint8_t first_byte, std::size_t size, bool masked) {
  std::string out{static_cast<char>(first_byte)};
  char mask_bit = masked ? '\x80' : '\0';
  if (size < 126) {
    out.push_back(static_cast<char>(mask_bit | static_cast<char>(size)));
  } else if (size < 65536) {
    out.push_back(static_cast<char>(mask_bit | 126));
    for (int shift = 8; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  }
  return out;
}

// A client frame, masked as a browser sends it (plain byte-wise XOR), or unmasked on request.
inline std::string client_frame(std::uint8_t first_byte, std::string_view payload,
                                bool masked = true) {
  constexpr std::array<std::uint8_t, 4> key{0x37, 0xfa, 0x21, 0x3d};
  std::string out = frame_header(first_byte, payload.size(), masked);
  if (!masked) return out.append(payload);
  for (auto k : key) out.push_back(static_cast<char>(k));
  for (std::size_t i = 0; i < payload.size(); ++i)
    out.push_back(static_cast<char>(static_cast<std::uint8_t>(payload[i]) ^ key[i % 4]));
  return out;
}

// A frame as the server sends it: unmasked.
inline std::string server_frame(std::uint8_t first_byte, std::string_view payload) {
  return frame_header(first_byte, payload.size(), false).append(payload);
}

inline std::string close_body(std::uint16_t code) {
  return {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
}

// A close frame as the server sends it: FIN + close, big-endian code, reason.
inline std::string server_close(std::uint16_t code, std::string_view reason) {
  return server_frame(0x88, close_body(code).append(reason));
}

// What both fixtures share: a websocket_connection on one end of a socketpair and its peer on the
// other, a stub handler, and running the connection's loop for a bounded time.
class connection_fixture : public ::testing::Test {
 protected:
  // Starts the connection on the server's end; `tls`: its TLS state, handshake done (or null).
  void start_connection(std::unique_ptr<tls::tls_channel> tls = nullptr) {
    auto ends = socket_pair(context_);
    peer_ = std::move(ends.second);
    connection_ = std::make_shared<websocket_connection>(
        std::move(ends.first), "", config_, scratch_, flusher_, metrics_, std::move(tls));
    connection_->start(handler_);
  }

  void TearDown() override {
    if (handler_->closed == 0) {
      boost::system::error_code ignored;
      peer_.close(ignored);
      pump_until([&] { return handler_->closed > 0; });
    }
    connection_.reset();
    pump_for(std::chrono::milliseconds(10));
  }

  void pump_for(std::chrono::milliseconds time) {
    context_.restart();
    context_.run_for(time);
  }
  // Runs the connection's side until `done` holds; false if 5 s pass first.
  bool pump_until(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      pump_for(std::chrono::milliseconds(2));
    }
    return true;
  }
  bool ended() {
    return pump_until([&] { return handler_->closed > 0; });
  }

  asio::io_context context_;
  server_config config_;
  std::vector<std::uint8_t> scratch_ = std::vector<std::uint8_t>(64 * 1024);
  metrics::latency_histogram latency_;
  write_flusher flusher_{context_.get_executor(), false, latency_};
  metrics::shard_metrics metrics_;
  tcp::socket peer_{context_};
  std::shared_ptr<stub_handler> handler_ = std::make_shared<stub_handler>();
  std::shared_ptr<websocket_connection> connection_;
};

}  // namespace chorus::server::websocket_test
