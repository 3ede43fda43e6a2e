// tls_channel (the server's TLS record layer over memory BIOs) against a client written with
// OpenSSL directly: the handshake completes (TLS 1.3, and 1.2 when the client caps it, also fed
// one byte at a time), application data crosses both ways (large, several records, and many
// small writes), a small read buffer gets the rest on later reads, close_notify both ways, and
// a client that is not speaking TLS (garbage, plain HTTP) fails the handshake with a reason.
#include "server/tls/tls_channel.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "tls_test_client.hpp"

namespace chorus::server {
namespace {

using tls::tls_channel;
using tls_test::bytes_of;
using tls_test::tls_client;
using status = tls_channel::status;

// Bytes that differ from one position to the next (not a repeated pattern a bug could hide in).
std::string pattern(std::size_t size, unsigned seed = 1) {
  std::string out(size, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& c : out) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

// Everything the server can decrypt now, read in `chunk`-sized pieces; `last` is the status of
// the read that stopped.
std::string server_read_all(tls_channel& server, std::size_t chunk, status& last) {
  std::string got;
  std::vector<std::uint8_t> buffer(chunk);
  for (;;) {
    std::size_t n = 0;
    last = server.read(buffer, n);
    if (last != status::done) return got;
    EXPECT_GT(n, 0u);
    got.append(reinterpret_cast<const char*>(buffer.data()), n);
  }
}
std::string server_read_all(tls_channel& server) {
  status ignored;
  return server_read_all(server, 16 * 1024, ignored);
}

std::string output_of(tls_channel& server) {
  std::string out;
  server.take_output(out);
  return out;
}

class tls_channel_test : public ::testing::Test {
 protected:
  void connect(int client_max_version = 0) {
    client_ = std::make_unique<tls_client>(client_max_version);
    ASSERT_EQ(tls_test::handshake_in_memory(*client_, server_), status::done)
        << server_.error_text();
    ASSERT_EQ(SSL_is_init_finished(client_->ssl()), 1);
  }

  tls_channel server_{tls_test::server_context()};
  std::unique_ptr<tls_client> client_;
};

TEST_F(tls_channel_test, HandshakeCompletesWithTls13) {
  connect();
  EXPECT_EQ(SSL_version(client_->ssl()), TLS1_3_VERSION);
  // The server's context offers http/1.1 by ALPN.
  const unsigned char* alpn = nullptr;
  unsigned alpn_size = 0;
  SSL_get0_alpn_selected(client_->ssl(), &alpn, &alpn_size);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(alpn), alpn_size), "http/1.1");
  EXPECT_TRUE(server_.error_text().empty());
  EXPECT_FALSE(server_.saw_plain_http());
}

TEST_F(tls_channel_test, HandshakeCompletesWithTls12WhenTheClientCapsIt) {
  connect(TLS1_2_VERSION);
  EXPECT_EQ(SSL_version(client_->ssl()), TLS1_2_VERSION);
  // And data crosses under it.
  client_->write("over 1.2");
  server_.feed(bytes_of(client_->take()));
  EXPECT_EQ(server_read_all(server_), "over 1.2");
  server_.write(bytes_of("back"));
  client_->feed(output_of(server_));
  EXPECT_EQ(client_->read_all(), "back");
}

TEST_F(tls_channel_test, HandshakeWithoutInputWantsRead) {
  EXPECT_EQ(server_.handshake(), status::want_read);
  EXPECT_FALSE(server_.has_output());
}

TEST_F(tls_channel_test, ApplicationDataCrossesBothWays) {
  connect();
  client_->write("hello server");
  server_.feed(bytes_of(client_->take()));
  EXPECT_TRUE(server_.has_buffered_input());
  EXPECT_EQ(server_read_all(server_), "hello server");

  server_.write(bytes_of("hello client"));
  EXPECT_TRUE(server_.has_output());
  std::string ciphertext = output_of(server_);
  EXPECT_FALSE(server_.has_output());                             // taken out
  EXPECT_EQ(ciphertext.find("hello client"), std::string::npos);  // encrypted
  client_->feed(ciphertext);
  EXPECT_EQ(client_->read_all(), "hello client");
}

TEST_F(tls_channel_test, HundredKilobytesCrossBothWaysInSeveralRecords) {
  connect();
  const std::string up = pattern(100 * 1024, 1);
  client_->write(up);
  server_.feed(bytes_of(client_->take()));
  status last;
  EXPECT_EQ(server_read_all(server_, 64 * 1024, last), up);
  EXPECT_EQ(last, status::want_read);

  const std::string down = pattern(100 * 1024, 2);
  server_.write(bytes_of(down));
  std::string ciphertext = output_of(server_);
  // Records carry at most 16 KiB: 100 KiB is at least 7 of them.
  EXPECT_GE(tls_test::count_records(ciphertext, 23), 7);
  client_->feed(ciphertext);
  EXPECT_EQ(client_->read_all(), down);
}

TEST_F(tls_channel_test, ManySmallWritesArriveInOrder) {
  connect();
  std::string up_expected;
  for (int i = 0; i < 1000; ++i) {
    std::string piece = "up " + std::to_string(i) + ";";
    client_->write(piece);
    up_expected += piece;
    // Every tenth write, hand over what is there: input arrives in many feeds too.
    if (i % 10 == 9) server_.feed(bytes_of(client_->take()));
  }
  server_.feed(bytes_of(client_->take()));
  EXPECT_EQ(server_read_all(server_), up_expected);

  std::string down_expected;
  for (int i = 0; i < 1000; ++i) {
    std::string piece = "down " + std::to_string(i) + ";";
    server_.write(bytes_of(piece));
    down_expected += piece;
  }
  client_->feed(output_of(server_));
  EXPECT_EQ(client_->read_all(), down_expected);
}

TEST_F(tls_channel_test, SmallReadBufferGetsTheRestOnLaterReads) {
  connect();
  const std::string sent = pattern(100, 3);
  client_->write(sent);
  server_.feed(bytes_of(client_->take()));
  EXPECT_TRUE(server_.has_buffered_input());  // fed ciphertext, nothing decrypted yet

  std::array<std::uint8_t, 16> buffer;
  std::string got;
  std::size_t n = 0;
  ASSERT_EQ(server_.read(buffer, n), status::done);
  ASSERT_EQ(n, buffer.size());
  got.append(reinterpret_cast<const char*>(buffer.data()), n);
  // The record's rest is decrypted and waiting: read() delivers it without another feed().
  EXPECT_TRUE(server_.has_buffered_input());
  while (got.size() < sent.size()) {
    ASSERT_EQ(server_.read(buffer, n), status::done) << "after " << got.size() << " bytes";
    ASSERT_GT(n, 0u);
    got.append(reinterpret_cast<const char*>(buffer.data()), n);
    if (got.size() < sent.size()) {
      EXPECT_TRUE(server_.has_buffered_input());
    }
  }
  EXPECT_EQ(got, sent);
  EXPECT_FALSE(server_.has_buffered_input());
  EXPECT_EQ(server_.read(buffer, n), status::want_read);
  EXPECT_EQ(n, 0u);
}

TEST_F(tls_channel_test, PartialRecordWantsReadUntilTheRestIsFed) {
  connect();
  client_->write("split record");
  std::string record = client_->take();
  server_.feed(bytes_of(std::string_view(record).substr(0, record.size() - 1)));
  std::array<std::uint8_t, 64> buffer;
  std::size_t n = 0;
  EXPECT_EQ(server_.read(buffer, n), status::want_read);
  server_.feed(bytes_of(std::string_view(record).substr(record.size() - 1)));
  EXPECT_EQ(server_read_all(server_), "split record");
}

TEST_F(tls_channel_test, DataSentWithTheClientsFinishedIsKeptForRead) {
  // The client writes as soon as its side completes (as a browser sends its request), so the
  // data comes in the same feed as its Finished.
  client_ = std::make_unique<tls_client>();
  std::string to_client;
  ASSERT_NE(client_->handshake(), 1);
  server_.feed(bytes_of(client_->take()));
  ASSERT_EQ(server_.handshake(), status::want_read);
  server_.take_output(to_client);
  client_->feed(to_client);
  ASSERT_EQ(client_->handshake(), 1);
  client_->write("GET /socket.io/ HTTP/1.1\r\n\r\n");
  server_.feed(bytes_of(client_->take()));
  ASSERT_EQ(server_.handshake(), status::done);
  EXPECT_TRUE(server_.has_buffered_input());
  EXPECT_EQ(server_read_all(server_), "GET /socket.io/ HTTP/1.1\r\n\r\n");
}

TEST_F(tls_channel_test, ClientCloseNotifyGivesClosed) {
  connect();
  client_->write("last words");
  client_->shutdown();
  server_.feed(bytes_of(client_->take()));
  status last;
  EXPECT_EQ(server_read_all(server_, 1024, last), "last words");  // data first, then the close
  EXPECT_EQ(last, status::closed);
  EXPECT_TRUE(server_.error_text().empty());
}

TEST_F(tls_channel_test, ShutdownSendsACloseNotifyTheClientSees) {
  connect();
  client_->read_all();  // the session tickets
  server_.write(bytes_of("bye"));
  server_.shutdown();
  ASSERT_TRUE(server_.has_output());
  client_->feed(output_of(server_));
  int last_error = 0;
  EXPECT_EQ(client_->read_all(last_error), "bye");
  EXPECT_EQ(last_error, SSL_ERROR_ZERO_RETURN);
  EXPECT_NE(SSL_get_shutdown(client_->ssl()) & SSL_RECEIVED_SHUTDOWN, 0);
  char byte;
  EXPECT_EQ(SSL_read(client_->ssl(), &byte, 1), 0);
}

TEST_F(tls_channel_test, GarbageInsteadOfAClientHelloFails) {
  // A handshake record whose body is no handshake message.
  std::string garbage = "\x16\x03\x01\x00\x20" + pattern(32, 4);
  server_.feed(bytes_of(garbage));
  EXPECT_EQ(server_.handshake(), status::failed);
  EXPECT_FALSE(server_.error_text().empty());
  EXPECT_FALSE(server_.saw_plain_http());
}

TEST_F(tls_channel_test, NoRecordAtAllFails) {
  server_.feed(bytes_of(pattern(64, 5)));
  EXPECT_EQ(server_.handshake(), status::failed);
  EXPECT_FALSE(server_.error_text().empty());
  EXPECT_FALSE(server_.saw_plain_http());
}

TEST_F(tls_channel_test, PlainHttpFailsAndIsRecognised) {
  server_.feed(bytes_of("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  EXPECT_EQ(server_.handshake(), status::failed);
  EXPECT_TRUE(server_.saw_plain_http());
  EXPECT_FALSE(server_.error_text().empty());
}

TEST_F(tls_channel_test, HandshakeFedOneByteAtATimeCompletes) {
  client_ = std::make_unique<tls_client>();
  std::size_t fed = 0;
  status last = status::want_read;
  int client_result = 0;
  for (int round = 0; round < 10 && !(last == status::done && client_result == 1); ++round) {
    client_result = client_->handshake();
    std::string flight = client_->take();
    for (char byte : flight) {
      server_.feed(bytes_of(std::string_view(&byte, 1)));
      ++fed;
      last = server_.handshake();
      ASSERT_NE(last, status::failed) << server_.error_text() << " after " << fed << " bytes";
      std::string to_client;
      server_.take_output(to_client);
      client_->feed(to_client);
    }
  }
  EXPECT_EQ(last, status::done);
  EXPECT_EQ(client_result, 1);
  EXPECT_GT(fed, 100u);
  // And the connection works.
  client_->write("after a slow handshake");
  server_.feed(bytes_of(client_->take()));
  EXPECT_EQ(server_read_all(server_), "after a slow handshake");
}

}  // namespace
}  // namespace chorus::server
