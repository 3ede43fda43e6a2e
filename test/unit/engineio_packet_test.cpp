#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "protocol/engineio/packet.hpp"

namespace chorus::protocol::engineio {
namespace {

struct text_case {
  std::string_view text;
  packet_type type;
  std::string_view data;
};

// Every text packet shown in the Engine.IO v4 spec (and the Socket.IO sample session).
constexpr text_case spec_packets[] = {
    {"0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
     "\"pingTimeout\":20000,\"maxPayload\":1000000}",
     packet_type::open,
     "{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
     "\"pingTimeout\":20000,\"maxPayload\":1000000}"},
    {"1", packet_type::close, ""},
    {"2", packet_type::ping, ""},
    {"3", packet_type::pong, ""},
    {"2probe", packet_type::ping, "probe"},
    {"3probe", packet_type::pong, "probe"},
    {"4hello", packet_type::message, "hello"},
    {"4HelloWorld", packet_type::message, "HelloWorld"},
    {"4\xe2\x82\xac", packet_type::message, "\xe2\x82\xac"},
    {"40", packet_type::message, "0"},
    {"42[\"hey\",\"Jude\"]", packet_type::message, "2[\"hey\",\"Jude\"]"},
    {"5", packet_type::upgrade, ""},
    {"6", packet_type::noop, ""},
};

TEST(engineio_packet, decodes_spec_examples) {
  for (const auto& c : spec_packets) {
    SCOPED_TRACE(c.text);
    const auto packet = decode_text_packet(c.text);
    ASSERT_TRUE(packet.has_value());
    EXPECT_EQ(packet->type, c.type);
    EXPECT_FALSE(packet->binary);
    EXPECT_EQ(packet->data, c.data);
  }
}

TEST(engineio_packet, encodes_spec_examples) {
  for (const auto& c : spec_packets) {
    SCOPED_TRACE(c.text);
    std::string out;
    append_text_packet(out, c.type, c.data);
    EXPECT_EQ(out, c.text);
  }
}

TEST(engineio_packet, data_is_a_view_into_the_input) {
  const std::string text = "4hello";
  const auto packet = decode_text_packet(text);
  ASSERT_TRUE(packet.has_value());
  EXPECT_EQ(packet->data.data(), text.data() + 1);
}

TEST(engineio_packet, rejects_empty_and_unknown_types) {
  constexpr std::string_view bad[] = {"",          "7",  "9hello", "a",   "b",
                                      "bAQIDBA==", "-1", " 4x",    "\x1e"};
  for (const auto text : bad) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(decode_text_packet(text).has_value());
  }
}

TEST(engineio_packet, round_trips_every_type) {
  for (int t = 0; t <= 6; ++t) {
    SCOPED_TRACE(t);
    std::string out = "x";  // appends, never overwrites
    append_text_packet(out, static_cast<packet_type>(t), "data");
    ASSERT_EQ(out.substr(0, 1), "x");
    const auto packet = decode_text_packet(std::string_view(out).substr(1));
    ASSERT_TRUE(packet.has_value());
    EXPECT_EQ(packet->type, static_cast<packet_type>(t));
    EXPECT_EQ(packet->data, "data");
  }
}

}  // namespace
}  // namespace chorus::protocol::engineio
