// The --parser seam (server/socketio/packet_writer.hpp): what each writer hands a socket for every
// packet the server sends, read back with the protocol codecs, and what the msgpack writer does
// with arguments an application wrote that it cannot translate (nothing sent, for a broadcast
// no job) while the JSON writer sends them as they are.
#include "server/socketio/packet_writer.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "protocol/socketio/encode.hpp"
#include "protocol/socketio/msgpack_codec.hpp"

namespace chorus::server::socketio {
namespace {

namespace sio = protocol::socketio;

const packet_writer& json() {
  return packet_writer_for(packet_parser::json);
}
const packet_writer& msgpack() {
  return packet_writer_for(packet_parser::msgpack);
}

// The Engine.IO text message the JSON writer should send: "4" and the packet append wrote.
template <class Append>
std::string json_message(Append append) {
  std::string text = "4";
  append(text);
  return text;
}

// The msgpack writer's one binary message, decoded as a server would.
sio::msgpack_packet read_msgpack(const outbound_message& m) {
  EXPECT_TRUE(m.packet);
  EXPECT_TRUE(m.attachments.empty());  // inline
  sio::msgpack_packet packet;
  if (!m.packet) return packet;
  EXPECT_TRUE(m.packet->binary());
  simdjson::dom::parser parser;
  sio::parsed_payload parsed;
  EXPECT_EQ(sio::decode_msgpack(m.packet->payload(), sio::limits{}, parser, packet, parsed),
            sio::parse_error::ok);
  return packet;
}

const std::string bin("\x00\x01\xff", 3);
constexpr std::string_view with_placeholder = R"("a",{"_placeholder":true,"num":0})";

TEST(PacketWriter, JsonWritesTheTextPacketsAndCarriesAttachmentsBehind) {
  auto event = json().event("/chat", "say", with_placeholder, {bin}, 5);
  ASSERT_TRUE(event.packet);
  EXPECT_FALSE(event.packet->binary());
  EXPECT_EQ(event.packet->payload(), json_message([](std::string& t) {
              sio::append_event(t, "/chat", "say", with_placeholder, 5, 1);
            }));
  EXPECT_EQ(event.attachments, std::vector<std::string>{bin});

  auto ack = json().ack("/", 9, R"("ok")", {});
  EXPECT_EQ(ack.packet->payload(), "439[\"ok\"]");
  EXPECT_EQ(json().connect("/", "sid", "").packet->payload(),
            json_message([](std::string& t) { sio::append_connect(t, "/", "sid", ""); }));
  EXPECT_EQ(json().connect_error("/x", "Invalid namespace").packet->payload(),
            json_message(
                [](std::string& t) { sio::append_connect_error(t, "/x", "Invalid namespace"); }));
  EXPECT_EQ(json().disconnect("/chat").packet->payload(), "41/chat,");
}

TEST(PacketWriter, MsgpackWritesOneBinaryMessagePerPacket) {
  auto event = read_msgpack(msgpack().event("/chat", "say", with_placeholder, {bin}, 5));
  EXPECT_EQ(event.type, sio::packet_type::event);
  EXPECT_EQ(event.nsp, "/chat");
  EXPECT_EQ(event.ack_id, 5u);
  EXPECT_EQ(event.data, R"(["say","a",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(event.attachments, std::vector<std::string>{bin});

  auto ack = read_msgpack(msgpack().ack("/", 9, R"("ok")", {}));
  EXPECT_EQ(ack.type, sio::packet_type::ack);
  EXPECT_EQ(ack.ack_id, 9u);
  EXPECT_EQ(ack.data, R"(["ok"])");

  auto connect = read_msgpack(msgpack().connect("/", "sid", ""));
  EXPECT_EQ(connect.type, sio::packet_type::connect);
  EXPECT_EQ(connect.data, R"({"sid":"sid"})");

  auto refused = read_msgpack(msgpack().connect_error("/x", "Invalid namespace"));
  EXPECT_EQ(refused.type, sio::packet_type::connect_error);
  EXPECT_EQ(refused.nsp, "/x");
  EXPECT_EQ(refused.data, R"({"message":"Invalid namespace"})");

  auto bye = read_msgpack(msgpack().disconnect("/chat"));
  EXPECT_EQ(bye.type, sio::packet_type::disconnect);
  EXPECT_EQ(bye.nsp, "/chat");
}

TEST(PacketWriter, ABroadcastJobIsOneMessageUnderMsgpackAndTextThenAttachmentsUnderJson) {
  auto text = json().event_job("/", std::nullopt, {bin}, "say", with_placeholder);
  ASSERT_TRUE(text);
  ASSERT_EQ(text->packets.size(), 2u);
  EXPECT_FALSE(text->packets[0]->binary());
  EXPECT_EQ(text->packets[1]->payload(), bin);

  auto binary = msgpack().event_job("/", std::nullopt, {bin}, "say", with_placeholder);
  ASSERT_TRUE(binary);
  ASSERT_EQ(binary->packets.size(), 1u);
  EXPECT_EQ(read_msgpack({binary->packets[0], {}}).attachments, std::vector<std::string>{bin});
  EXPECT_EQ(binary->nsp, "/");
}

// Arguments that are not JSON, or name a binary that is not there, cannot be translated: the
// msgpack writer sends nothing (and logs it); the JSON writer passes the text on as it is.
TEST(PacketWriter, MsgpackSendsNothingForArgumentsItCannotTranslate) {
  for (std::string_view args : {std::string_view("1],[2"), with_placeholder}) {
    EXPECT_FALSE(msgpack().event("/", "e", args, {}, std::nullopt).packet) << args;
    EXPECT_FALSE(msgpack().ack("/", 1, args, {}).packet) << args;
    EXPECT_FALSE(msgpack().event_job("/", std::nullopt, {}, "e", args)) << args;
    EXPECT_TRUE(json().event("/", "e", args, {}, std::nullopt).packet) << args;
    EXPECT_TRUE(json().event_job("/", std::nullopt, {}, "e", args)) << args;
  }
}

}  // namespace
}  // namespace chorus::server::socketio
