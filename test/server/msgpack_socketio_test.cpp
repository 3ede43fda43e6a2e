// --parser msgpack at the Socket.IO layer over a real socket: a Beast WebSocket client speaks
// socket.io-msgpack-parser (packets written and read with chorus's own codec, which
// test/unit/socketio_msgpack_codec_test.cpp checks against the reference's bytes) to a one-shard
// server: CONNECT, EVENT with an inline binary and an ack both ways, a broadcast, DISCONNECT both
// ways, and a text message, which closes the connection with the parse error reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>

#include "protocol/socketio/msgpack_codec.hpp"
#include "server/server.hpp"
#include "server/socketio/application.hpp"
#include "server/socketio/broadcast_operator.hpp"
#include "server/socketio/event.hpp"
#include "server/socketio/socket.hpp"
#include "test/support/engineio_websocket.hpp"

namespace chorus::server {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace sio = protocol::socketio;
using namespace std::chrono_literals;

// One packet a client sends, as socket.io-msgpack-parser writes it.
std::string client_packet(sio::packet_type type, std::optional<std::uint64_t> id,
                          std::optional<std::string_view> data,
                          const std::vector<std::string>& attachments = {}) {
  simdjson::dom::parser parser;
  std::string out;
  EXPECT_TRUE(sio::append_msgpack_packet(out, parser, type, "/", id, data, attachments));
  return out;
}

class msgpack_client {
 public:
  msgpack_client(asio::io_context& context, std::uint16_t port) : ws_(context) {
    EXPECT_EQ(open_engineio_websocket(ws_, port).substr(0, 8), "0{\"sid\":");
    EXPECT_FALSE(ws_.got_binary());  // Engine.IO's own packets stay text
  }
  void send_binary(std::string_view bytes) {
    ws_.binary(true);
    ws_.write(asio::buffer(bytes));
  }
  void send_text(std::string_view text) {
    ws_.binary(false);
    ws_.write(asio::buffer(text));
  }
  // The next message, which must be binary and one msgpack packet.
  sio::msgpack_packet read() {
    beast::flat_buffer buffer;
    ws_.read(buffer);
    EXPECT_TRUE(ws_.got_binary());
    std::string bytes = beast::buffers_to_string(buffer.data());
    sio::msgpack_packet packet;
    sio::parsed_payload parsed;
    EXPECT_EQ(sio::decode_msgpack(bytes, sio::limits{}, parser_, packet, parsed),
              sio::parse_error::ok);
    return packet;
  }
  // Whether the server closed the connection (the next read fails for a reason other than the
  // receive timeout).
  bool closed_by_server() {
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    ws_.read(buffer, ec);
    return ec == websocket::error::closed || ec == asio::error::eof ||
           ec == asio::error::connection_reset;
  }
  // CONNECT to "/" with `auth`; returns the socket id of the reply.
  std::string connect(std::string_view auth) {
    send_binary(client_packet(sio::packet_type::connect, std::nullopt, auth));
    sio::msgpack_packet reply = read();
    EXPECT_EQ(reply.type, sio::packet_type::connect);
    EXPECT_EQ(reply.nsp, "/");
    std::string_view sid;
    EXPECT_FALSE(parser_.parse(reply.data)["sid"].get_string().get(sid)) << reply.data;
    return std::string(sid);
  }

 private:
  test_websocket ws_;
  simdjson::dom::parser parser_;
};

class MsgpackSocketIo : public testing::Test {
 protected:
  void SetUp() override {
    app_.of("/")
        .on_connection([this](socketio::socket& s) {
          std::lock_guard lock(mutex_);
          auth_ = s.auth_json();
        })
        .on("echo",
            [](socketio::socket& s, const socketio::event& ev) {
              s.emit("echo-back", ev.args_json(), ev.attachments());
              if (ev.wants_ack()) ev.ack(ev.args_json(), ev.attachments());
            })
        .on("ask",
            [this](socketio::socket& s, const socketio::event&) {
              s.emit_with_ack("question", "1", 5s, [this](const socketio::ack_response& r) {
                answer_.set_value(std::string(r.args_json) + " " +
                                  std::to_string(r.attachments ? r.attachments->size() : 0));
              });
            })
        .on("kick", [](socketio::socket& s, const socketio::event&) { s.disconnect(); })
        .on_disconnect([this](socketio::socket&, disconnect_reason reason) {
          if (!reason_set_.exchange(true)) reason_.set_value(reason);
        });
    server_config config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.threads = 1;
    config.parser = packet_parser::msgpack;
    server_ = std::make_unique<server>(config, app_.handler_factory());
    server_->start();
    client_ = std::make_unique<msgpack_client>(context_, server_->port());
  }

  // The server first: its shutdown runs the disconnect handler, which uses the members below.
  void TearDown() override {
    client_.reset();
    server_.reset();
  }

  // The reason the disconnect handler was given, or nullopt if it did not run within 5 s.
  std::optional<disconnect_reason> reason() {
    auto future = reason_.get_future();
    if (future.wait_for(5s) != std::future_status::ready) return std::nullopt;
    return future.get();
  }

  socketio::application app_;
  std::unique_ptr<server> server_;
  asio::io_context context_;
  std::unique_ptr<msgpack_client> client_;
  std::mutex mutex_;
  std::string auth_;
  std::promise<std::string> answer_;
  std::promise<disconnect_reason> reason_;
  std::atomic<bool> reason_set_{false};
};

TEST_F(MsgpackSocketIo, ConnectEventAckAndClientDisconnect) {
  std::string sid = client_->connect(R"({"token":"t"})");
  EXPECT_EQ(sid.size(), 20u);
  {
    std::lock_guard lock(mutex_);
    EXPECT_EQ(auth_, R"({"token":"t"})");
  }
  const std::string bin("\x00\x01\xff", 3);
  client_->send_binary(client_packet(sio::packet_type::event, 7,
                                     R"(["echo","héllo",{"_placeholder":true,"num":0}])", {bin}));
  sio::msgpack_packet back = client_->read();
  EXPECT_EQ(back.type, sio::packet_type::event);
  EXPECT_FALSE(back.ack_id);
  EXPECT_EQ(back.data, R"(["echo-back","héllo",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(back.attachments, std::vector<std::string>{bin});
  sio::msgpack_packet ack = client_->read();
  EXPECT_EQ(ack.type, sio::packet_type::ack);
  EXPECT_EQ(ack.ack_id, 7u);
  EXPECT_EQ(ack.data, R"(["héllo",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(ack.attachments, std::vector<std::string>{bin});

  client_->send_binary(client_packet(sio::packet_type::disconnect, std::nullopt, std::nullopt));
  EXPECT_EQ(reason(), disconnect_reason::client_namespace_disconnect);
}

TEST_F(MsgpackSocketIo, ServerAckAndServerDisconnect) {
  client_->connect("{}");
  client_->send_binary(client_packet(sio::packet_type::event, std::nullopt, R"(["ask"])"));
  sio::msgpack_packet question = client_->read();
  EXPECT_EQ(question.type, sio::packet_type::event);
  EXPECT_EQ(question.data, R"(["question",1])");
  ASSERT_TRUE(question.ack_id);
  client_->send_binary(client_packet(sio::packet_type::ack, *question.ack_id,
                                     R"(["yes",{"_placeholder":true,"num":0}])", {"ab"}));
  auto answer = answer_.get_future();
  ASSERT_EQ(answer.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(answer.get(), R"("yes",{"_placeholder":true,"num":0} 1)");

  client_->send_binary(client_packet(sio::packet_type::event, std::nullopt, R"(["kick"])"));
  sio::msgpack_packet bye = client_->read();
  EXPECT_EQ(bye.type, sio::packet_type::disconnect);
  EXPECT_EQ(bye.nsp, "/");
  EXPECT_EQ(reason(), disconnect_reason::server_namespace_disconnect);
}

TEST_F(MsgpackSocketIo, BroadcastIsOneBinaryMessage) {
  client_->connect("{}");
  socketio::broadcast_operator(*server_, nullptr, "/").emit("news", R"("a",{"b":[1,null]})");
  sio::msgpack_packet news = client_->read();
  EXPECT_EQ(news.type, sio::packet_type::event);
  EXPECT_EQ(news.data, R"(["news","a",{"b":[1,null]}])");
  EXPECT_TRUE(news.attachments.empty());
}

// Arguments an application wrote that msgpack cannot carry (a binary placeholder with no binary):
// the event is not sent, a broadcast with acks is done at once with no client's ack, and the
// connection is unharmed: what comes next arrives.
TEST_F(MsgpackSocketIo, AnEventItCannotWriteIsDroppedAndNothingElseIs) {
  client_->connect("{}");
  const std::string unwritable = R"({"_placeholder":true,"num":0})";
  socketio::broadcast_operator everyone(*server_, nullptr, "/");
  everyone.emit("lost", unwritable);
  std::promise<fanout::broadcast_ack_result> done;
  everyone.emit_with_ack("lost-too", unwritable, 5s,
                         [&done](fanout::broadcast_ack_result r) { done.set_value(std::move(r)); });
  auto result = done.get_future();
  ASSERT_EQ(result.wait_for(5s), std::future_status::ready);
  auto acks = result.get();
  EXPECT_TRUE(acks.responses.empty());
  EXPECT_FALSE(acks.complete);
  client_->send_binary(client_packet(sio::packet_type::event, std::nullopt,
                                     R"(["echo",{"_placeholder":true,"num":0}])", {"x"}));
  everyone.emit("news", R"("after")");
  // The echo's own emit (the socket's path) carries its binary; neither lost event came first.
  sio::msgpack_packet first = client_->read();
  sio::msgpack_packet second = client_->read();
  std::vector<std::string> got = {first.data, second.data};
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{R"(["echo-back",{"_placeholder":true,"num":0}])",
                                           R"(["news","after"])"}));
}

TEST_F(MsgpackSocketIo, TextMessageClosesWithParseError) {
  client_->connect("{}");
  client_->send_text(R"(42["echo","as text"])");
  EXPECT_EQ(reason(), disconnect_reason::parse_error);
  EXPECT_TRUE(client_->closed_by_server());
}

TEST_F(MsgpackSocketIo, MalformedMsgpackClosesWithParseError) {
  client_->connect("{}");
  client_->send_binary(std::string("\x83\xa4ty", 4));  // a map cut short
  EXPECT_EQ(reason(), disconnect_reason::parse_error);
  EXPECT_TRUE(client_->closed_by_server());
}

}  // namespace
}  // namespace chorus::server
