#include "bench/client/sio_packet.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chorus::bench {
namespace {

struct packet_case {
  std::string text;
  int type;
  std::string nsp;
  std::optional<std::uint64_t> id;
  std::string data;
};

TEST(SioPacket, ParsesWhatServersSend) {
  const std::vector<packet_case> cases = {
      {R"(0{"sid":"abc"})", 0, "/", std::nullopt, R"({"sid":"abc"})"},
      {R"(0/chat,{"sid":"abc"})", 0, "/chat", std::nullopt, R"({"sid":"abc"})"},
      {R"(2["message",{"message":"hi"}])", 2, "/", std::nullopt, R"(["message",{"message":"hi"}])"},
      {R"(2/chat,["response","x"])", 2, "/chat", std::nullopt, R"(["response","x"])"},
      {R"(317["x"])", 3, "/", 17, R"(["x"])"},
      {R"(3/chat,4["x"])", 3, "/chat", 4, R"(["x"])"},
      {R"(4{"message":"Not authorized"})", 4, "/", std::nullopt, R"({"message":"Not authorized"})"},
      {"1", 1, "/", std::nullopt, ""},
      {"1/chat,", 1, "/chat", std::nullopt, ""},
      {"1/chat", 1, "/chat", std::nullopt, ""},
      {R"(51-["up",{"_placeholder":true,"num":0}])", 5, "/", std::nullopt,
       R"(["up",{"_placeholder":true,"num":0}])"},
      {R"(61-/chat,9[{"_placeholder":true,"num":0}])", 6, "/chat", 9,
       R"([{"_placeholder":true,"num":0}])"},
  };
  for (const auto& c : cases) {
    auto p = parse_sio_packet(c.text);
    ASSERT_TRUE(p.has_value()) << c.text;
    EXPECT_EQ(p->type, c.type) << c.text;
    EXPECT_EQ(p->nsp, c.nsp) << c.text;
    EXPECT_EQ(p->id, c.id) << c.text;
    EXPECT_EQ(p->data, c.data) << c.text;
  }
}

TEST(SioPacket, RefusesWhatIsNoPacket) {
  for (const char* text : {"", "x", "7[]", "9", "51[\"no dash\"]", "2 [\"x\"]"}) {
    auto p = parse_sio_packet(text);
    if (std::string_view(text) == "2 [\"x\"]") {
      ASSERT_TRUE(p.has_value());  // the data is the server's business
      EXPECT_EQ(p->data, " [\"x\"]");
      continue;
    }
    EXPECT_FALSE(p.has_value()) << text;
  }
  // An ack id too large for 64 bits.
  EXPECT_FALSE(parse_sio_packet("399999999999999999999999[]").has_value());
}

TEST(SioPacket, MatchesEventNames) {
  EXPECT_TRUE(is_event_named(R"(["message",{}])", "message"));
  EXPECT_TRUE(is_event_named(R"(["status"])", "status"));
  EXPECT_FALSE(is_event_named(R"(["messages",{}])", "message"));
  EXPECT_FALSE(is_event_named(R"(["mess"])", "message"));
  EXPECT_FALSE(is_event_named(R"({"message":1})", "message"));
  EXPECT_FALSE(is_event_named("", "message"));
}

TEST(SioPacket, FindsTheSidOfAnOpenPacket) {
  EXPECT_EQ(open_packet_sid(
                R"({"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000})"),
            "lv_VI97HAXpY6yYWAAAC");
  EXPECT_EQ(open_packet_sid(R"({"upgrades":[]})"), "");
  EXPECT_EQ(open_packet_sid(R"({"sid":"unterminated)"), "");
}

TEST(SioPacket, SplitsAPollingPayload) {
  std::vector<std::string> seen;
  for_each_polling_packet(
      "2\x1e"
      R"(42["a"])"
      "\x1e"
      "6",
      [&](std::string_view p) { seen.emplace_back(p); });
  EXPECT_EQ(seen, (std::vector<std::string>{"2", R"(42["a"])", "6"}));
  seen.clear();
  for_each_polling_packet("", [&](std::string_view p) { seen.emplace_back(p); });
  EXPECT_TRUE(seen.empty());
  for_each_polling_packet("1", [&](std::string_view p) { seen.emplace_back(p); });
  EXPECT_EQ(seen, (std::vector<std::string>{"1"}));
}

}  // namespace
}  // namespace chorus::bench
