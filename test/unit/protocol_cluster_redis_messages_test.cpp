// The classic Redis adapter's messages: round trips, every shape the Node adapter accepts, every
// refusal with its exact error. Byte-for-byte agreement with the Node adapter itself is in
// protocol_notepack_oracle_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/cluster/redis_messages.hpp"
#include "protocol/msgpack/writer.hpp"
#include "test/support/msgpack_bytes.hpp"

namespace chorus::protocol::cluster {
namespace {

using namespace std::string_literals;

// msgpack pieces to build payloads from.
using chorus::test::nil;
using chorus::test::str;
using chorus::test::uint;
using chorus::test::undefined;
std::string arr(std::uint32_t n) {
  return chorus::test::array_header(n);
}
std::string map(std::uint32_t n) {
  return chorus::test::map_header(n);
}
const std::string yes = "\xc3"s;
const std::string no = "\xc2"s;

std::string packet(std::string data = arr(1) + str("ev")) {
  return map(3) + str("type") + uint(2) + str("data") + data + str("nsp") + str("/");
}
std::string opts(std::string rooms = arr(0), std::string flags = map(0)) {
  return map(3) + str("rooms") + rooms + str("except") + arr(0) + str("flags") + flags;
}
std::string broadcast(std::string p = packet(), std::string o = opts()) {
  return arr(3) + str("nodeA1") + p + o;
}

std::optional<redis_broadcast> decode(const std::string& payload) {
  std::string error;
  auto b = decode_redis_broadcast(payload, error);
  EXPECT_TRUE(b.has_value()) << error;
  return b;
}

std::string broadcast_error(const std::string& payload) {
  std::string error;
  EXPECT_FALSE(decode_redis_broadcast(payload, error).has_value());
  return error;
}

TEST(RedisBroadcast, RoundTrip) {
  event_packet p;
  p.nsp = "/chat";
  p.data_json = R"(["chat",{"text":"hi","n":1.5},{"_placeholder":true,"num":0},null])";
  p.attachments = {"\x01\x02"s};
  broadcast_options o;
  o.rooms = {"room1"};
  o.except = {"AAAAAAAAAAAAAAAAAAAA", "b"};
  o.is_volatile = true;
  o.compress = true;
  o.timeout_ms = 5000;
  const std::string bytes = encode_redis_broadcast("nodeA1", p, o);
  ASSERT_FALSE(bytes.empty());
  const auto b = decode(bytes);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->uid, "nodeA1");
  EXPECT_EQ(b->packet.nsp, "/chat");
  EXPECT_EQ(b->packet.data_json, p.data_json);
  EXPECT_EQ(b->packet.attachments, p.attachments);
  EXPECT_EQ(b->opts.rooms, o.rooms);
  EXPECT_EQ(b->opts.except, o.except);
  EXPECT_TRUE(b->opts.is_volatile);
  EXPECT_TRUE(b->opts.compress);
  EXPECT_FALSE(b->opts.local);
  EXPECT_EQ(b->opts.timeout_ms, 5000u);
}

TEST(RedisBroadcast, EncodeRefusesDataItCannotWrite) {
  event_packet p;
  p.data_json = "[\"ev\",";
  EXPECT_EQ(encode_redis_broadcast("u", p, {}), "");
  p.data_json = R"(["ev",{"_placeholder":true,"num":0}])";
  EXPECT_EQ(encode_redis_broadcast("u", p, {}), "");
}

TEST(RedisBroadcast, ShapesNodeAccepts) {
  // packet type 5, no nsp, unknown keys anywhere, extra elements after opts
  const std::string loose = arr(5) + str("emitter") + map(3) + str("id") + uint(7) + str("data") +
                            arr(1) + str("ev") + str("type") + uint(5) + map(4) + str("flags") +
                            map(2) + str("broadcast") + yes + str("x") + arr(1) + nil +
                            str("rooms") + arr(3) + uint(42) + "\xff"s +
                            "\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00"s + str("other") + map(0) +
                            str("except") + nil + nil + map(0);
  auto b = decode(loose);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->uid, "emitter");
  EXPECT_EQ(b->packet.nsp, "/");
  EXPECT_EQ(b->packet.data_json, R"(["ev"])");
  EXPECT_EQ(b->opts.rooms, (std::vector<std::string>{"42", "-1", "1.5"}));
  EXPECT_TRUE(b->opts.except.empty());
  EXPECT_FALSE(b->opts.is_volatile);
  // a key that is not a string names no field (JS would make [] the key "")
  b = decode(broadcast(packet(), map(2) + arr(0) + nil + str("rooms") + arr(1) + str("r")));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->opts.rooms, std::vector<std::string>{"r"});

  // notepack 2's undefined is as if absent; a repeated key keeps its last value; keys that are
  // not strings name nothing
  const std::string repeated =
      arr(3) + str("u") + map(5) + str("type") + uint(2) + str("data") + arr(1) + str("first") +
      str("data") + arr(1) + str("second") + str("nsp") + undefined + uint(1) + str("ignored") +
      opts(undefined, map(2) + str("timeout") + uint(10) + str("timeout") + undefined);
  b = decode(repeated);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->packet.data_json, R"(["second"])");
  EXPECT_EQ(b->packet.nsp, "/");
  EXPECT_TRUE(b->opts.rooms.empty());
  EXPECT_FALSE(b->opts.timeout_ms.has_value());
}

TEST(RedisBroadcast, FlagsByJavaScriptTruthiness) {
  const auto flags = [](std::string value) {
    const auto b = decode(broadcast(packet(), opts(arr(0), map(1) + str("volatile") + value)));
    return b && b->opts.is_volatile;
  };
  EXPECT_TRUE(flags(yes));
  EXPECT_TRUE(flags(uint(1)));
  EXPECT_TRUE(flags(str("x")));
  EXPECT_TRUE(flags(map(0)));
  EXPECT_FALSE(flags(no));
  EXPECT_FALSE(flags(uint(0)));
  EXPECT_FALSE(flags(str("")));
  EXPECT_FALSE(flags(nil));
  EXPECT_FALSE(flags(undefined));
  EXPECT_FALSE(flags("\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00"s));  // NaN

  const auto timeout = [](std::string value) {
    const auto b = decode(broadcast(packet(), opts(arr(0), map(1) + str("timeout") + value)));
    return b ? b->opts.timeout_ms : std::nullopt;
  };
  EXPECT_EQ(timeout(uint(250)), 250u);
  EXPECT_EQ(timeout("\xcb\x40\x5e\xa0\x00\x00\x00\x00\x00"s), 122u);  // 122.5
  EXPECT_EQ(timeout("\xff"s), 0u);                                    // -1
  EXPECT_EQ(timeout(nil), std::nullopt);
}

TEST(RedisBroadcast, RoomLimit) {
  std::string rooms = arr(max_rooms);
  for (std::size_t i = 0; i < max_rooms; ++i) rooms += str("r");
  const auto b = decode(broadcast(packet(), opts(rooms)));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->opts.rooms.size(), max_rooms);
  rooms = arr(max_rooms + 1);
  for (std::size_t i = 0; i <= max_rooms; ++i) rooms += str("r");
  EXPECT_EQ(broadcast_error(broadcast(packet(), opts(rooms))),
            "opts.rooms: more than 10000 entries");
}

TEST(RedisBroadcast, Refusals) {
  const std::string deep = std::string(33, '\x91') + nil;
  struct refusal {
    std::string payload;
    std::string error;
  };
  const refusal cases[] = {
      {"", "truncated msgpack"},
      {broadcast().substr(0, 20), "truncated msgpack"},
      {broadcast() + nil, "trailing bytes after the msgpack value"},
      {map(0), "broadcast is not an array"},
      {arr(2) + str("u") + packet(), "broadcast is not [uid, packet, opts]"},
      {arr(3) + uint(1) + packet() + opts(), "uid is not a string"},
      {arr(3) + str("u") + nil + opts(), "packet is not a map"},
      {broadcast(map(1) + str("data") + arr(0)), "packet type is not 2 or 5"},
      {broadcast(map(2) + str("type") + uint(3) + str("data") + arr(0)),
       "packet type is not 2 or 5"},
      {broadcast(map(2) + str("type") + str("2") + str("data") + arr(0)),
       "packet type is not 2 or 5"},
      {broadcast(map(1) + str("type") + uint(2)), "packet data is not an array"},
      {broadcast(map(2) + str("type") + uint(2) + str("data") + map(0)),
       "packet data is not an array"},
      {broadcast(packet(arr(1) + "\xd5\x05\x00\x00"s)), "unknown ext type"},
      {broadcast(packet(arr(1) + deep)), "msgpack nested too deep"},
      {broadcast(map(3) + str("type") + uint(2) + str("data") + arr(0) + str("nsp") + nil),
       "packet nsp is not a string"},
      {broadcast(packet(), nil), "opts is not a map"},
      {broadcast(packet(), opts(map(0))), "opts.rooms is not an array"},
      {broadcast(packet(), opts(arr(1) + yes)), "opts.rooms: an entry is not a string or number"},
      {broadcast(packet(), opts(arr(0), arr(0))), "opts.flags is not a map"},
      {broadcast(packet(), opts(arr(0), map(1) + str("timeout") + str("1000"))),
       "opts.flags.timeout is not a number"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(broadcast_error(c.payload), c.error);
  }
  // Whatever the cut, a truncated broadcast is refused, never read past its end.
  const std::string whole = encode_redis_broadcast("nodeA1", event_packet{"/", "[\"e\",1]", {}},
                                                   broadcast_options{{"a"}, {"b"}, true});
  for (std::size_t n = 0; n < whole.size(); ++n) {
    std::string error;
    EXPECT_FALSE(decode_redis_broadcast(whole.substr(0, n), error).has_value()) << n;
  }
}

std::optional<redis_request> request(std::string_view payload) {
  std::string error;
  auto r = decode_redis_request(payload, error);
  EXPECT_TRUE(r.has_value()) << error << ": " << payload;
  return r;
}

std::string request_error(std::string_view payload) {
  std::string error;
  EXPECT_FALSE(decode_redis_request(payload, error).has_value()) << payload;
  return error;
}

TEST(RedisRequest, RoundTrips) {
  broadcast_options o;
  o.rooms = {"r1"};
  o.except = {"r2"};
  auto r = request(encode_all_rooms_request("nodeA1", "req001"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, request_type::all_rooms);
  EXPECT_EQ(r->uid, "nodeA1");
  EXPECT_EQ(r->request_id, "req001");

  r = request(encode_rooms_request(request_type::remote_leave, "nodeA1", o, {"a", "b"}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, request_type::remote_leave);
  EXPECT_FALSE(r->legacy);
  EXPECT_EQ(r->opts.rooms, o.rooms);
  EXPECT_EQ(r->opts.except, o.except);
  EXPECT_EQ(r->rooms, (std::vector<std::string>{"a", "b"}));

  r = request(encode_disconnect_request("nodeA1", o, true));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, request_type::remote_disconnect);
  EXPECT_TRUE(r->close);
  EXPECT_EQ(r->opts.rooms, o.rooms);

  r = request(encode_fetch_request("nodeA1", "req005", o));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, request_type::remote_fetch);
  EXPECT_EQ(r->request_id, "req005");
  EXPECT_EQ(r->opts.except, o.except);

  r = request(encode_server_side_emit("nodeA1", R"(["ping",1,{"a":[2]}])", ""));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, request_type::server_side_emit);
  EXPECT_EQ(r->request_id, "");
  EXPECT_EQ(r->data_json, R"(["ping",1,{"a":[2]}])");
  r = request(encode_server_side_emit("nodeA1", R"(["ask"])", "req006"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->request_id, "req006");

  o.timeout_ms = 100;
  const event_packet p{"/", R"(["ask",{"_placeholder":true,"num":0}])", {"\xff"s}};
  const std::string bytes = encode_broadcast_with_ack_request("nodeA1", "req007", p, o);
  ASSERT_NE(bytes.front(), '{');
  r = request(bytes);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, request_type::broadcast);
  EXPECT_EQ(r->request_id, "req007");
  EXPECT_EQ(r->packet.data_json, p.data_json);
  EXPECT_EQ(r->packet.attachments, p.attachments);
  EXPECT_EQ(r->opts.timeout_ms, 100u);
  EXPECT_EQ(encode_broadcast_with_ack_request("u", "r", event_packet{"/", "[", {}}, o), "");
}

TEST(RedisRequest, LegacyAndEmitterForms) {
  auto r = request(R"({"requestId":"q","type":2,"sid":"AAAAAAAAAAAAAAAAAAAA","room":7})");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->legacy);
  EXPECT_EQ(r->sid, "AAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(r->room, "7");
  r = request(R"({"requestId":"q","type":4,"sid":"s","close":1,"opts":null})");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->legacy);
  EXPECT_TRUE(r->close);
  r = request(R"({"type":2,"opts":{"rooms":["r1"],"except":[]},"rooms":["r2"]})");
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->legacy);
  EXPECT_EQ(r->uid, "");
  r = request(R"({"requestId":"q","type":0,"rooms":["a",1]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, request_type::sockets);
  EXPECT_EQ(r->rooms, (std::vector<std::string>{"a", "1"}));
  // JSON.stringify writes lone surrogates as escapes: read as U+FFFD
  r = request(R"({"uid":"\ud800","requestId":"q","type":1.0})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->uid, "\xEF\xBF\xBD");
  // numbers in data as JS writes them again
  r = request(R"({"type":6,"data":["e", 1.0, 2E3, {"b":1,"0":2}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->data_json, R"(["e",1,2000,{"0":2,"b":1}])");
}

TEST(RedisRequest, Refusals) {
  const std::string binary_emit =
      map(2) + str("type") + uint(6) + str("data") + arr(2) + str("e") + "\xc4\x01\x00"s;
  std::string many_rooms = R"({"type":2,"opts":{},"rooms":[)";
  for (std::size_t i = 0; i <= max_rooms; ++i) many_rooms += i ? ",1" : "1";
  many_rooms += "]}";
  struct refusal {
    std::string payload;
    std::string error;
  };
  const refusal cases[] = {
      {"", "truncated msgpack"},
      {"{", "invalid JSON"},
      {"[1]", "trailing bytes after the msgpack value"},  // '[' is not '{': msgpack 0x5b
      {"5", "the message is not an object"},
      {"\x93\x01\x02\x03"s, "the message is not an object"},
      {R"({"uid":"u"})", "missing type"},
      {R"({"type":"1"})", "unknown request type"},
      {R"({"type":10})", "unknown request type"},
      {R"({"type":1.5})", "unknown request type"},
      {R"({"type":8,"requestId":"q"})", "a response type, not a request"},
      {R"({"type":9,"requestId":"q"})", "a response type, not a request"},
      {R"({"type":1})", "missing requestId"},
      {R"({"type":1,"requestId":5})", "requestId is not a string"},
      {R"({"type":1,"requestId":"q","uid":[]})", "uid is not a string"},
      {R"({"type":0,"requestId":"q","rooms":"abc"})", "rooms is not an array"},
      {R"({"type":2,"opts":{"rooms":[],"except":[]}})", "missing rooms"},
      {R"({"type":2,"opts":{"rooms":{}},"rooms":[]})", "opts.rooms is not an array"},
      {R"({"type":2,"opts":{"except":[null]},"rooms":[]})",
       "opts.except: an entry is not a string or number"},
      {R"({"type":2,"opts":{"flags":[]},"rooms":[]})", "opts.flags is not an object"},
      {R"({"type":2,"opts":1,"rooms":[]})", "opts is not an object"},
      {R"({"type":3,"requestId":"q","room":"r"})", "missing sid"},
      {R"({"type":3,"requestId":"q","sid":"s","room":true})", "room is not a string or number"},
      {R"({"type":3,"sid":"s","room":"r"})", "missing requestId"},
      {R"({"type":5,"requestId":"q"})", "missing opts"},
      {R"({"type":6,"data":{}})", "data is not an array"},
      {R"({"type":6,"requestId":null,"data":[]})", "requestId is not a string"},
      {R"({"type":7,"requestId":"q","opts":{}})", "missing packet"},
      {R"({"type":7,"requestId":"q","packet":{"type":3,"data":[]},"opts":{}})",
       "packet type is not 2 or 5"},
      {R"({"type":7,"requestId":"q","packet":{"type":2,"data":[]}})", "missing opts"},
      {R"({"type":7,"requestId":"q","packet":[],"opts":{}})", "packet is not an object"},
      {binary_emit, "binary data in a server-side emit"},
      {many_rooms, "rooms: more than 10000 entries"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(request_error(c.payload), c.error) << c.payload;
  }
}

std::optional<redis_response> response(std::string_view payload) {
  std::string error;
  auto r = decode_redis_response(payload, error);
  EXPECT_TRUE(r.has_value()) << error << ": " << payload;
  return r;
}

TEST(RedisResponse, RoundTrips) {
  auto r = response(encode_all_rooms_response("q1", {"AAAAAAAAAAAAAAAAAAAA", "room1"}));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->type.has_value());
  EXPECT_EQ(r->request_id, "q1");
  EXPECT_EQ(r->rooms, (std::vector<std::string>{"AAAAAAAAAAAAAAAAAAAA", "room1"}));

  const std::string sockets = R"([{"id":"s","handshake":{"query":{}},"rooms":["s"],"data":{}}])";
  r = response(encode_fetch_response("q5", sockets));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sockets_json, sockets);
  EXPECT_TRUE(r->socket_ids.empty());
  // a msgpack fetch answer (Node sends JSON) keeps its binaries
  std::string packed =
      "\x82\xa9requestId\xa1q\xa7sockets\x91\x81\xa1"
      "b\xc4\x01\x07"s;
  r = response(packed);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sockets_json, R"([{"b":{"_placeholder":true,"num":0}}])");
  EXPECT_EQ(r->attachments, std::vector<std::string>{"\x07"s});
  r = response(encode_fetch_response("q0", R"(["a","b"])"));  // the legacy SOCKETS answer
  ASSERT_TRUE(r);
  EXPECT_EQ(r->socket_ids, (std::vector<std::string>{"a", "b"}));

  r = response(encode_server_side_emit_response("q6", R"({"pong":1})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, request_type::server_side_emit);
  EXPECT_EQ(r->data_json, R"({"pong":1})");
  r = response(encode_server_side_emit_response("q6", ""));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->data_json, "");

  r = response(encode_client_count_response("q7", 12));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, request_type::broadcast_client_count);
  EXPECT_EQ(r->client_count, 12u);

  const std::string ack =
      encode_broadcast_ack_response("q7", R"([1,{"_placeholder":true,"num":0}])", {"\x01"s});
  ASSERT_NE(ack.front(), '{');
  r = response(ack);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->type, request_type::broadcast_ack);
  EXPECT_EQ(r->data_json, R"([1,{"_placeholder":true,"num":0}])");
  EXPECT_EQ(r->attachments, std::vector<std::string>{"\x01"s});
  r = response(encode_broadcast_ack_response("q7", "", {}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->data_json, "");
  EXPECT_EQ(encode_broadcast_ack_response("q7", "[", {}), "");
  EXPECT_EQ(encode_broadcast_ack_response("q7", R"({"_placeholder":true,"num":0})", {}), "");
}

TEST(RedisResponse, Refusals) {
  const std::string bad_placeholder = map(3) + str("type") + uint(9) + str("requestId") + str("q") +
                                      str("packet") + map(2) + str("_placeholder") + yes +
                                      str("num") + uint(3);
  struct refusal {
    std::string payload;
    std::string error;
  };
  const refusal cases[] = {
      {R"({"rooms":[]})", "missing requestId"},
      {R"({"type":12,"requestId":"q"})", "unknown request type"},
      {R"({"type":8,"requestId":"q"})", "clientCount is not an integer"},
      {R"({"type":8,"requestId":"q","clientCount":-1})", "clientCount is not an integer"},
      {R"({"type":8,"requestId":"q","clientCount":1.5})", "clientCount is not an integer"},
      {R"({"requestId":"q","sockets":{}})", "sockets is not an array"},
      {R"({"requestId":"q","rooms":[{}]})", "rooms: an entry is not a string or number"},
      {bad_placeholder, "packet: bad placeholder or nested too deep"},
  };
  for (const auto& c : cases) {
    std::string error;
    EXPECT_FALSE(decode_redis_response(c.payload, error).has_value()) << c.payload;
    EXPECT_EQ(error, c.error) << c.payload;
  }
}

TEST(RedisChannels, Names) {
  EXPECT_EQ(broadcast_channel("socket.io", "/"), "socket.io#/#");
  EXPECT_EQ(room_channel("socket.io", "/chat", "room1"), "socket.io#/chat#room1#");
  EXPECT_EQ(request_channel("socket.io", "/"), "socket.io-request#/#");
  EXPECT_EQ(response_channel("k", "/a"), "k-response#/a#");
  EXPECT_EQ(specific_response_channel("socket.io", "/", "nodeA1"), "socket.io-response#/#nodeA1#");
  EXPECT_EQ(broadcast_channel_room("socket.io#/#", "socket.io", "/"), "");
  EXPECT_EQ(broadcast_channel_room("socket.io#/#room1#", "socket.io", "/"), "room1");
  EXPECT_EQ(broadcast_channel_room("socket.io#/#a#b#", "socket.io", "/"), "a#b");
  EXPECT_EQ(broadcast_channel_room("socket.io#/chat#", "socket.io", "/"), std::nullopt);
  EXPECT_EQ(broadcast_channel_room("other#/#", "socket.io", "/"), std::nullopt);
}

}  // namespace
}  // namespace chorus::protocol::cluster
