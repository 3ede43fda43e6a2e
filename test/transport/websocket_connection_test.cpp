// websocket_connection driven over an AF_UNIX socketpair by a hand-written peer, with a stub
// handler in place of the Engine.IO session: messages reach the handler, the server's close and the
// peer's close each put a close frame on the wire before the socket's close and end with the right
// reason, protocol errors close with their codes, and the handler hears the end once.
#include "server/websocket/websocket_connection.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/metrics/latency_histogram.hpp"
#include "websocket_test_peer.hpp"

namespace chorus::server {
namespace {

namespace ws = protocol::websocket;
using namespace std::chrono_literals;

using namespace websocket_test;

class websocket_connection_test : public connection_fixture {
 protected:
  void SetUp() override { start_connection(); }

  void peer_send(std::string_view bytes) { asio::write(peer_, asio::buffer(bytes)); }
  // What the server sends until it closes its sending side (or 5 s pass).
  std::string peer_read_to_eof() {
    std::string got;
    bool eof = false;
    pump_until([&] {
      std::array<char, 4096> chunk;
      ssize_t n;
      while ((n = ::recv(peer_.native_handle(), chunk.data(), chunk.size(), MSG_DONTWAIT)) > 0)
        got.append(chunk.data(), static_cast<std::size_t>(n));
      eof = n == 0;
      return eof;
    });
    EXPECT_TRUE(eof) << "the server did not close its side; got " << got.size() << " bytes";
    pump_for(20ms);  // had the socket been closed, the handler would now have heard of it
    return got;
  }
  std::string peer_read(std::size_t size) {
    std::string got;
    pump_until([&] {
      std::array<char, 4096> chunk;
      ssize_t n = ::recv(peer_.native_handle(), chunk.data(), chunk.size(), MSG_DONTWAIT);
      if (n > 0) got.append(chunk.data(), static_cast<std::size_t>(n));
      return got.size() >= size;
    });
    return got;
  }
};

TEST_F(websocket_connection_test, MessagesFromThePeerReachTheHandler) {
  peer_send(client_frame(0x81, "4hello") + client_frame(0x82, "\x01\x02"));
  ASSERT_TRUE(pump_until([&] { return handler_->binaries.size() == 1; }));
  EXPECT_EQ(handler_->texts, std::vector<std::string>{"4hello"});
  EXPECT_EQ(handler_->binaries, std::vector<std::string>{"\x01\x02"});
  EXPECT_EQ(handler_->closed, 0);
}

TEST_F(websocket_connection_test, SentPacketsReachThePeerAsUnmaskedFrames) {
  EXPECT_EQ(connection_->send(text_packet("4hi"), false), send_result::queued);
  EXPECT_EQ(peer_read(5), std::string("\x81\x03"
                                      "4hi"));
}

TEST_F(websocket_connection_test, PingIsAnsweredWithPong) {
  peer_send(client_frame(0x89, "abc"));
  EXPECT_EQ(peer_read(5), std::string("\x8a\x03"
                                      "abc"));
  EXPECT_EQ(handler_->closed, 0);
}

TEST_F(websocket_connection_test, ServerCloseSendsQueuedFramesThenCloseFrameThenClosesTcp) {
  connection_->send(text_packet("4last"), false);
  connection_->close(ws::close_code::going_away, "server shutting down");
  // Nothing is queued after the close frame.
  EXPECT_EQ(connection_->send(text_packet("4late"), false), send_result::dropped);
  EXPECT_EQ(peer_read_to_eof(), std::string("\x81\x05"
                                            "4last") +
                                    server_close(1001, "server shutting down"));
  EXPECT_EQ(handler_->closed, 0);  // until the peer's close (or the deadline)
  peer_send(client_frame(0x88, close_body(1001)));
  peer_.shutdown(tcp::socket::shutdown_send);
  ASSERT_TRUE(ended());
  EXPECT_EQ(handler_->reason, disconnect_reason::transport_close);
  connection_->close(ws::close_code::normal, "again");  // refused: already closed
  pump_for(10ms);
  EXPECT_EQ(handler_->closed, 1);
}

TEST_F(websocket_connection_test, ServerCloseEndsAfterTheDeadlineWhenThePeerNeverCloses) {
  connection_->close(ws::close_code::policy_violation, "upgrade timeout");
  EXPECT_EQ(peer_read_to_eof(), server_close(1008, "upgrade timeout"));
  // The peer neither answers nor closes: the connection ends on its own (2 s).
  ASSERT_TRUE(ended());
  EXPECT_EQ(handler_->reason, disconnect_reason::transport_close);
}

// What the peer sends that ends the connection: the close frame the server answers with, sent
// before its side of the socket closes (not the deadline's close), and the reason the handler
// hears.
struct ending_input {
  std::string name;
  std::string sent;
  std::string answer;
  disconnect_reason reason;
};

class websocket_connection_ending : public websocket_connection_test,
                                    public ::testing::WithParamInterface<ending_input> {};

TEST_P(websocket_connection_ending, AnswersWithCloseFrameThenClosesWithReason) {
  const ending_input& c = GetParam();
  peer_send(c.sent);
  EXPECT_EQ(peer_read_to_eof(), c.answer);
  EXPECT_EQ(handler_->closed, 0);  // sending shut down; the deadline has not closed it
  peer_.shutdown(tcp::socket::shutdown_send);
  ASSERT_TRUE(ended());
  EXPECT_TRUE(handler_->texts.empty());
  EXPECT_EQ(handler_->reason, c.reason);
  EXPECT_EQ(handler_->closed, 1);
}

INSTANTIATE_TEST_SUITE_P(
    PeerInput, websocket_connection_ending,
    ::testing::Values(
        // The peer's close is answered with its code (1005, none, with 1000).
        ending_input{"peer_close", client_frame(0x88, close_body(4000) + "bye"),
                     server_close(4000, ""), disconnect_reason::transport_close},
        ending_input{"peer_close_without_code", client_frame(0x88, ""), server_close(1000, ""),
                     disconnect_reason::transport_close},
        // What follows the peer's close is discarded.
        ending_input{"text_after_close",
                     client_frame(0x88, close_body(1000)) + client_frame(0x81, "4after"),
                     server_close(1000, ""), disconnect_reason::transport_close},
        // Protocol errors close with their code and reason.
        ending_input{"unmasked_frame", client_frame(0x81, "4hello", false),
                     server_close(1002, "unmasked frame"), disconnect_reason::transport_error},
        ending_input{"bad_utf8", client_frame(0x81, "4\xc3\x28"),
                     server_close(1007, "invalid UTF-8"), disconnect_reason::transport_error},
        ending_input{"close_payload_of_1_byte", client_frame(0x88, "\x03"),
                     server_close(1002, "close payload of 1 byte"),
                     disconnect_reason::transport_error}),
    [](const auto& info) { return info.param.name; });

TEST_F(websocket_connection_test, PeerCloseFrameWithFinIsStillAnswered) {
  // The close frame and the peer's FIN arrive together: the peer has only shut down its sending
  // side and can still read, and RFC 6455 §5.5.1 wants its close answered before the close.
  peer_send(client_frame(0x88, close_body(4000)));
  peer_.shutdown(tcp::socket::shutdown_send);
  EXPECT_EQ(peer_read_to_eof(), server_close(4000, ""));
  ASSERT_TRUE(ended());
  EXPECT_EQ(handler_->reason, disconnect_reason::transport_close);
}

TEST_F(websocket_connection_test, PeerDropAfterProtocolErrorKeepsTheErrorsReason) {
  peer_send(client_frame(0x81, "4\xc3\x28"));
  EXPECT_EQ(peer_read_to_eof(), server_close(1007, "invalid UTF-8"));
  // The peer drops the connection without its close: the reason stays the error's.
  boost::system::error_code ignored;
  peer_.close(ignored);
  ASSERT_TRUE(ended());
  EXPECT_EQ(handler_->reason, disconnect_reason::transport_error);
}

TEST_F(websocket_connection_test, PeerEofWithoutCloseFrameEndsWithTransportClose) {
  peer_.shutdown(tcp::socket::shutdown_send);
  ASSERT_TRUE(ended());
  EXPECT_EQ(handler_->reason, disconnect_reason::transport_close);
  // Nothing goes out once closed.
  EXPECT_EQ(connection_->send(text_packet("4late"), false), send_result::dropped);
}

TEST_F(websocket_connection_test, PeerResetEndsWithTransportError) {
  // A peer that closes with bytes it never read resets the connection (ECONNRESET: TCP's RST,
  // and the same on this AF_UNIX pair).
  ASSERT_EQ(connection_->send(text_packet("4unread"), false), send_result::queued);
  pump_for(50ms);
  boost::system::error_code ignored;
  peer_.close(ignored);
  ASSERT_TRUE(ended());
  EXPECT_EQ(handler_->reason, disconnect_reason::transport_error);
}

TEST_F(websocket_connection_test, TheHandlerCanCloseFromAMessage) {
  struct closing_handler : stub_handler {
    void on_transport_text(packet_transport& ws, std::string_view text) override {
      stub_handler::on_transport_text(ws, text);
      ws.close(ws::close_code::protocol_error, "parse error");
    }
  };
  auto handler = std::make_shared<closing_handler>();
  // Named ends, not a structured binding: clang 14 (the TSan build) cannot capture one below.
  auto ends = socket_pair(context_);
  tcp::socket& peer = ends.second;
  auto connection = std::make_shared<websocket_connection>(std::move(ends.first), "", config_,
                                                           scratch_, flusher_, metrics_);
  connection->start(handler);
  // Two messages in one read: the second is not delivered once the first closed.
  asio::write(peer, asio::buffer(client_frame(0x81, "x") + client_frame(0x81, "y")));
  std::string got;
  pump_until([&] {
    std::array<char, 256> chunk;
    ssize_t n;
    while ((n = ::recv(peer.native_handle(), chunk.data(), chunk.size(), MSG_DONTWAIT)) > 0)
      got.append(chunk.data(), static_cast<std::size_t>(n));
    return n == 0;
  });
  EXPECT_EQ(got, server_close(1002, "parse error"));
  EXPECT_EQ(handler->texts, std::vector<std::string>{"x"});
  peer.shutdown(tcp::socket::shutdown_send);
  ASSERT_TRUE(pump_until([&] { return handler->closed > 0; }));
  EXPECT_EQ(handler->reason, disconnect_reason::transport_close);
}

}  // namespace
}  // namespace chorus::server
