// The socket.io-msgpack-parser codec (protocol/socketio/msgpack_codec.hpp): byte vectors of the
// reference encoder, round trips, and every kind of bad input.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "protocol/msgpack/writer.hpp"
#include "protocol/socketio/msgpack_codec.hpp"
#include "test/support/hex.hpp"
#include "test/support/msgpack_bytes.hpp"

namespace chorus::protocol::socketio {
namespace {

using namespace std::string_literals;
using chorus::test::from_hex;
using chorus::test::to_hex;

// Written by socket.io-msgpack-parser 3.0.2 (notepack.io 2.2.0) for the packet objects as
// socket.io 4.8.3 builds them (server and client lib/socket.ts); printed, and checked to be
// accepted by the reference Decoder, by
//   npm install --prefix /tmp/msgpack-ref socket.io-msgpack-parser@3.0.2
//   NODE_PATH=/tmp/msgpack-ref/node_modules node test/js/reference/msgpack-parser-vectors.cjs
// { type: 2, data: ["hello", "you"], nsp: "/" }  (Socket#emit, BroadcastOperator#emit)
constexpr std::string_view server_event =
    "83a47479706502a46461746192a568656c6c6fa3796f75a36e7370a12f";
// { type: 2, data: ["ask", 1, { a: [true, null] }], id: 7, nsp: "/chat" }
constexpr std::string_view server_event_id =
    "84a47479706502a46461746193a361736b0181a16192c3c0a2696407a36e7370a52f63686174";
// { type: 2, data: ["file", Buffer.from([1, 2, 3]), { b: Buffer.from([]) }], nsp: "/" }
constexpr std::string_view server_event_binary =
    "83a47479706502a46461746193a466696c65c40301020381a162c400a36e7370a12f";
// { id: 42, type: 3, data: ["ok", -1.5], nsp: "/" }  (Socket#ack)
constexpr std::string_view server_ack =
    "84a269642aa47479706503a46461746192a26f6bcbbff8000000000000a36e7370a12f";
// { type: 0, data: { sid: "abc", pid: undefined }, nsp: "/" }  (Socket#_onconnect)
constexpr std::string_view server_connect =
    "83a47479706500a46461746182a3736964a3616263a3706964d40000a36e7370a12f";
// { type: 0, data: { sid: "abc", pid: "xyz" }, nsp: "/admin" }
constexpr std::string_view server_connect_pid =
    "83a47479706500a46461746182a3736964a3616263a3706964a378797aa36e7370a62f61646d696e";
// { type: 4, data: { message: "not authorized" }, nsp: "/" }  (Socket#_error)
constexpr std::string_view server_connect_error =
    "83a47479706504a46461746181a76d657373616765ae6e6f7420617574686f72697a6564a36e7370a12f";
// { type: 1, nsp: "/" }  (Socket#disconnect)
constexpr std::string_view server_disconnect = "82a47479706501a36e7370a12f";
// { type: 0, data: undefined, nsp: "/" }  (client _sendConnectPacket without auth)
constexpr std::string_view client_connect = "83a47479706500a464617461d40000a36e7370a12f";
// { type: 0, data: { token: "t" }, nsp: "/" }
constexpr std::string_view client_connect_auth =
    "83a47479706500a46461746181a5746f6b656ea174a36e7370a12f";
// { type: 2, data: ["msg", "héllo", 3.25, 300, -40, 70000, 5000000000],
//   options: { compress: true }, id: 3, nsp: "/" }  (client Socket#emit)
constexpr std::string_view client_event =
    "85a47479706502a46461746197a36d7367a668c3a96c6c6fcb400a000000000000cd012cd0d8ce00011170cf00"
    "0000012a05f200a76f7074696f6e7381a8636f6d7072657373c3a2696403a36e7370a12f";
// { type: 3, id: 3, data: [], nsp: "/" }  (client Socket#ack)
constexpr std::string_view client_ack = "84a47479706503a2696403a46461746190a36e7370a12f";

simdjson::dom::parser& json_parser() {
  static simdjson::dom::parser parser;
  return parser;
}

struct decoded {
  parse_error error = parse_error::ok;
  msgpack_packet packet;
};

decoded decode(std::string_view bytes, const limits& lim = {}) {
  decoded d;
  parsed_payload parsed;
  d.error = decode_msgpack(bytes, lim, json_parser(), d.packet, parsed);
  return d;
}

decoded decode_hex(std::string_view hex) {
  return decode(from_hex(hex));
}

// ---- msgpack pieces for hand-built packets

using chorus::test::nil;
using chorus::test::str;
using chorus::test::uint;
using chorus::test::undefined;

const std::string empty_map = "\x80"s;
const std::string empty_array = "\x90"s;

std::string array(std::initializer_list<std::string> elements) {
  std::string out = chorus::test::array_header(static_cast<std::uint32_t>(elements.size()));
  for (const auto& e : elements) out += e;
  return out;
}

// A map of the given keys (str) and raw msgpack values, in this order.
std::string map(std::initializer_list<std::pair<std::string_view, std::string>> fields) {
  std::string out = chorus::test::map_header(static_cast<std::uint32_t>(fields.size()));
  for (const auto& [key, value] : fields) out += str(key) + value;
  return out;
}

std::string event(std::string data) {
  return map({{"type", uint(2)}, {"nsp", str("/")}, {"data", std::move(data)}});
}

std::string float64(double value) {
  std::string out;
  msgpack::put(out, 9, [&](char* p) { return mp_encode_double(p, value); });
  return out;
}

// ---- the reference encoder's bytes

TEST(MsgpackEncode, EventIsTheReferenceBytes) {
  std::string out;
  ASSERT_TRUE(append_msgpack_event(out, json_parser(), "/", "hello", R"("you")", {}));
  EXPECT_EQ(to_hex(out), server_event);
  out.clear();
  ASSERT_TRUE(append_msgpack_packet(out, json_parser(), packet_type::event, "/", {},
                                    R"(["hello","you"])", {}));
  EXPECT_EQ(to_hex(out), server_event);
}

TEST(MsgpackEncode, EventWithAckIdIsTheReferenceBytes) {
  std::string out;
  ASSERT_TRUE(
      append_msgpack_event(out, json_parser(), "/chat", "ask", R"(1, {"a":[true,null]})", {}, 7));
  EXPECT_EQ(to_hex(out), server_event_id);
  out.clear();
  ASSERT_TRUE(append_msgpack_packet(out, json_parser(), packet_type::event, "/chat", 7,
                                    R"(["ask",1,{"a":[true,null]}])", {}));
  EXPECT_EQ(to_hex(out), server_event_id);
}

TEST(MsgpackEncode, BinaryIsInlineBin) {
  const std::vector<std::string> attachments = {"\x01\x02\x03"s, ""};
  const std::string args = R"({"_placeholder":true,"num":0},{"b":{"_placeholder":true,"num":1}})";
  std::string out;
  ASSERT_TRUE(append_msgpack_event(out, json_parser(), "/", "file", args, attachments));
  EXPECT_EQ(to_hex(out), server_event_binary);
  out.clear();
  // BINARY_EVENT is written as EVENT: the msgpack parser has no binary types.
  ASSERT_TRUE(append_msgpack_packet(out, json_parser(), packet_type::binary_event, "/", {},
                                    R"(["file",)" + args + "]", attachments));
  EXPECT_EQ(to_hex(out), server_event_binary);
}

TEST(MsgpackEncode, AckPutsTheIdFirst) {
  std::string out;
  ASSERT_TRUE(
      append_msgpack_packet(out, json_parser(), packet_type::ack, "/", 42, R"(["ok",-1.5])", {}));
  EXPECT_EQ(to_hex(out), server_ack);
}

TEST(MsgpackEncode, ConnectWritesAnUndefinedPidWithoutRecovery) {
  std::string out;
  append_msgpack_connect(out, "/", "abc");
  EXPECT_EQ(to_hex(out), server_connect);
  out.clear();
  append_msgpack_connect(out, "/admin", "abc", "xyz");
  EXPECT_EQ(to_hex(out), server_connect_pid);
}

TEST(MsgpackEncode, ConnectErrorAndDisconnect) {
  std::string out;
  append_msgpack_connect_error(out, "/", "not authorized");
  EXPECT_EQ(to_hex(out), server_connect_error);
  out.clear();
  append_msgpack_disconnect(out, "/");
  EXPECT_EQ(to_hex(out), server_disconnect);
  out.clear();
  ASSERT_TRUE(
      append_msgpack_packet(out, json_parser(), packet_type::disconnect, "/", 9, std::nullopt, {}));
  EXPECT_EQ(to_hex(out), server_disconnect);  // an id only on EVENT and ACK
}

TEST(MsgpackEncode, AppendsAndLeavesOutAsItWasOnFailure) {
  std::string out = "kept";
  EXPECT_FALSE(append_msgpack_packet(out, json_parser(), packet_type::event, "/", {}, "[1,", {}));
  EXPECT_FALSE(append_msgpack_packet(out, json_parser(), packet_type::event, "/", {},
                                     R"(["a",{"_placeholder":true,"num":1}])", {"x"}));
  EXPECT_FALSE(append_msgpack_event(out, json_parser(), "/", "a", "1],[2", {}));
  EXPECT_FALSE(
      append_msgpack_event(out, json_parser(), "/", "a", R"({"_placeholder":true,"num":0})", {}));
  EXPECT_EQ(out, "kept");
  ASSERT_TRUE(append_msgpack_event(out, json_parser(), "/", "hello", R"("you")", {}));
  EXPECT_EQ(out, "kept" + from_hex(server_event));
}

TEST(MsgpackEncode, DepthLimitCountsTheDataArrayAsLevelOne) {
  const std::string args = "[[1]]";  // the data array, then two levels
  std::string out;
  EXPECT_FALSE(append_msgpack_event(out, json_parser(), "/", "e", args, {}, {}, 2));
  EXPECT_FALSE(append_msgpack_packet(out, json_parser(), packet_type::event, "/", {},
                                     R"(["e",[[1]]])", {}, 2));
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(append_msgpack_event(out, json_parser(), "/", "e", args, {}, {}, 3));
  std::string generic;
  ASSERT_TRUE(append_msgpack_packet(generic, json_parser(), packet_type::event, "/", {},
                                    R"(["e",[[1]]])", {}, 3));
  EXPECT_EQ(to_hex(out), to_hex(generic));
}

// ---- decoding the reference's bytes

TEST(MsgpackDecode, ServerEvent) {
  const decoded d = decode_hex(server_event);
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_EQ(d.packet.type, packet_type::event);
  EXPECT_EQ(d.packet.nsp, "/");
  EXPECT_FALSE(d.packet.ack_id);
  EXPECT_TRUE(d.packet.has_data);
  EXPECT_EQ(d.packet.data, R"(["hello","you"])");
  EXPECT_TRUE(d.packet.attachments.empty());
}

TEST(MsgpackDecode, ClientEventIgnoresTheOptionsKey) {
  const decoded d = decode_hex(client_event);
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_EQ(d.packet.type, packet_type::event);
  EXPECT_EQ(d.packet.ack_id, 3u);
  EXPECT_EQ(d.packet.data, R"(["msg","héllo",3.25,300,-40,70000,5000000000])");
}

TEST(MsgpackDecode, BinaryBecomesPlaceholdersAndABinaryHeader) {
  const decoded d = decode_hex(server_event_binary);
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_EQ(d.packet.data,
            R"(["file",{"_placeholder":true,"num":0},{"b":{"_placeholder":true,"num":1}}])");
  EXPECT_EQ(d.packet.attachments, (std::vector<std::string>{"\x01\x02\x03"s, ""}));
  const header h = as_header(d.packet);
  EXPECT_EQ(h.type, packet_type::binary_event);
  EXPECT_EQ(h.attachments, 2u);
  EXPECT_EQ(h.payload, d.packet.data);
  EXPECT_EQ(h.nsp, "/");
}

TEST(MsgpackDecode, AcksNeedAnId) {
  decoded d = decode_hex(client_ack);
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_EQ(d.packet.type, packet_type::ack);
  EXPECT_EQ(d.packet.ack_id, 3u);
  EXPECT_EQ(d.packet.data, "[]");
  EXPECT_EQ(as_header(d.packet).type, packet_type::ack);
  d = decode_hex(server_ack);
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_EQ(d.packet.ack_id, 42u);
  EXPECT_EQ(d.packet.data, R"(["ok",-1.5])");
  EXPECT_EQ(decode(map({{"type", uint(3)}, {"nsp", str("/")}, {"data", empty_array}})).error,
            parse_error::bad_ack_id);
  EXPECT_EQ(
      decode(map({{"type", uint(3)}, {"nsp", str("/")}, {"data", empty_array}, {"id", undefined}}))
          .error,
      parse_error::bad_ack_id);
}

TEST(MsgpackDecode, ConnectDataUndefinedIsAbsent) {
  decoded d = decode_hex(client_connect);
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_EQ(d.packet.type, packet_type::connect);
  EXPECT_FALSE(d.packet.has_data);
  EXPECT_TRUE(as_header(d.packet).payload.empty());
  d = decode_hex(client_connect_auth);
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_TRUE(d.packet.has_data);
  EXPECT_EQ(d.packet.data, R"({"token":"t"})");
  d = decode_hex(server_connect);  // an undefined value is no key at all
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_EQ(d.packet.data, R"({"sid":"abc"})");
  d = decode_hex(server_connect_pid);
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_EQ(d.packet.nsp, "/admin");
}

TEST(MsgpackDecode, ConnectErrorAndDisconnect) {
  decoded d = decode_hex(server_connect_error);
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_EQ(d.packet.type, packet_type::connect_error);
  EXPECT_EQ(d.packet.data, R"({"message":"not authorized"})");
  d = decode(map({{"type", uint(4)}, {"nsp", str("/")}, {"data", str("nope")}}));
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_EQ(d.packet.data, R"("nope")");
  d = decode_hex(server_disconnect);
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_EQ(d.packet.type, packet_type::disconnect);
  EXPECT_FALSE(d.packet.has_data);
}

// ---- what index.js reads loosely, read as it does

TEST(MsgpackDecode, KeyOrderIsFreeAndARepeatedKeyKeepsItsLastValue) {
  decoded d = decode(map({{"nsp", str("/a")},
                          {"data", array({str("x")})},
                          {"type", uint(2)},
                          {"data", array({str("y"), "\xc4\x01\x07"s})},
                          {"nsp", str("/b")}}));
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_EQ(d.packet.nsp, "/b");
  EXPECT_EQ(d.packet.data, R"(["y",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(d.packet.attachments, std::vector<std::string>{"\x07"});
  d = decode(map({{"type", uint(2)},
                  {"nsp", str("/")},
                  {"data", array({str("x")})},
                  {"data", array({str("y")})},
                  {"type", uint(5)}}));
  EXPECT_EQ(d.error, parse_error::unknown_type);
}

TEST(MsgpackDecode, UnknownKeysAreIgnoredButMustBeWellFormed) {
  decoded d =
      decode(map({{"type", uint(2)},
                  {"nsp", str("/")},
                  {"attachments", uint(3)},
                  {"extra", array({empty_map, "\xd7\x00\x00\x00\x00\x00\x00\x00\x00\x00"s})},
                  {"data", array({str("x")})}}));
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_TRUE(d.packet.attachments.empty());
  d = decode(
      map({{"type", uint(2)}, {"nsp", str("/")}, {"extra", "\xc1"s}, {"data", array({str("x")})}}));
  EXPECT_EQ(d.error, parse_error::invalid_msgpack);
}

TEST(MsgpackDecode, NumbersAreReadAsJsNumbers) {
  // 2.0 as a float64 is an integer to Number.isInteger, as 7.0 for an id; int8 too
  decoded d = decode(map({{"type", float64(2.0)},
                          {"nsp", str("/")},
                          {"data", array({str("x")})},
                          {"id", float64(7.0)}}));
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_EQ(d.packet.type, packet_type::event);
  EXPECT_EQ(d.packet.ack_id, 7u);
  d = decode(map({{"type", "\xd0\x03"s},
                  {"nsp", str("/")},
                  {"data", empty_array},
                  {"id", uint(9007199254740991)}}));
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_EQ(d.packet.ack_id, 9007199254740991u);
}

TEST(MsgpackDecode, AnIdOnOtherTypesIsCheckedThenDropped) {
  decoded d = decode(map({{"type", uint(0)}, {"nsp", str("/")}, {"id", uint(5)}}));
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_FALSE(d.packet.ack_id);
  d = decode(map({{"type", uint(1)}, {"nsp", str("/")}, {"id", str("5")}}));
  EXPECT_EQ(d.error, parse_error::bad_ack_id);
}

TEST(MsgpackDecode, NamespaceIsAnyStringWithBadUtf8Replaced) {
  decoded d = decode(map({{"type", uint(0)}, {"nsp", str("/a\xff")}}));
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_EQ(d.packet.nsp, "/a\xef\xbf\xbd");
  d = decode(map({{"type", uint(0)}, {"nsp", str("")}}));
  ASSERT_EQ(d.error, parse_error::ok);
  EXPECT_EQ(d.packet.nsp, "");
}

// ---- refused

struct bad_case {
  const char* what;
  std::string bytes;
  parse_error error;
};

void expect_refused(const std::vector<bad_case>& cases, const limits& lim = {}) {
  for (const bad_case& c : cases) {
    EXPECT_EQ(decode(c.bytes, lim).error, c.error) << c.what << ": " << to_hex(c.bytes);
  }
}

TEST(MsgpackDecode, RefusesWhatIsNotOneMsgpackMap) {
  const std::string event_bytes = from_hex(server_event);
  expect_refused({
      {"empty", "", parse_error::empty_packet},
      {"JSON codec text", R"(2["hello","you"])", parse_error::invalid_msgpack},
      {"JSON text", R"({"type":2,"nsp":"/"})", parse_error::invalid_msgpack},
      {"0xc1", "\xc1"s, parse_error::invalid_msgpack},
      {"0xc1 for a value", map({{"type", uint(0)}, {"nsp", "\xc1"s}}),
       parse_error::invalid_msgpack},
      {"an array", array({uint(2), str("/")}), parse_error::invalid_msgpack},
      {"nil", nil, parse_error::invalid_msgpack},
      {"a number", uint(2), parse_error::invalid_msgpack},
      {"trailing byte", event_bytes + "\xc0"s, parse_error::invalid_msgpack},
      {"two packets", event_bytes + event_bytes, parse_error::invalid_msgpack},
      {"map missing entries", "\x83"s + str("type") + uint(2), parse_error::invalid_msgpack},
      {"a key that is a number", "\x83\x01\x02"s + str("nsp") + str("/") + str("type") + uint(0),
       parse_error::invalid_msgpack},
      {"a key that is an array",
       "\x83\x91\xa4type\x02"s + str("nsp") + str("/") + str("type") + uint(0),
       parse_error::invalid_msgpack},
      {"__proto__", map({{"__proto__", map({{"type", uint(0)}, {"nsp", str("/")}})}}),
       parse_error::invalid_msgpack},
      {"unknown ext in data", event(array({str("x"), "\xd4\x05\x00"s})),
       parse_error::invalid_msgpack},
      {"data map with a map key", event(array({str("x"), "\x81\x80\x01"s})),
       parse_error::invalid_msgpack},
  });
}

TEST(MsgpackDecode, RefusesEveryTruncation) {
  for (const std::string_view hex : {server_event, server_event_id, server_event_binary, server_ack,
                                     server_connect, client_event, client_ack}) {
    const std::string bytes = from_hex(hex);
    ASSERT_EQ(decode(bytes).error, parse_error::ok) << hex;
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      const parse_error e = decode(bytes.substr(0, n)).error;
      EXPECT_EQ(e, n == 0 ? parse_error::empty_packet : parse_error::invalid_msgpack)
          << hex << " cut at " << n;
    }
  }
}

TEST(MsgpackDecode, RefusesLengthsBeyondTheBytesLeft) {
  const std::string ten = "0123456789";
  const std::string four_gib = "\xff\xff\xff\xff"s;
  expect_refused({
      {"map32", "\xdf"s + four_gib + ten, parse_error::invalid_msgpack},
      {"map32 just over", "\xdf\x00\x00\x00\x06"s + ten, parse_error::invalid_msgpack},
      {"map16", "\xde\xff\xff"s + ten, parse_error::invalid_msgpack},
      {"str32 key", "\x81\xdb"s + four_gib + ten, parse_error::invalid_msgpack},
      {"str32 nsp", map({{"type", uint(0)}, {"nsp", "\xdb"s + four_gib + ten}}),
       parse_error::invalid_msgpack},
      {"bin32 in data", event(array({str("x"), "\xc6"s + four_gib + ten})),
       parse_error::invalid_msgpack},
      {"array32 data", event("\xdd"s + four_gib + ten), parse_error::invalid_msgpack},
      {"map32 in data", event(array({str("x"), "\xdf"s + four_gib + ten})),
       parse_error::invalid_msgpack},
      {"ext32 in data", event(array({str("x"), "\xc9"s + four_gib + "\x00"s + ten})),
       parse_error::invalid_msgpack},
      {"array32 of 2^31 in an ignored key",
       map({{"type", uint(2)}, {"x", "\xdd\x80\x00\x00\x00"s + ten}}),
       parse_error::invalid_msgpack},
      {"uint64 cut", map({{"type", "\xcf\x00\x00"s}}), parse_error::invalid_msgpack},
  });
}

TEST(MsgpackDecode, RefusesBadTypes) {
  const std::string nsp = str("/");
  expect_refused({
      {"absent", map({{"nsp", nsp}}), parse_error::unknown_type},
      {"5 (BINARY_EVENT)", map({{"type", uint(5)}, {"nsp", nsp}, {"data", array({str("x")})}}),
       parse_error::unknown_type},
      {"6 (BINARY_ACK)",
       map({{"type", uint(6)}, {"nsp", nsp}, {"data", empty_array}, {"id", uint(1)}}),
       parse_error::unknown_type},
      {"-1", map({{"type", "\xff"s}, {"nsp", nsp}}), parse_error::unknown_type},
      {"2.5", map({{"type", float64(2.5)}, {"nsp", nsp}}), parse_error::unknown_type},
      {"NaN", map({{"type", float64(std::nan(""))}, {"nsp", nsp}}), parse_error::unknown_type},
      {"string", map({{"type", str("2")}, {"nsp", nsp}}), parse_error::unknown_type},
      {"nil", map({{"type", nil}, {"nsp", nsp}}), parse_error::unknown_type},
      {"undefined", map({{"type", undefined}, {"nsp", nsp}}), parse_error::unknown_type},
      {"true", map({{"type", "\xc3"s}, {"nsp", nsp}}), parse_error::unknown_type},
      {"uint64 2^32", map({{"type", uint(4294967296)}, {"nsp", nsp}}), parse_error::unknown_type},
  });
}

TEST(MsgpackDecode, RefusesBadNamespaces) {
  const std::string type = uint(0);
  expect_refused({
      {"absent", map({{"type", type}}), parse_error::bad_namespace},
      {"number", map({{"type", type}, {"nsp", uint(1)}}), parse_error::bad_namespace},
      {"nil", map({{"type", type}, {"nsp", nil}}), parse_error::bad_namespace},
      {"undefined", map({{"type", type}, {"nsp", undefined}}), parse_error::bad_namespace},
      {"bin", map({{"type", type}, {"nsp", "\xc4\x01/"s}}), parse_error::bad_namespace},
      {"array", map({{"type", type}, {"nsp", array({str("/")})}}), parse_error::bad_namespace},
  });
}

TEST(MsgpackDecode, RefusesDataOfTheWrongKind) {
  const std::string nsp = str("/");
  auto with = [&](unsigned type, std::string data) {
    return map({{"type", uint(type)}, {"nsp", nsp}, {"data", std::move(data)}, {"id", uint(1)}});
  };
  auto without = [&](unsigned type) { return map({{"type", uint(type)}, {"nsp", nsp}}); };
  expect_refused({
      {"CONNECT array", with(0, empty_array), parse_error::invalid_payload},
      {"CONNECT string", with(0, str("a")), parse_error::invalid_payload},
      {"CONNECT nil", with(0, nil), parse_error::invalid_payload},
      {"CONNECT bin", with(0, "\xc4\x00"s), parse_error::invalid_payload},
      {"DISCONNECT map", with(1, empty_map), parse_error::invalid_payload},
      {"DISCONNECT nil", with(1, nil), parse_error::invalid_payload},
      {"CONNECT_ERROR absent", without(4), parse_error::invalid_payload},
      {"CONNECT_ERROR array", with(4, empty_array), parse_error::invalid_payload},
      {"CONNECT_ERROR number", with(4, uint(1)), parse_error::invalid_payload},
      {"EVENT absent", without(2), parse_error::invalid_payload},
      {"EVENT undefined", with(2, undefined), parse_error::invalid_payload},
      {"EVENT map", with(2, map({{"0", str("x")}})), parse_error::invalid_payload},
      {"EVENT string", with(2, str("x")), parse_error::invalid_payload},
      {"ACK nil", with(3, nil), parse_error::invalid_payload},
      {"ACK map", with(3, empty_map), parse_error::invalid_payload},
  });
}

TEST(MsgpackDecode, RefusesEventNamesAsTheJsonCodecDoes) {
  expect_refused({
      {"no name", event(empty_array), parse_error::bad_event_name},
      {"number name", event(array({uint(1)})), parse_error::bad_event_name},
      {"nil name", event(array({nil})), parse_error::bad_event_name},
      {"undefined name", event(array({undefined})), parse_error::bad_event_name},
      {"binary name", event(array({"\xc4\x01x"s})), parse_error::bad_event_name},
      {"error", event(array({str("error")})), parse_error::reserved_event_name},
      {"connect", event(array({str("connect")})), parse_error::reserved_event_name},
      {"disconnecting", event(array({str("disconnecting"), uint(1)})),
       parse_error::reserved_event_name},
  });
}

TEST(MsgpackDecode, RefusesBadAckIds) {
  auto with_id = [](std::string id) {
    return map({{"type", uint(2)}, {"nsp", str("/")}, {"data", array({str("x")})}, {"id", id}});
  };
  expect_refused({
      {"string", with_id(str("1")), parse_error::bad_ack_id},
      {"nil", with_id(nil), parse_error::bad_ack_id},
      {"-1", with_id("\xff"s), parse_error::bad_ack_id},
      {"1.5", with_id(float64(1.5)), parse_error::bad_ack_id},
      {"Infinity", with_id(float64(INFINITY)), parse_error::bad_ack_id},
      {"2^53", with_id(uint(9007199254740992)), parse_error::bad_ack_id},
      {"uint64 max", with_id(uint(UINT64_MAX)), parse_error::bad_ack_id},
      {"array", with_id(empty_array), parse_error::bad_ack_id},
  });
}

TEST(MsgpackDecode, BoundsNestingInDataAndInIgnoredKeys) {
  limits lim;
  lim.max_depth = 4;
  auto nested = [](std::size_t levels) {
    std::string value = uint(1);
    for (std::size_t i = 0; i < levels; ++i) value = array({value});
    return value;
  };
  // the data array is level 1 (as the JSON codec counts its payload)
  EXPECT_EQ(decode(event(array({str("x"), nested(3)})), lim).error, parse_error::ok);
  expect_refused(
      {
          {"data too deep", event(array({str("x"), nested(4)})), parse_error::too_deep},
          {"ignored key too deep",
           map({{"type", uint(2)},
                {"nsp", str("/")},
                {"x", nested(5)},
                {"data", array({str("x")})}}),
           parse_error::too_deep},
          // a binary is one level deeper as a placeholder object, as a JSON client sends it
          {"binary at the bound", event(array({str("x"), array({array({array({"\xc4\x00"s})})})})),
           parse_error::too_deep},
      },
      lim);
  EXPECT_EQ(decode(event(array({str("x"), array({array({"\xc4\x00"s})})})), lim).error,
            parse_error::ok);
  // a flood far past any bound, with nothing closed
  const std::string flood = event(std::string(100000, '\x91'));
  EXPECT_EQ(decode(flood).error, parse_error::invalid_msgpack);
  EXPECT_EQ(decode(event(nested(10000))).error, parse_error::too_deep);
}

TEST(MsgpackDecode, BoundsAttachments) {
  limits lim;
  lim.max_attachments = 2;
  lim.max_attachment_bytes = 4;
  const std::string two = "\xc4\x02zz"s;
  EXPECT_EQ(decode(event(array({str("x"), two, two})), lim).error, parse_error::ok);
  expect_refused(
      {
          {"three binaries", event(array({str("x"), "\xc4\x00"s, "\xc4\x00"s, "\xc4\x00"s})),
           parse_error::too_many_attachments},
          {"five bytes", event(array({str("x"), two, "\xc4\x03zzz"s})),
           parse_error::attachments_too_large},
          {"ext 0 counts as binary", event(array({str("x"), "\xc7\x05\x00zzzzz"s})),
           parse_error::attachments_too_large},
      },
      lim);
}

TEST(MsgpackDecode, RefusesAMapThatReadsAsAPlaceholder) {
  const std::string fake = map({{"_placeholder", "\xc3"s}, {"num", uint(0)}});
  expect_refused({
      {"no binary", event(array({str("x"), fake})), parse_error::bad_placeholder},
      {"beside a binary", event(array({str("x"), "\xc4\x00"s, fake})),
       parse_error::bad_placeholder},
  });
  // not a placeholder: "_placeholder" false
  EXPECT_EQ(
      decode(event(array({str("x"), map({{"_placeholder", "\xc2"s}, {"num", uint(0)}})}))).error,
      parse_error::ok);
}

// ---- round trips

TEST(MsgpackRoundTrip, DecodeEncodeDecodeIsTheSamePacket) {
  for (const std::string_view hex :
       {server_event, server_event_id, server_event_binary, server_ack, server_connect,
        server_connect_pid, server_connect_error, server_disconnect, client_connect,
        client_connect_auth, client_event, client_ack}) {
    const decoded first = decode_hex(hex);
    ASSERT_EQ(first.error, parse_error::ok) << hex;
    const msgpack_packet& p = first.packet;
    std::string bytes;
    ASSERT_TRUE(append_msgpack_packet(
        bytes, json_parser(), p.type, p.nsp, p.ack_id,
        p.has_data ? std::optional<std::string_view>(p.data) : std::nullopt, p.attachments))
        << hex;
    const decoded second = decode(bytes);
    ASSERT_EQ(second.error, parse_error::ok) << hex;
    EXPECT_EQ(second.packet.type, p.type);
    EXPECT_EQ(second.packet.nsp, p.nsp);
    EXPECT_EQ(second.packet.ack_id, p.ack_id);
    EXPECT_EQ(second.packet.has_data, p.has_data);
    EXPECT_EQ(second.packet.data, p.data);
    EXPECT_EQ(second.packet.attachments, p.attachments);
  }
}

TEST(MsgpackRoundTrip, ServerPacketsComeBackByteForByte) {
  // The generic encoder writes the server's key order, so these are the reference bytes again.
  for (const std::string_view hex : {server_event, server_event_id, server_event_binary, server_ack,
                                     server_connect_error, server_disconnect, server_connect_pid}) {
    const decoded d = decode_hex(hex);
    ASSERT_EQ(d.error, parse_error::ok) << hex;
    std::string bytes;
    ASSERT_TRUE(append_msgpack_packet(
        bytes, json_parser(), d.packet.type, d.packet.nsp, d.packet.ack_id,
        d.packet.has_data ? std::optional<std::string_view>(d.packet.data) : std::nullopt,
        d.packet.attachments));
    EXPECT_EQ(to_hex(bytes), hex);
  }
}

}  // namespace
}  // namespace chorus::protocol::socketio
