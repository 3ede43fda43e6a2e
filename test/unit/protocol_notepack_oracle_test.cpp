// chorus's msgpack bridge and Redis adapter codecs against the npm packages, case by case: the
// cases and the packages' answers are in test/data/notepack_oracle.json, which
// test/js/notepack-oracle.test.mjs makes and checks with notepack.io 3 and 2, socket.io-parser
// and @socket.io/redis-adapter 8.3 themselves.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <optional>
#include <string>
#include <vector>

#include "protocol/cluster/cluster_messages.hpp"
#include "protocol/cluster/redis_messages.hpp"
#include "protocol/msgpack/json_bridge.hpp"
#include "test/support/hex.hpp"

namespace chorus::protocol {
namespace {

using simdjson::dom::element;

using chorus::test::from_hex;
using chorus::test::to_hex;

element load_table() {
  static simdjson::dom::parser parser;
  static const element root =
      parser.load(CHORUS_SOURCE_DIR "/test/data/notepack_oracle.json").value();
  return root;
}

std::string string_of(element e, const char* key) {
  std::string_view value;
  return e[key].get_string().get(value) == simdjson::SUCCESS ? std::string(value) : std::string();
}

bool has(element e, const char* key) {
  return e[key].error() == simdjson::SUCCESS;
}

std::vector<std::string> hex_list(element e, const char* key) {
  std::vector<std::string> out;
  simdjson::dom::array array;
  if (e[key].get_array().get(array) != simdjson::SUCCESS) return out;
  for (const element entry : array) out.push_back(from_hex(entry.get_string().value()));
  return out;
}

std::vector<std::string> string_list(element e, const char* key) {
  std::vector<std::string> out;
  const simdjson::dom::array array = e[key].get_array().value();
  for (const element entry : array) out.emplace_back(entry.get_string().value());
  return out;
}

// ---- values

struct value_case {
  std::string name;
  std::string bytes;
  std::string json;
  std::vector<std::string> attachments;
  bool reverse = false;
  std::optional<std::string> error;
};

void PrintTo(const value_case& c, std::ostream* os) {
  *os << c.name;
}

std::vector<value_case> value_cases() {
  std::vector<value_case> cases;
  const simdjson::dom::array rows = load_table()["values"].get_array().value();
  for (const element row : rows) {
    value_case c;
    c.name = string_of(row, "name");
    c.bytes = from_hex(string_of(row, "hex"));
    if (has(row, "error")) {
      c.error = string_of(row, "error");
    } else {
      c.json = string_of(row, "json");
      c.attachments = hex_list(row, "attachments");
      c.reverse = row["reverse"].get_bool().value();
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

class notepack_oracle_value : public testing::TestWithParam<value_case> {};

TEST_P(notepack_oracle_value, bridges_as_node_does) {
  const value_case& c = GetParam();
  const char* p = c.bytes.data();
  const char* end = p + c.bytes.size();
  std::string json = "before";
  std::vector<std::string> attachments;
  const auto error = msgpack::append_json(&p, end, json, attachments);
  const char* skipped = c.bytes.data();
  const auto skip_error = msgpack::skip_value(&skipped, end);
  if (c.error) {
    ASSERT_TRUE(error.has_value()) << json;
    EXPECT_EQ(msgpack::to_string(*error), *c.error);
    EXPECT_EQ(json, "before");  // nothing written
    EXPECT_TRUE(attachments.empty());
    EXPECT_EQ(p, c.bytes.data());
    ASSERT_TRUE(skip_error.has_value());
    EXPECT_EQ(*skip_error, *error);
    return;
  }
  ASSERT_FALSE(error.has_value()) << msgpack::to_string(*error);
  EXPECT_EQ(p, end);
  EXPECT_EQ(json, "before" + c.json);
  EXPECT_EQ(attachments, c.attachments);
  EXPECT_FALSE(skip_error.has_value());
  EXPECT_EQ(skipped, end);

  // Back to msgpack: notepack 3's bytes where the table says so, and always a value that
  // bridges to the same JSON again.
  simdjson::dom::parser parser;
  element value;
  const simdjson::error_code parsed = parser.parse(c.json).get(value);
  if (parsed == simdjson::NUMBER_ERROR) {
    // JS writes integers up to 1e21 in full ("18446744073709552000"); simdjson 3.0.1 refuses
    // integer literals that do not fit 64 bits, so such JSON cannot come back this way.
    EXPECT_NE(c.json.find("000"), std::string::npos) << c.json;
    return;
  }
  ASSERT_EQ(parsed, simdjson::SUCCESS);
  std::string bytes;
  ASSERT_TRUE(msgpack::append_msgpack(value, c.attachments, bytes));
  if (c.reverse) {
    EXPECT_EQ(to_hex(bytes), to_hex(c.bytes));
  }
  const char* q = bytes.data();
  std::string again;
  std::vector<std::string> again_attachments;
  ASSERT_FALSE(msgpack::append_json(&q, bytes.data() + bytes.size(), again, again_attachments));
  EXPECT_EQ(again, c.json);
  EXPECT_EQ(again_attachments, c.attachments);
}

INSTANTIATE_TEST_SUITE_P(table, notepack_oracle_value, testing::ValuesIn(value_cases()));

// ---- messages

struct message_case {
  std::string name;
  std::string channel;
  std::string payload;
  bool is_text = false;
  std::string decoder;
  std::string encoder;
  element expect;
};

void PrintTo(const message_case& c, std::ostream* os) {
  *os << c.name;
}

std::vector<message_case> message_cases() {
  std::vector<message_case> cases;
  const simdjson::dom::array rows = load_table()["messages"].get_array().value();
  for (const element row : rows) {
    message_case c;
    c.name = string_of(row, "name");
    c.channel = string_of(row, "channel");
    c.is_text = has(row, "text");
    c.payload = c.is_text ? string_of(row, "text") : from_hex(string_of(row, "hex"));
    c.decoder = string_of(row, "decoder");
    c.encoder = string_of(row, "encoder");
    c.expect = row["expect"].value();
    cases.push_back(std::move(c));
  }
  return cases;
}

// Checks each field the table expects against what chorus read.
class expectations {
 public:
  explicit expectations(element expect) : expect_(expect) {}

  void string(const char* key, const std::string& actual) {
    if (has(expect_, key)) {
      EXPECT_EQ(actual, string_of(expect_, key)) << key;
    }
  }
  void strings(const char* key, const std::vector<std::string>& actual) {
    if (has(expect_, key)) {
      EXPECT_EQ(actual, string_list(expect_, key)) << key;
    }
  }
  void binaries(const char* key, const std::vector<std::string>& actual) {
    if (has(expect_, key)) {
      EXPECT_EQ(actual, hex_list(expect_, key)) << key;
    }
  }
  void boolean(const char* key, bool actual) {
    if (has(expect_, key)) {
      EXPECT_EQ(actual, expect_[key].get_bool().value()) << key;
    }
  }
  void number(const char* key, std::optional<std::uint64_t> actual) {
    if (!has(expect_, key)) return;
    if (expect_[key].is_null()) {
      EXPECT_FALSE(actual.has_value()) << key;
    } else {
      EXPECT_EQ(actual, expect_[key].get_uint64().value()) << key;
    }
  }
  void options(const cluster::broadcast_options& opts) {
    strings("rooms", opts.rooms);
    strings("except", opts.except);
    boolean("volatile", opts.is_volatile);
    boolean("compress", opts.compress);
    boolean("local", opts.local);
    number("timeout_ms", opts.timeout_ms);
  }
  void packet(const cluster::event_packet& packet) {
    string("packet_nsp", packet.nsp);
    string("packet_data_json", packet.data_json);
    binaries("packet_attachments", packet.attachments);
  }

 private:
  element expect_;
};

std::string reencode_request(const std::string& encoder, const cluster::redis_request& r) {
  using namespace cluster;
  if (encoder == "all_rooms_request") return encode_all_rooms_request(r.uid, r.request_id);
  if (encoder == "rooms_request") return encode_rooms_request(r.type, r.uid, r.opts, r.rooms);
  if (encoder == "disconnect_request") return encode_disconnect_request(r.uid, r.opts, r.close);
  if (encoder == "fetch_request") return encode_fetch_request(r.uid, r.request_id, r.opts);
  if (encoder == "server_side_emit") {
    return encode_server_side_emit(r.uid, r.data_json, r.request_id);
  }
  if (encoder == "broadcast_with_ack_request") {
    return encode_broadcast_with_ack_request(r.uid, r.request_id, r.packet, r.opts);
  }
  ADD_FAILURE() << "no request encoder " << encoder;
  return {};
}

std::string reencode_response(const std::string& encoder, const cluster::redis_response& r) {
  using namespace cluster;
  if (encoder == "all_rooms_response") return encode_all_rooms_response(r.request_id, r.rooms);
  if (encoder == "fetch_response") return encode_fetch_response(r.request_id, r.sockets_json);
  if (encoder == "server_side_emit_response") {
    return encode_server_side_emit_response(r.request_id, r.data_json);
  }
  if (encoder == "client_count_response") {
    return encode_client_count_response(r.request_id, r.client_count);
  }
  if (encoder == "broadcast_ack_response") {
    return encode_broadcast_ack_response(r.request_id, r.data_json, r.attachments);
  }
  ADD_FAILURE() << "no response encoder " << encoder;
  return {};
}

class notepack_oracle_message : public testing::TestWithParam<message_case> {};

TEST_P(notepack_oracle_message, decodes_and_encodes_as_node_does) {
  const message_case& c = GetParam();
  expectations expect(c.expect);
  std::string error;
  std::string reencoded;
  if (c.decoder == "redis_broadcast") {
    const auto b = cluster::decode_redis_broadcast(c.payload, error);
    ASSERT_TRUE(b.has_value()) << error;
    expect.string("uid", b->uid);
    expect.packet(b->packet);
    expect.options(b->opts);
    // The channel the Node adapter chose, from what chorus read.
    const std::string channel =
        b->opts.rooms.size() == 1
            ? cluster::room_channel("socket.io", b->packet.nsp, b->opts.rooms.front())
            : cluster::broadcast_channel("socket.io", b->packet.nsp);
    EXPECT_EQ(channel, c.channel);
    EXPECT_EQ(cluster::broadcast_channel_room(c.channel, "socket.io", b->packet.nsp),
              b->opts.rooms.size() == 1 ? std::optional<std::string_view>(b->opts.rooms.front())
                                        : std::optional<std::string_view>(""));
    if (!c.encoder.empty()) reencoded = cluster::encode_redis_broadcast(b->uid, b->packet, b->opts);
  } else if (c.decoder == "redis_request") {
    const auto r = cluster::decode_redis_request(c.payload, error);
    ASSERT_TRUE(r.has_value()) << error;
    if (has(c.expect, "type")) {
      EXPECT_EQ(static_cast<std::uint64_t>(r->type), c.expect["type"].get_uint64().value());
    }
    expect.string("uid", r->uid);
    expect.string("request_id", r->request_id);
    expect.boolean("legacy", r->legacy);
    expect.options(r->opts);
    expect.strings("request_rooms", r->rooms);
    expect.boolean("close", r->close);
    expect.string("data_json", r->data_json);
    expect.packet(r->packet);
    expect.string("sid", r->sid);
    expect.string("room", r->room);
    EXPECT_EQ(c.channel, cluster::request_channel("socket.io", "/"));
    if (!c.encoder.empty()) reencoded = reencode_request(c.encoder, *r);
  } else if (c.decoder == "redis_response") {
    const auto r = cluster::decode_redis_response(c.payload, error);
    ASSERT_TRUE(r.has_value()) << error;
    if (has(c.expect, "type")) {
      if (c.expect["type"].is_null()) {
        EXPECT_FALSE(r->type.has_value());
      } else {
        ASSERT_TRUE(r->type.has_value());
        EXPECT_EQ(static_cast<std::uint64_t>(*r->type), c.expect["type"].get_uint64().value());
      }
    }
    expect.string("request_id", r->request_id);
    expect.strings("rooms", r->rooms);
    expect.strings("socket_ids", r->socket_ids);
    expect.string("sockets_json", r->sockets_json);
    expect.string("data_json", r->data_json);
    expect.binaries("attachments", r->attachments);
    expect.number("client_count", r->client_count);
    EXPECT_EQ(c.channel, cluster::response_channel("socket.io", "/"));
    if (!c.encoder.empty()) reencoded = reencode_response(c.encoder, *r);
  } else if (c.decoder == "cluster_message") {
    const auto m = cluster::decode_cluster_message(c.payload, error);
    ASSERT_TRUE(m.has_value()) << error;
    expect.string("uid", m->uid);
    expect.string("nsp", m->nsp);
    EXPECT_EQ(m->type, static_cast<int>(c.expect["type"].get_int64().value()));
    expect.options(m->opts);
    expect.string("request_id", m->request_id);
    expect.strings("request_rooms", m->rooms);
    expect.boolean("close", m->close);
    expect.packet(m->packet);
    expect.string("sockets_json", m->sockets_json);
    expect.string("data_json", m->data_json);
    expect.binaries("attachments", m->attachments);
    expect.number("client_count", m->client_count);
    const bool response = m->type == cluster::cluster_type::fetch_sockets_response ||
                          m->type >= cluster::cluster_type::server_side_emit_response;
    if (!response || m->type == cluster::cluster_type::adapter_close) {
      EXPECT_EQ(
          cluster::sharded_publish_channel(*m, "socket.io", cluster::subscription_mode::dynamic),
          c.channel);
    }
    reencoded = cluster::encode_cluster_message(*m);
  } else {
    FAIL() << "unknown decoder " << c.decoder;
  }
  if (c.encoder.empty()) return;
  if (c.is_text) {
    EXPECT_EQ(reencoded, c.payload);
  } else {
    EXPECT_EQ(to_hex(reencoded), to_hex(c.payload));
  }
}

INSTANTIATE_TEST_SUITE_P(table, notepack_oracle_message, testing::ValuesIn(message_cases()));

}  // namespace
}  // namespace chorus::protocol
