// Rooms across shards over real sockets: clients (Beast's WebSocket client, so chorus's own
// framing is checked against another implementation) connect to a 4-shard server, join a room,
// and the cross-shard queries, broadcasts and close_room see all of them.
#include <gtest/gtest.h>

#include <boost/asio/use_future.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <future>
#include <set>

#include "server/server.hpp"
#include "server/socketio/application.hpp"
#include "server/socketio/broadcast_operator.hpp"
#include "server/socketio/event.hpp"
#include "server/socketio/room_queries.hpp"
#include "server/socketio/socket.hpp"
#include "test/support/engineio_websocket.hpp"

namespace chorus::server {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

// A minimal Socket.IO client over Beast's WebSocket client.
class test_client {
 public:
  test_client(asio::io_context& context, std::uint16_t port) : ws_(context) {
    EXPECT_EQ(open_engineio_websocket(ws_, port).substr(0, 8), "0{\"sid\":");
    send("40");
    std::string connected = read();
    EXPECT_EQ(connected.substr(0, 10), "40{\"sid\":\"");
    sid_ = connected.substr(10, connected.size() - 12);
  }
  void send(std::string_view text) { ws_.write(asio::buffer(text)); }
  std::string read() {
    beast::flat_buffer buffer;
    ws_.read(buffer);
    return beast::buffers_to_string(buffer.data());
  }
  const std::string& sid() const { return sid_; }

 private:
  test_websocket ws_;
  std::string sid_;
};

class RoomsAcrossShards : public testing::Test {
 protected:
  void SetUp() override {
    app_.of("/").on("join", [](socketio::socket& s, const socketio::event& ev) {
      s.join(std::string(ev.arg(0).get_string().value_unsafe()));
      ev.ack();
    });
    server_config config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.threads = 4;
    server_ = std::make_unique<server>(config, app_.handler_factory());
    server_->start();
    for (int i = 0; i < 40; ++i) {
      clients_.push_back(std::make_unique<test_client>(context_, server_->port()));
      clients_.back()->send(R"(421["join","r"])");
      EXPECT_EQ(clients_.back()->read(), "431[]");
    }
  }

  template <class T>
  T run(awaitable<T> query) {
    asio::io_context caller;
    auto result = asio::co_spawn(caller, std::move(query), asio::use_future);
    caller.run();
    return result.get();
  }

  socketio::application app_;
  std::unique_ptr<server> server_;
  asio::io_context context_;
  std::vector<std::unique_ptr<test_client>> clients_;
};

TEST_F(RoomsAcrossShards, QueriesSeeEveryShard) {
  // The queries are only tested across shards if the clients landed on several of them.
  unsigned shards_in_use = 0;
  for (unsigned i = 0; i < server_->shard_count(); ++i) {
    shard& s = server_->shard_at(i);
    engineio::session_registry& sessions = server_->sessions_at(i);
    // The shard's own thread reads its registry.
    auto counted =
        asio::post(s.executor(), asio::use_future([&sessions] { return sessions.size(); }));
    shards_in_use += counted.get() > 0;
  }
  EXPECT_GE(shards_in_use, 2u);
  EXPECT_EQ(run(socketio::room_size(*server_, "/", "r")), 40u);
  auto members = run(socketio::room_members(*server_, "/", "r"));
  std::set<std::string> expected, got(members.begin(), members.end());
  for (const auto& c : clients_) expected.insert(c->sid());
  EXPECT_EQ(got, expected);
  auto names = run(socketio::room_names(*server_, "/"));
  EXPECT_EQ(names.size(), 41u);  // "r" and every socket's own room
  EXPECT_EQ(run(socketio::room_size(*server_, "/", "nobody")), 0u);
  EXPECT_EQ(run(socketio::room_size(*server_, "/other", "r")), 0u);
}

TEST_F(RoomsAcrossShards, BroadcastFromOutsideReachesEveryMemberOnce) {
  socketio::broadcast_operator(*server_, nullptr, "/").to("r").emit("hello", "1");
  socketio::broadcast_operator(*server_, nullptr, "/").to("r").to(clients_[0]->sid()).emit("next");
  for (auto& c : clients_) {
    EXPECT_EQ(c->read(), R"(42["hello",1])");
    EXPECT_EQ(c->read(), R"(42["next"])");  // once, though in both rooms
  }
}

TEST_F(RoomsAcrossShards, ClosedRoomReachesNobody) {
  run(socketio::close_room(*server_, "/", "r"));
  EXPECT_EQ(run(socketio::room_size(*server_, "/", "r")), 0u);
  socketio::broadcast_operator(*server_, nullptr, "/").to("r").emit("lost");
  socketio::broadcast_operator(*server_, nullptr, "/").emit("everyone");
  for (auto& c : clients_) EXPECT_EQ(c->read(), R"(42["everyone"])");
}

TEST_F(RoomsAcrossShards, ExceptSkipsRoomsAndSockets) {
  clients_[1]->send(R"(422["join","quiet"])");
  EXPECT_EQ(clients_[1]->read(), "432[]");
  socketio::broadcast_operator(*server_, nullptr, "/")
      .to("r")
      .except("quiet")
      .except(clients_[2]->sid())
      .emit("some");
  socketio::broadcast_operator(*server_, nullptr, "/").emit("all");
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    if (i != 1 && i != 2) {  // braces: EXPECT_EQ is an if/else inside
      EXPECT_EQ(clients_[i]->read(), R"(42["some"])") << i;
    }
    EXPECT_EQ(clients_[i]->read(), R"(42["all"])") << i;
  }
}

}  // namespace
}  // namespace chorus::server
