// The ClusterAdapter envelope as the sharded Redis adapter ships it: every type in both forms,
// the refusals, and the publish channel rule. The Node adapter's own bytes are in
// protocol_notepack_oracle_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/cluster/cluster_messages.hpp"
#include "protocol/cluster/redis_messages.hpp"

namespace chorus::protocol::cluster {
namespace {

using namespace std::string_literals;

cluster_message base(int type) {
  cluster_message m;
  m.uid = "0123456789abcdef";
  m.nsp = "/";
  m.type = type;
  return m;
}

cluster_message round_trip(const cluster_message& m, bool msgpack) {
  const std::string payload = encode_cluster_message(m);
  EXPECT_FALSE(payload.empty());
  EXPECT_EQ(payload.front() != '{', msgpack) << payload;
  std::string error;
  const auto decoded = decode_cluster_message(payload, error);
  EXPECT_TRUE(decoded.has_value()) << error << ": " << payload;
  if (!decoded) return {};
  EXPECT_EQ(decoded->uid, m.uid);
  EXPECT_EQ(decoded->nsp, m.nsp);
  EXPECT_EQ(decoded->type, m.type);
  return *decoded;
}

TEST(ClusterMessage, HeartbeatsAndClose) {
  for (const int type :
       {cluster_type::initial_heartbeat, cluster_type::heartbeat, cluster_type::adapter_close}) {
    cluster_message m = base(type);
    EXPECT_EQ(encode_cluster_message(m),
              R"({"type":)" + std::to_string(type) + R"(,"uid":"0123456789abcdef","nsp":"/"})");
    round_trip(m, false);
  }
}

TEST(ClusterMessage, Broadcasts) {
  cluster_message m = base(cluster_type::broadcast);
  m.nsp = "/chat";
  m.packet.data_json = R"(["hello",1])";
  m.opts.rooms = {"room1"};
  m.opts.is_volatile = true;
  EXPECT_EQ(encode_cluster_message(m),
            R"({"type":3,"data":{"packet":{"type":2,"data":["hello",1]},"opts":{"rooms":["room1"],)"
            R"("except":[],"flags":{"volatile":true}}},"uid":"0123456789abcdef","nsp":"/chat"})");
  cluster_message d = round_trip(m, false);
  EXPECT_EQ(d.packet.nsp, "/chat");  // the envelope's
  EXPECT_EQ(d.packet.data_json, m.packet.data_json);
  EXPECT_EQ(d.opts.rooms, m.opts.rooms);
  EXPECT_TRUE(d.opts.is_volatile);
  EXPECT_EQ(d.request_id, "");
  // a packet's own nsp is not the receiver's business: the envelope's namespace is
  std::string error;
  const auto other = decode_cluster_message(
      R"({"type":3,"data":{"packet":{"type":2,"data":["e"],"nsp":"/other"},"opts":{}},"nsp":"/a"})",
      error);
  ASSERT_TRUE(other.has_value()) << error;
  EXPECT_EQ(other->packet.nsp, "/a");

  // with binary: msgpack; with acks: a requestId
  m.packet.data_json = R"(["bin",{"_placeholder":true,"num":0}])";
  m.packet.attachments = {"\x01\x02"s};
  m.request_id = "c1c2c3c4c5c6c7c8";
  m.opts.timeout_ms = 20;
  d = round_trip(m, true);
  EXPECT_EQ(d.packet.data_json, m.packet.data_json);
  EXPECT_EQ(d.packet.attachments, m.packet.attachments);
  EXPECT_EQ(d.request_id, m.request_id);
  EXPECT_EQ(d.opts.timeout_ms, 20u);
}

TEST(ClusterMessage, Requests) {
  cluster_message m = base(cluster_type::sockets_join);
  m.opts.rooms = {"r1"};
  m.rooms = {"a", "b"};
  cluster_message d = round_trip(m, false);
  EXPECT_EQ(d.rooms, m.rooms);
  EXPECT_EQ(d.opts.rooms, m.opts.rooms);
  m.type = cluster_type::sockets_leave;
  EXPECT_EQ(round_trip(m, false).rooms, m.rooms);

  m = base(cluster_type::disconnect_sockets);
  m.close = true;
  EXPECT_TRUE(round_trip(m, false).close);

  m = base(cluster_type::fetch_sockets);
  m.request_id = "a1a2a3a4a5a6a7a8";
  m.opts.except = {"x"};
  d = round_trip(m, false);
  EXPECT_EQ(d.request_id, m.request_id);
  EXPECT_EQ(d.opts.except, m.opts.except);

  m = base(cluster_type::server_side_emit);
  m.data_json = R"(["ping",1])";
  d = round_trip(m, false);
  EXPECT_EQ(d.data_json, m.data_json);
  EXPECT_EQ(d.request_id, "");
  m.request_id = "b1b2b3b4b5b6b7b8";
  m.data_json = R"(["ping",{"_placeholder":true,"num":0}])";
  m.attachments = {"\x09"s};
  d = round_trip(m, true);
  EXPECT_EQ(d.data_json, m.data_json);
  EXPECT_EQ(d.attachments, m.attachments);
  EXPECT_EQ(d.request_id, m.request_id);
}

TEST(ClusterMessage, Responses) {
  cluster_message m = base(cluster_type::fetch_sockets_response);
  m.request_id = "r7";
  m.sockets_json = R"([{"id":"s","rooms":["s"],"data":{"b":{"_placeholder":true,"num":0}}}])";
  EXPECT_EQ(round_trip(m, false).sockets_json, m.sockets_json);  // no attachments: JSON
  m.attachments = {"\xff"s};
  cluster_message d = round_trip(m, true);
  EXPECT_EQ(d.sockets_json, m.sockets_json);
  EXPECT_EQ(d.attachments, m.attachments);

  for (const int type : {cluster_type::server_side_emit_response, cluster_type::broadcast_ack}) {
    m = base(type);
    m.request_id = "r9";
    m.data_json = R"("fine")";
    EXPECT_EQ(round_trip(m, false).data_json, m.data_json);
    m.data_json = "";  // an ack without argument
    EXPECT_EQ(encode_cluster_message(m),
              R"({"type":)" + std::to_string(type) +
                  R"(,"data":{"requestId":"r9"},"uid":"0123456789abcdef","nsp":"/"})");
    EXPECT_EQ(round_trip(m, false).data_json, "");
    m.data_json = R"({"_placeholder":true,"num":0})";
    m.attachments = {"\x05"s};
    d = round_trip(m, true);
    EXPECT_EQ(d.data_json, m.data_json);
    EXPECT_EQ(d.attachments, m.attachments);
  }

  m = base(cluster_type::broadcast_client_count);
  m.request_id = "r3";
  m.client_count = 4;
  EXPECT_EQ(round_trip(m, false).client_count, 4u);
}

TEST(ClusterMessage, EncodeRefusals) {
  EXPECT_EQ(encode_cluster_message(base(0)), "");
  EXPECT_EQ(encode_cluster_message(base(14)), "");
  cluster_message m = base(cluster_type::broadcast_ack);
  m.request_id = "r";
  m.data_json = R"({"_placeholder":true,"num":1})";  // no attachment 1
  m.attachments = {"\x05"s};
  EXPECT_EQ(encode_cluster_message(m), "");
}

TEST(ClusterMessage, Refusals) {
  struct refusal {
    std::string payload;
    std::string error;
  };
  const refusal cases[] = {
      {"", "truncated msgpack"},
      {"{}", "missing nsp"},
      {R"({"nsp":1})", "nsp is not a string"},
      {R"({"nsp":"/","uid":2,"type":1})", "uid is not a string"},
      {R"({"nsp":"/"})", "unknown message type"},
      {R"({"nsp":"/","type":14})", "unknown message type"},
      {R"({"nsp":"/","type":0})", "unknown message type"},
      {R"({"nsp":"/","type":3})", "data is not an object"},
      {R"({"nsp":"/","type":3,"data":[]})", "data is not an object"},
      {R"({"nsp":"/","type":3,"data":{"opts":{}}})", "missing packet"},
      {R"({"nsp":"/","type":3,"data":{"packet":{"type":2,"data":[]}}})", "missing opts"},
      {R"({"nsp":"/","type":3,"data":{"packet":{"type":2,"data":{}},"opts":{}}})",
       "packet data is not an array"},
      {R"({"nsp":"/","type":4,"data":{"opts":{}}})", "missing rooms"},
      {R"({"nsp":"/","type":5,"data":{"opts":{},"rooms":"a"}})", "rooms is not an array"},
      {R"({"nsp":"/","type":6,"data":{}})", "missing opts"},
      {R"({"nsp":"/","type":7,"data":{"opts":{}}})", "missing requestId"},
      {R"({"nsp":"/","type":8,"data":{"requestId":"r","sockets":{}}})", "sockets is not an array"},
      {R"({"nsp":"/","type":8,"data":{"sockets":[]}})", "missing requestId"},
      {R"({"nsp":"/","type":9,"data":{"packet":"x"}})", "packet is not an array"},
      {R"({"nsp":"/","type":10,"data":{}})", "missing requestId"},
      {R"({"nsp":"/","type":11,"data":{"requestId":"r","clientCount":"1"}})",
       "clientCount is not an integer"},
      {R"({"nsp":"/","type":12,"data":{"requestId":7}})", "requestId is not a string"},
  };
  for (const auto& c : cases) {
    std::string error;
    EXPECT_FALSE(decode_cluster_message(c.payload, error).has_value()) << c.payload;
    EXPECT_EQ(error, c.error) << c.payload;
  }
  // Whatever the cut, a truncated msgpack message is refused.
  cluster_message m = base(cluster_type::broadcast);
  m.packet.data_json = R"(["b",{"_placeholder":true,"num":0}])";
  m.packet.attachments = {"xyz"};
  const std::string whole = encode_cluster_message(m);
  for (std::size_t n = 1; n < whole.size(); ++n) {
    std::string error;
    EXPECT_FALSE(decode_cluster_message(whole.substr(0, n), error).has_value()) << n;
  }
}

TEST(ClusterMessage, ShardedPublishChannel) {
  cluster_message m = base(cluster_type::broadcast);
  const auto channel = [&](subscription_mode mode) {
    return sharded_publish_channel(m, "socket.io", mode);
  };
  EXPECT_EQ(channel(subscription_mode::dynamic), "socket.io#/#");
  m.opts.rooms = {"room1"};
  EXPECT_EQ(channel(subscription_mode::dynamic), "socket.io#/#room1#");
  EXPECT_EQ(channel(subscription_mode::dynamic_private), "socket.io#/#room1#");
  EXPECT_EQ(channel(subscription_mode::static_rooms), "socket.io#/#");
  m.opts.rooms = {"AAAAAAAAAAAAAAAAAAAA"};  // 20 chars: looks like a socket id
  EXPECT_EQ(channel(subscription_mode::dynamic), "socket.io#/#");
  EXPECT_EQ(channel(subscription_mode::dynamic_private), "socket.io#/#AAAAAAAAAAAAAAAAAAAA#");
  m.opts.rooms = {"\xC3\xA9" + std::string(19, 'a')};  // 20 UTF-16 units, 21 bytes
  EXPECT_EQ(channel(subscription_mode::dynamic), "socket.io#/#");
  m.opts.rooms = {"\xF0\x9F\x98\x80" + std::string(18, 'a')};  // a surrogate pair + 18
  EXPECT_EQ(channel(subscription_mode::dynamic), "socket.io#/#");
  m.opts.rooms = {"a", "b"};
  EXPECT_EQ(channel(subscription_mode::dynamic_private), "socket.io#/#");
  m.opts.rooms = {"room1"};
  m.request_id = "r";  // with acks: the main channel
  EXPECT_EQ(channel(subscription_mode::dynamic), "socket.io#/#");
  m = base(cluster_type::sockets_join);
  m.opts.rooms = {"room1"};
  EXPECT_EQ(channel(subscription_mode::dynamic), "socket.io#/#");
}

// The sharded adapter's channels: every node's, a node's own responses (16 hex uid), a room's.
TEST(ClusterMessage, ShardedChannelNames) {
  EXPECT_EQ(broadcast_channel("socket.io", "/"), "socket.io#/#");
  EXPECT_EQ(broadcast_channel("k", "/chat"), "k#/chat#");
  EXPECT_EQ(room_channel("socket.io", "/", "0123456789abcdef"), "socket.io#/#0123456789abcdef#");
  EXPECT_EQ(room_channel("k", "/chat", "lobby"), "k#/chat#lobby#");
}

TEST(ClusterMessage, LooksLikeSocketId) {
  EXPECT_TRUE(looks_like_socket_id("AAAAAAAAAAAAAAAAAAAA"));
  EXPECT_TRUE(looks_like_socket_id("4cAWZ0bHTwOmqTLrAAAB"));
  EXPECT_TRUE(looks_like_socket_id("\xC3\xA9" + std::string(19, 'a')));          // 20 units
  EXPECT_TRUE(looks_like_socket_id("\xF0\x9F\x98\x80" + std::string(18, 'a')));  // 2 + 18
  EXPECT_FALSE(looks_like_socket_id(std::string(19, 'a')));
  EXPECT_FALSE(looks_like_socket_id(std::string(21, 'a')));
  EXPECT_FALSE(looks_like_socket_id("\xF0\x9F\x98\x80" + std::string(19, 'a')));  // 21 units
  EXPECT_FALSE(looks_like_socket_id(""));
}

// A node subscribes to exactly the room channels other nodes publish on: for every room and
// mode, subscribes_room_channel agrees with where a one-room broadcast goes.
TEST(ClusterMessage, RoomSubscriptionsMatchPublishChannels) {
  const std::vector<std::string> rooms = {"r",
                                          "lobby",
                                          std::string(19, 'x'),
                                          std::string(20, 'x'),
                                          std::string(21, 'x'),
                                          "\xC3\xA9" + std::string(19, 'a'),
                                          "\xC3\xA9" + std::string(20, 'a')};
  for (const auto mode : {subscription_mode::static_rooms, subscription_mode::dynamic,
                          subscription_mode::dynamic_private}) {
    for (const auto& room : rooms) {
      cluster_message m = base(cluster_type::broadcast);
      m.opts.rooms = {room};
      const bool to_room = sharded_publish_channel(m, "socket.io", mode) != "socket.io#/#";
      EXPECT_EQ(subscribes_room_channel(room, mode), to_room)
          << room << " mode " << static_cast<int>(mode);
    }
  }
  EXPECT_TRUE(subscribes_room_channel("lobby", subscription_mode::dynamic));
  EXPECT_FALSE(subscribes_room_channel(std::string(20, 'x'), subscription_mode::dynamic));
  EXPECT_TRUE(subscribes_room_channel(std::string(20, 'x'), subscription_mode::dynamic_private));
  EXPECT_FALSE(subscribes_room_channel("lobby", subscription_mode::static_rooms));
}

}  // namespace
}  // namespace chorus::protocol::cluster
