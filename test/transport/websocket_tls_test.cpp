// websocket_connection under TLS, driven over an AF_UNIX socketpair by a peer that is a TLS client
// written with OpenSSL directly (tls_test_client.hpp), with a stub handler in place of the
// Engine.IO session. The handshake is completed in memory against the connection's tls_channel
// before the connection gets the socket, as the TLS listener hands it over at the upgrade. The peer
// sends encrypted, masked frames and decrypts what the server sends: messages reach the handler,
// sends arrive in order and whole (a turn's frames sealed together into records), pings are
// answered, the server's close puts a close frame and then a close_notify on the wire, and bad
// ciphertext or the peer's close_notify end the connection with the right reason.
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
#include "server/websocket/websocket_connection.hpp"
#include "tls_test_client.hpp"
#include "websocket_test_peer.hpp"

namespace chorus::server {
namespace {

namespace ws = protocol::websocket;
using namespace std::chrono_literals;
using tls_test::bytes_of;

using namespace websocket_test;

// Printable text of `size` bytes that differs along its length.
std::string text_of(std::size_t size, char seed) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    out[i] = static_cast<char>('!' + (i * 7 + static_cast<std::size_t>(seed) + i / 251) % 90);
  return out;
}

class websocket_tls_test : public connection_fixture {
 protected:
  void SetUp() override {
    auto channel = std::make_unique<tls::tls_channel>(tls_test::server_context());
    ASSERT_EQ(tls_test::handshake_in_memory(client_, *channel), tls::tls_channel::status::done)
        << channel->error_text();
    // What the client sent before the connection took over, already fed to its channel (as
    // with the upgrade request's read).
    if (!early_plaintext_.empty()) {
      client_.write(early_plaintext_);
      channel->feed(bytes_of(client_.take()));
    }
    start_connection(std::move(channel));
  }

  // Encrypts `plaintext` and writes its records to the socket.
  void client_send(std::string_view plaintext) {
    client_.write(plaintext);
    client_send_raw(client_.take());
  }
  void client_send_raw(std::string_view ciphertext) {
    asio::write(peer_, asio::buffer(ciphertext));
  }
  // Takes what the socket has into the client, decrypting it into received_.
  void client_poll() {
    std::array<char, 16 * 1024> chunk;
    ssize_t n;
    while ((n = ::recv(peer_.native_handle(), chunk.data(), chunk.size(), MSG_DONTWAIT)) > 0) {
      std::string_view got(chunk.data(), static_cast<std::size_t>(n));
      raw_.append(got);
      client_.feed(got);
    }
    if (n == 0) eof_ = true;
    received_ += client_.read_all(last_error_);
  }
  // Decrypted bytes until there are `size` of them (or 5 s pass).
  std::string client_receive(std::size_t size) {
    pump_until([&] {
      client_poll();
      return received_.size() >= size;
    });
    return received_;
  }
  // Decrypted bytes until the server closes its sending side (or 5 s pass).
  std::string client_receive_to_eof() {
    pump_until([&] {
      client_poll();
      return eof_;
    });
    EXPECT_TRUE(eof_) << "the server did not close its side; got " << received_.size() << " bytes";
    return received_;
  }

  std::string early_plaintext_;  // set by a derived fixture's constructor
  tls_test::tls_client client_;
  std::string raw_;       // the ciphertext the client read from the socket
  std::string received_;  // what it decrypted
  int last_error_ = 0;    // SSL_get_error of the client's last read
  bool eof_ = false;      // the server closed its sending side
};

TEST_F(websocket_tls_test, TextMessageReachesTheHandler) {
  client_send(client_frame(0x81, "4hello"));
  ASSERT_TRUE(pump_until([&] { return !handler_->texts.empty(); }));
  EXPECT_EQ(handler_->texts, std::vector<std::string>{"4hello"});
  EXPECT_EQ(handler_->closed, 0);
}

TEST_F(websocket_tls_test, MessagesSplitAcrossRecordsAndLargerThanTheReadBufferArriveWhole) {
  // 150 KB: records of up to 16 KiB, more than the 64 KiB plaintext buffer holds at once.
  const std::string big = text_of(150 * 1000, 'a');
  // A frame whose header is cut between two records, and one record holding two frames.
  std::string small = client_frame(0x81, "4split");
  client_send(small.substr(0, 1));
  client_send(small.substr(1) + client_frame(0x81, "4one") + client_frame(0x81, "4two"));
  client_send(client_frame(0x82, big));
  ASSERT_TRUE(pump_until([&] { return handler_->binaries.size() == 1; }));
  EXPECT_EQ(handler_->texts, (std::vector<std::string>{"4split", "4one", "4two"}));
  EXPECT_TRUE(handler_->binaries[0] == big) << "got " << handler_->binaries[0].size() << " bytes";
  EXPECT_EQ(handler_->closed, 0);
}

TEST_F(websocket_tls_test, QueuedSendsArriveInOrderSealedTogether) {
  std::string expected;
  for (int i = 0; i < 50; ++i) {
    std::string text = "4message " + std::to_string(i);
    ASSERT_EQ(connection_->send(text_packet(text), false), send_result::queued);
    expected += server_frame(0x81, text);
  }
  EXPECT_EQ(client_receive(expected.size()), expected);
  // The turn's 50 frames went out as one record, not one each.
  EXPECT_EQ(tls_test::count_records(raw_, 23), 1);
  EXPECT_EQ(handler_->closed, 0);
}

TEST_F(websocket_tls_test, LargeSendsArriveWholeAndInOrder) {
  // 200 KB in one frame, then more than one sealing's worth (256 KiB) behind it, then a small
  // one: the socket's buffer fills, the rest waits sealed or queued, and all of it arrives.
  std::vector<std::string> texts{"4" + text_of(200 * 1000, 'b')};
  for (char seed : {'c', 'd', 'e'}) texts.push_back("4" + text_of(100 * 1000, seed));
  texts.push_back("4end");
  std::string expected;
  for (const auto& text : texts) {
    ASSERT_EQ(connection_->send(text_packet(text), false), send_result::queued);
    expected += server_frame(0x81, text);
  }
  std::string got = client_receive(expected.size());
  EXPECT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected) << "the decrypted stream differs from the frames sent";
  EXPECT_EQ(handler_->closed, 0);
}

TEST_F(websocket_tls_test, PingIsAnsweredWithPong) {
  client_send(client_frame(0x89, "abc"));
  EXPECT_EQ(client_receive(5), server_frame(0x8a, "abc"));
  EXPECT_EQ(handler_->closed, 0);
}

TEST_F(websocket_tls_test, ClientKeyUpdateIsAnsweredAndDataFlowsOn) {
  // TLS 1.3: the client updates its keys and asks the server to update its own. The server must
  // read on with the client's new keys and send its KeyUpdate before its next data (RFC 8446
  // §4.6.3; OpenSSL sends it with the next write, not at once).
  ASSERT_EQ(SSL_key_update(client_.ssl(), SSL_KEY_UPDATE_REQUESTED), 1);
  client_send(client_frame(0x81, "4after update"));
  ASSERT_TRUE(pump_until([&] { return !handler_->texts.empty(); }));
  EXPECT_EQ(handler_->texts, std::vector<std::string>{"4after update"});
  connection_->send(text_packet("4reply"), false);
  EXPECT_EQ(client_receive(8), server_frame(0x81, "4reply"));
  // Two records: the server's KeyUpdate, then the frame under its new keys.
  EXPECT_EQ(tls_test::count_records(raw_, 23), 2);
  EXPECT_EQ(handler_->closed, 0);
}

TEST_F(websocket_tls_test, CloseSendsCloseFrameThenCloseNotifyThenTheHandlerHears) {
  connection_->send(text_packet("4last"), false);
  connection_->close(ws::close_code::going_away, "server shutting down");
  EXPECT_EQ(connection_->send(text_packet("4late"), false), send_result::dropped);
  EXPECT_EQ(client_receive_to_eof(),
            server_frame(0x81, "4last") + server_close(1001, "server shutting down"));
  // After the close frame, the TLS close_notify, then the TCP close of the sending side.
  EXPECT_EQ(last_error_, SSL_ERROR_ZERO_RETURN);
  EXPECT_NE(SSL_get_shutdown(client_.ssl()) & SSL_RECEIVED_SHUTDOWN, 0);
  pump_for(20ms);
  EXPECT_EQ(handler_->closed, 0);  // until the peer's close (or the deadline)
  // The peer answers with its close frame and its close_notify.
  client_.write(client_frame(0x88, close_body(1001)));
  client_.shutdown();
  client_send_raw(client_.take());
  ASSERT_TRUE(ended());
  EXPECT_EQ(handler_->reason, disconnect_reason::transport_close);
  pump_for(10ms);
  EXPECT_EQ(handler_->closed, 1);
}

TEST_F(websocket_tls_test, PeerCloseIsAnsweredWithCloseFrameAndCloseNotify) {
  client_send(client_frame(0x88, close_body(4000)));
  EXPECT_EQ(client_receive_to_eof(), server_close(4000, ""));
  EXPECT_EQ(last_error_, SSL_ERROR_ZERO_RETURN);
  client_.shutdown();
  client_send_raw(client_.take());
  ASSERT_TRUE(ended());
  EXPECT_EQ(handler_->reason, disconnect_reason::transport_close);
}

TEST_F(websocket_tls_test, PeerCloseFrameWithCloseNotifyInOneWriteIsStillAnswered) {
  // A client that closes both layers at once: its close frame, then its close_notify, in one
  // write (as Go's tls.Conn.Close right after a close frame does). RFC 6455 §5.5.1 still wants
  // the close frame answered before the connection closes; the close_notify ends only the
  // client's sending (RFC 8446 §6.1), so it can still read the answer.
  client_.write(client_frame(0x88, close_body(4000)));
  client_.shutdown();
  client_send_raw(client_.take());
  EXPECT_EQ(client_receive_to_eof(), server_close(4000, ""));
  ASSERT_TRUE(ended());
  EXPECT_EQ(handler_->reason, disconnect_reason::transport_close);
}

TEST_F(websocket_tls_test, GarbageCiphertextEndsWithTransportError) {
  // An application-data record that no key decrypts.
  std::string record = "\x17\x03\x03";
  record += close_body(48);  // the length, big-endian
  record += text_of(48, 'z');
  client_send_raw(record);
  ASSERT_TRUE(ended());
  EXPECT_EQ(handler_->reason, disconnect_reason::transport_error);
  EXPECT_TRUE(handler_->texts.empty());
  // The socket is closed.
  client_receive_to_eof();
  EXPECT_TRUE(received_.empty());
}

TEST_F(websocket_tls_test, PeerCloseNotifyEndsWithTransportClose) {
  client_send(client_frame(0x81, "4before"));
  client_.shutdown();
  client_send_raw(client_.take());  // the TCP connection stays open
  ASSERT_TRUE(ended());
  EXPECT_EQ(handler_->reason, disconnect_reason::transport_close);
  EXPECT_EQ(handler_->texts, std::vector<std::string>{"4before"});
  EXPECT_EQ(handler_->closed, 1);
}

// The client's first frames came in the same read as the end of the handshake (or the upgrade
// request): they are already in the channel when the connection starts, and nothing more
// arrives on the socket to wake it.
class websocket_tls_early_data_test : public websocket_tls_test {
 protected:
  websocket_tls_early_data_test() {
    early_plaintext_ = client_frame(0x81, "4early") + client_frame(0x89, "hi");
  }
};

TEST_F(websocket_tls_early_data_test, FramesAlreadyInTheChannelAreHandledAtStart) {
  ASSERT_TRUE(pump_until([&] { return !handler_->texts.empty(); }));
  EXPECT_EQ(handler_->texts, std::vector<std::string>{"4early"});
  EXPECT_EQ(client_receive(4), server_frame(0x8a, "hi"));
}

// A read buffer smaller than what one read of ciphertext decrypts to: the connection must come
// back for the records it could not yet decrypt although the socket is empty.
class websocket_tls_small_buffer_test : public websocket_tls_test {
 protected:
  websocket_tls_small_buffer_test() { scratch_.resize(4 * 1024); }
};

TEST_F(websocket_tls_small_buffer_test, EverythingReadIsDecryptedAndDelivered) {
  std::string sent;
  std::vector<std::string> texts;
  for (int i = 0; i < 20; ++i) {
    texts.push_back("4" + std::to_string(i) + text_of(1000, static_cast<char>('a' + i)));
    sent += client_frame(0x81, texts.back());
  }
  const std::string big = text_of(50 * 1000, 'q');
  sent += client_frame(0x82, big);
  client_send(sent);  // one write: it arrives in few reads, the last leaving the socket empty
  ASSERT_TRUE(pump_until([&] { return handler_->binaries.size() == 1; }))
      << handler_->texts.size() << " texts delivered";
  EXPECT_EQ(handler_->texts, texts);
  EXPECT_TRUE(handler_->binaries[0] == big);
  EXPECT_EQ(handler_->closed, 0);
}

}  // namespace
}  // namespace chorus::server
