#include "bench/client/msgpack_wire.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "bench/client/room_traffic.hpp"

namespace chorus::bench {
namespace {

namespace sio = protocol::socketio;

// What chorus's server reads of a message (its own decoder).
struct read_back {
  sio::parse_error error = sio::parse_error::ok;
  sio::msgpack_packet packet;
};

read_back server_reads(std::string_view message) {
  simdjson::dom::parser parser;
  sio::parsed_payload payload;
  read_back r;
  r.error = sio::decode_msgpack(message, sio::limits{}, parser, r.packet, payload);
  return r;
}

TEST(MsgpackWire, ConnectIsTheParsersMap) {
  msgpack_wire wire;
  std::string out;
  ASSERT_TRUE(wire.encode("40", out));
  // {type: 0, nsp: "/"}, as socket.io-msgpack-parser writes a CONNECT without auth.
  EXPECT_EQ(out, std::string("\x82\xa4type\x00\xa3nsp\xa1/", 13));
}

TEST(MsgpackWire, WhatTheWorkerSendsTheServerReadsAsSent) {
  struct send_case {
    std::string text;
    sio::packet_type type;
    std::string nsp;
    std::optional<std::uint64_t> id;
    std::string data;
  };
  const std::vector<send_case> cases = {
      {"40/chat,", sio::packet_type::connect, "/chat", std::nullopt, ""},
      {R"(40{"token":"t"})", sio::packet_type::connect, "/", std::nullopt, R"({"token":"t"})"},
      {R"(42["room_message",{"room":"room-0","message":"#0:1:2#xx"}])", sio::packet_type::event,
       "/", std::nullopt, R"(["room_message",{"room":"room-0","message":"#0:1:2#xx"}])"},
      {R"(42/chat,7["message",{"message":"hi"}])", sio::packet_type::event, "/chat", 7,
       R"(["message",{"message":"hi"}])"},
  };
  msgpack_wire wire;
  for (const auto& c : cases) {
    std::string out;
    ASSERT_TRUE(wire.encode(c.text, out)) << c.text;
    auto r = server_reads(out);
    ASSERT_EQ(r.error, sio::parse_error::ok) << c.text;
    EXPECT_EQ(r.packet.type, c.type) << c.text;
    EXPECT_EQ(r.packet.nsp, c.nsp) << c.text;
    EXPECT_EQ(r.packet.ack_id, c.id) << c.text;
    EXPECT_EQ(r.packet.data, c.data) << c.text;
  }
}

TEST(MsgpackWire, RefusesWhatIsNoMessagePacketOrNotJson) {
  msgpack_wire wire;
  for (std::string text :
       {"3", "", "42[oops", R"(451-["x",{"_placeholder":true,"num":0}])", "4x"}) {
    std::string out = "kept";
    EXPECT_FALSE(wire.encode(text, out)) << text;
    EXPECT_EQ(out, "kept") << text;
  }
}

// A broadcast as the server writes it reads as its text form: the scenarios find the event's
// name and the delivery header in it as under JSON.
TEST(MsgpackWire, ReadsABroadcastAsTheJsonForm) {
  simdjson::dom::parser parser;
  std::string message;
  ASSERT_TRUE(sio::append_msgpack_event(
      message, parser, "/", "message",
      R"({"username":"Anonymous","message":"#3:17:123456#xxxx","timestamp":"12:00:00"})", {}));
  msgpack_wire wire;
  auto error = sio::parse_error::invalid_msgpack;
  auto p = wire.decode(message, error);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(error, sio::parse_error::ok);
  EXPECT_EQ(p->type, 2);
  EXPECT_EQ(p->nsp, "/");
  EXPECT_FALSE(p->id.has_value());
  ASSERT_TRUE(is_event_named(p->data, "message")) << p->data;
  auto d = parse_delivery(p->data);
  ASSERT_TRUE(d.has_value()) << p->data;
  EXPECT_EQ(d->publisher, 3u);
  EXPECT_EQ(d->seq, 17u);
  EXPECT_EQ(d->sent_ns, 123456);
}

TEST(MsgpackWire, ReadsTheConnectReplyAndAnAck) {
  msgpack_wire wire;
  auto error = sio::parse_error::ok;
  std::string connect;
  sio::append_msgpack_connect(connect, "/chat", "sid-1");
  auto p = wire.decode(connect, error);
  ASSERT_TRUE(p.has_value()) << sio::to_string(error);
  EXPECT_EQ(p->type, 0);
  EXPECT_EQ(p->nsp, "/chat");
  EXPECT_EQ(p->data, R"({"sid":"sid-1"})");

  simdjson::dom::parser parser;
  std::string ack;
  ASSERT_TRUE(sio::append_msgpack_packet(ack, parser, sio::packet_type::ack, "/chat", 9,
                                         R"([{"message":"x"}])", {}));
  p = wire.decode(ack, error);
  ASSERT_TRUE(p.has_value()) << sio::to_string(error);
  EXPECT_EQ(p->type, 3);
  EXPECT_EQ(p->id, 9u);
  EXPECT_EQ(p->data, R"([{"message":"x"}])");
}

// The chat's `error` event is a name only a client may receive: passed by, not a failure.
TEST(MsgpackWire, AnEventUnderAReservedNameIsPassedBy) {
  simdjson::dom::parser parser;
  std::string message;
  ASSERT_TRUE(
      sio::append_msgpack_event(message, parser, "/", "error", R"({"msg":"Invalid message"})", {}));
  msgpack_wire wire;
  auto error = sio::parse_error::invalid_msgpack;
  auto p = wire.decode(message, error);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(error, sio::parse_error::ok);
  EXPECT_EQ(p->type, -1);
}

TEST(MsgpackWire, RefusesWhatTheServersDecoderRefuses) {
  const std::vector<std::pair<std::string, sio::parse_error>> cases = {
      {"", sio::parse_error::empty_packet},
      {"\xc1", sio::parse_error::invalid_msgpack},
      {R"(2["message",{}])", sio::parse_error::invalid_msgpack},  // text, not msgpack
      {std::string("\x81\xa4type\x07", 7), sio::parse_error::unknown_type},
  };
  msgpack_wire wire;
  for (const auto& [bytes, want] : cases) {
    auto error = sio::parse_error::ok;
    EXPECT_FALSE(wire.decode(bytes, error).has_value());
    EXPECT_EQ(error, want) << sio::to_string(want);
  }
}

}  // namespace
}  // namespace chorus::bench
