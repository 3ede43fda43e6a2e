// @socket.io/redis-streams-adapter 0.3.1's two forms of the ClusterAdapter envelope: stream
// entries (uid, nsp, type, data as JSON or base64 msgpack) and Pub/Sub messages (msgpack of the
// whole message). The expected bytes were written by the Node package's own encoders
// (JSON.stringify and @msgpack/msgpack 2.8 encode, as lib/adapter.ts calls them).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "protocol/base64.hpp"
#include "protocol/cluster/stream_messages.hpp"
#include "test/support/hex.hpp"

namespace chorus::protocol::cluster {
namespace {

using namespace std::string_literals;
using fields = std::vector<std::pair<std::string_view, std::string_view>>;

cluster_message base(int type) {
  cluster_message m;
  m.uid = "0123456789abcdef";
  m.nsp = "/";
  m.type = type;
  return m;
}

using chorus::test::from_hex;

fields as_pairs(const std::vector<stream_field>& entry) {
  fields out;
  for (const auto& f : entry) out.emplace_back(f.name, f.value);
  return out;
}

cluster_message decode_entry(const fields& entry) {
  std::string error;
  auto m = decode_stream_entry(entry, error);
  EXPECT_TRUE(m.has_value()) << error;
  return m.value_or(cluster_message{});
}

TEST(StreamEntry, SocketsJoinIsJsonData) {
  cluster_message m = base(cluster_type::sockets_join);
  m.opts.rooms = {"j"};
  m.rooms = {"x", "y"};
  const auto entry = encode_stream_entry(m);
  ASSERT_EQ(entry.size(), 4u);
  const std::vector<std::pair<std::string_view, std::string>> expected = {
      {"uid", "0123456789abcdef"},
      {"nsp", "/"},
      {"type", "4"},
      {"data", R"({"opts":{"rooms":["j"],"except":[],"flags":{}},"rooms":["x","y"]})"}};
  for (std::size_t i = 0; i < entry.size(); ++i) {
    EXPECT_EQ(entry[i].name, expected[i].first);
    EXPECT_EQ(entry[i].value, expected[i].second);
  }
  const cluster_message d = decode_entry(as_pairs(entry));
  EXPECT_EQ(d.uid, m.uid);
  EXPECT_EQ(d.type, cluster_type::sockets_join);
  EXPECT_EQ(d.rooms, m.rooms);
  EXPECT_EQ(d.opts.rooms, m.opts.rooms);
}

TEST(StreamEntry, BroadcastWithoutBinaryIsJson) {
  cluster_message m = base(cluster_type::broadcast);
  m.nsp = "/chat";
  m.packet.data_json = R"(["hello",1,{"n":2.5}])";
  m.opts.except = {"muted"};
  const auto entry = encode_stream_entry(m);
  ASSERT_EQ(entry.size(), 4u);
  EXPECT_EQ(entry[2].value, "3");
  EXPECT_EQ(entry[3].value,
            R"({"packet":{"type":2,"data":["hello",1,{"n":2.5}]},"opts":{"rooms":[],)"
            R"("except":["muted"],"flags":{}}})");
  const cluster_message d = decode_entry(as_pairs(entry));
  EXPECT_EQ(d.nsp, "/chat");
  EXPECT_EQ(d.packet.nsp, "/chat");
  EXPECT_EQ(d.packet.data_json, m.packet.data_json);
  EXPECT_EQ(d.opts.except, m.opts.except);
  EXPECT_TRUE(d.request_id.empty());
  EXPECT_FALSE(d.packet.has_ack_id);
}

// socket.io with connection state recovery sends socket.emit("question", "q1", ack) through the
// adapter, to the socket's own room, with the packet's ack id (0 is the first): never stored.
TEST(StreamEntry, EmitWithAckFromNodeHasItsAckId) {
  for (std::string_view id : {"0", "7"}) {
    const std::string data =
        R"({"packet":{"type":2,"data":["question","q1"],"id":)" + std::string(id) +
        R"(},"opts":{"rooms":["AAAAAAAAAAAAAAAAAAAA"],"except":[],"flags":{}}})";
    const fields entry = {{"uid", "fedcba9876543210"}, {"nsp", "/"}, {"type", "3"}, {"data", data}};
    const cluster_message d = decode_entry(entry);
    EXPECT_TRUE(d.packet.has_ack_id) << id;
    EXPECT_EQ(d.packet.data_json, R"(["question","q1"])");
  }
}

// A Node node's io.to("r2").except("skip").emit("bin", <Buffer 01 02 03>, {n: 2.5}).
constexpr std::string_view node_binary_broadcast =
    "gqZwYWNrZXSDpHR5cGUCpGRhdGGTo2JpbsQDAQIDgaFuy0AEAAAAAAAAo25zcKEvpG9wdHODpXJvb21zkaJyMqZleGNl"
    "cHSRpHNraXClZmxhZ3OA";

TEST(StreamEntry, BinaryBroadcastFromNode) {
  const fields entry = {
      {"uid", "fedcba9876543210"}, {"nsp", "/"}, {"type", "3"}, {"data", node_binary_broadcast}};
  const cluster_message d = decode_entry(entry);
  EXPECT_EQ(d.uid, "fedcba9876543210");
  EXPECT_EQ(d.packet.data_json, R"(["bin",{"_placeholder":true,"num":0},{"n":2.5}])");
  EXPECT_EQ(d.packet.attachments, std::vector<std::string>{"\x01\x02\x03"s});
  EXPECT_EQ(d.opts.rooms, std::vector<std::string>{"r2"});
  EXPECT_EQ(d.opts.except, std::vector<std::string>{"skip"});
}

TEST(StreamEntry, BinaryBroadcastIsBase64Msgpack) {
  cluster_message m = base(cluster_type::broadcast);
  m.packet.data_json = R"(["bin",{"_placeholder":true,"num":0},{"n":2.5}])";
  m.packet.attachments = {"\x01\x02\x03"s};
  m.opts.rooms = {"r2"};
  m.opts.except = {"skip"};
  const auto entry = encode_stream_entry(m);
  ASSERT_EQ(entry.size(), 4u);
  std::string msgpack;
  ASSERT_TRUE(decode_base64(entry[3].value, msgpack)) << entry[3].value;
  EXPECT_EQ(static_cast<unsigned char>(msgpack.front()), 0x82);  // {packet, opts}
  const cluster_message d = decode_entry(as_pairs(entry));
  EXPECT_EQ(d.packet.data_json, m.packet.data_json);
  EXPECT_EQ(d.packet.attachments, m.packet.attachments);
  EXPECT_EQ(d.opts.rooms, m.opts.rooms);
}

TEST(StreamEntry, TypesWithoutDataAndOtherRequests) {
  const auto entry = encode_stream_entry(base(cluster_type::heartbeat));
  ASSERT_EQ(entry.size(), 3u);
  EXPECT_EQ(decode_entry(as_pairs(entry)).type, cluster_type::heartbeat);

  cluster_message m = base(cluster_type::disconnect_sockets);
  m.opts.rooms = {"d1"};
  m.close = true;
  const cluster_message d = decode_entry(as_pairs(encode_stream_entry(m)));
  EXPECT_TRUE(d.close);
  EXPECT_EQ(d.opts.rooms, m.opts.rooms);
  EXPECT_TRUE(encode_stream_entry(base(14)).empty());
}

TEST(StreamEntry, Refusals) {
  struct refusal {
    fields entry;
    std::string error;
  };
  const refusal cases[] = {
      {{{"uid", "u"}, {"nsp", "/"}}, "unknown message type"},
      {{{"nsp", "/"}, {"type", "3x"}}, "unknown message type"},
      {{{"nsp", "/"}, {"type", "14"}}, "unknown message type"},
      {{{"nsp", "/"}, {"type", ""}}, "unknown message type"},
      {{{"nsp", "/"}, {"type", "3"}}, "missing data"},
      {{{"nsp", "/"}, {"type", "3"}, {"data", ""}}, "missing data"},
      {{{"nsp", "/"}, {"type", "4"}, {"data", "{not json"}}, "invalid JSON"},
      {{{"nsp", "/"}, {"type", "4"}, {"data", "!!!!"}}, "data is neither JSON nor base64"},
      {{{"nsp", "/"}, {"type", "4"}, {"data", "kA=="}}, "data is not an object"},  // [] in msgpack
      {{{"nsp", "/"}, {"type", "4"}, {"data", R"({"opts":{}})"}}, "missing rooms"},
      {{{"nsp", "/"}, {"type", "3"}, {"data", "gqZwYWNr"}}, "truncated msgpack"},
  };
  for (const auto& c : cases) {
    std::string error;
    EXPECT_FALSE(decode_stream_entry(c.entry, error).has_value()) << c.error;
    EXPECT_EQ(error, c.error);
  }
  // No nsp (or an empty one): skipped, as the Node adapter skips it, not malformed.
  for (const fields& entry : {fields{{"uid", "u"}, {"type", "3"}}, fields{{"nsp", ""}}}) {
    std::string error = "x";
    EXPECT_FALSE(decode_stream_entry(entry, error).has_value());
    EXPECT_EQ(error, "");
  }
  // A repeated field: its last value.
  const cluster_message d =
      decode_entry({{"nsp", "/a"}, {"type", "9"}, {"type", "2"}, {"nsp", "/b"}});
  EXPECT_EQ(d.type, cluster_type::heartbeat);
  EXPECT_EQ(d.nsp, "/b");
}

TEST(StreamEntry, EphemeralMessagesGoThroughPubSub) {
  EXPECT_FALSE(is_ephemeral(base(cluster_type::broadcast)));
  cluster_message with_acks = base(cluster_type::broadcast);
  with_acks.request_id = "r";
  EXPECT_TRUE(is_ephemeral(with_acks));
  for (const int type :
       {cluster_type::sockets_join, cluster_type::sockets_leave, cluster_type::disconnect_sockets})
    EXPECT_FALSE(is_ephemeral(base(type))) << type;
  for (const int type : {cluster_type::fetch_sockets, cluster_type::fetch_sockets_response,
                         cluster_type::server_side_emit, cluster_type::server_side_emit_response,
                         cluster_type::broadcast_client_count, cluster_type::broadcast_ack})
    EXPECT_TRUE(is_ephemeral(base(type))) << type;
}

// ---- Pub/Sub: the whole message in msgpack, byte for byte as @msgpack/msgpack writes it.

void expect_pubsub(const cluster_message& m, std::string_view node_hex) {
  const std::string node = from_hex(node_hex);
  EXPECT_EQ(encode_cluster_message_msgpack(m), node);
  std::string error;
  const auto d = decode_cluster_message(node, error);
  ASSERT_TRUE(d.has_value()) << error;
  EXPECT_EQ(d->uid, m.uid);
  EXPECT_EQ(d->nsp, m.nsp);
  EXPECT_EQ(d->type, m.type);
  EXPECT_EQ(d->request_id, m.request_id);
}

TEST(StreamPubSub, FetchSockets) {
  cluster_message m = base(cluster_type::fetch_sockets);
  m.opts.rooms = {"f1"};
  m.request_id = "a1a2a3a4a5a6a7a8";
  expect_pubsub(m,
                "84a47479706507a46461746182a46f70747383a5726f6f6d7391a26631a665786365707490a566"
                "6c61677380a9726571756573744964b061316132613361346135613661376138a3756964b03031"
                "3233343536373839616263646566a36e7370a12f");
}

TEST(StreamPubSub, BroadcastWithAcks) {
  cluster_message m = base(cluster_type::broadcast);
  m.packet.data_json = R"(["question",8])";
  m.request_id = "b1b2b3b4b5b6b7b8";
  m.opts.rooms = {"q"};
  m.opts.timeout_ms = 3000;
  expect_pubsub(m,
                "84a47479706503a46461746183a67061636b657482a47479706502a46461746192a87175657374"
                "696f6e08a9726571756573744964b062316232623362346235623662376238a46f70747383a572"
                "6f6f6d7391a171a665786365707490a5666c61677381a774696d656f7574cd0bb8a3756964b030"
                "313233343536373839616263646566a36e7370a12f");
}

TEST(StreamPubSub, Responses) {
  cluster_message count = base(cluster_type::broadcast_client_count);
  count.request_id = "b1b2b3b4b5b6b7b8";
  count.client_count = 2;
  expect_pubsub(count,
                "84a4747970650ba46461746182a9726571756573744964b06231623262336234623562366237"
                "6238ab636c69656e74436f756e7402a3756964b030313233343536373839616263646566a36e"
                "7370a12f");

  cluster_message ack = base(cluster_type::broadcast_ack);
  ack.request_id = "b1b2b3b4b5b6b7b8";
  ack.data_json = R"({"who":"n","b":{"_placeholder":true,"num":0}})";
  ack.attachments = {"\x09"s};
  const std::string node_ack = from_hex(
      "84a4747970650ca46461746182a9726571756573744964b062316232623362346235623662376238a670"
      "61636b657482a377686fa16ea162c40109a3756964b030313233343536373839616263646566a36e7370"
      "a12f");
  EXPECT_EQ(encode_cluster_message_msgpack(ack), node_ack);
  std::string error;
  const auto d = decode_cluster_message(node_ack, error);
  ASSERT_TRUE(d.has_value()) << error;
  EXPECT_EQ(d->data_json, ack.data_json);
  EXPECT_EQ(d->attachments, ack.attachments);
}

TEST(StreamPubSub, ServerSideEmit) {
  cluster_message m = base(cluster_type::server_side_emit);
  m.request_id = "c1c2c3c4c5c6c7c8";
  m.data_json = R"(["ping-node",2])";
  expect_pubsub(m,
                "84a47479706509a46461746182a9726571756573744964b0633163326333633463356336633763"
                "38a67061636b657492a970696e672d6e6f646502a3756964b03031323334353637383961626364"
                "6566a36e7370a12f");
}

// Every type round-trips through the msgpack form, with and without data.
TEST(StreamPubSub, EveryTypeRoundTrips) {
  for (int type = cluster_type::initial_heartbeat; type <= cluster_type::adapter_close; ++type) {
    cluster_message m = base(type);
    m.request_id = "r";
    m.packet.data_json = R"(["e"])";
    m.data_json = R"(["e"])";
    m.sockets_json = "[]";
    m.rooms = {"a"};
    m.client_count = 3;
    const std::string payload = encode_cluster_message_msgpack(m);
    ASSERT_FALSE(payload.empty()) << type;
    EXPECT_NE(payload.front(), '{') << type;
    std::string error;
    const auto d = decode_cluster_message(payload, error);
    ASSERT_TRUE(d.has_value()) << type << ": " << error;
    EXPECT_EQ(d->type, type);
  }
  EXPECT_EQ(encode_cluster_message_msgpack(base(0)), "");
}

}  // namespace
}  // namespace chorus::protocol::cluster
