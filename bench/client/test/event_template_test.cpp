#include "bench/client/event_template.hpp"

#include <gtest/gtest.h>

namespace chorus::bench {
namespace {

TEST(EventTemplate, ExpandsTheSeedsJoinEvent) {
  EXPECT_EQ(expand_template(R"(42["join_room",{"room":"{room}","username":"{user}"}])",
                            {{"room", "room-3"}, {"user", "u17"}}),
            R"(42["join_room",{"room":"room-3","username":"u17"}])");
}

TEST(EventTemplate, ExpandsRepeatedAndAdjacentPlaceholders) {
  EXPECT_EQ(expand_template("{a}{a}-{b}{a}", {{"a", "x"}, {"b", "yy"}}), "xx-yyx");
  EXPECT_EQ(expand_template("{payload}", {{"payload", ""}}), "");
}

TEST(EventTemplate, JsonBracesAreLiteral) {
  const char* text = R"({"a":{"b":[{}]},"{Room}":"{ room}","{x":1})";
  EXPECT_EQ(expand_template(text, {{"room", "R"}}), text);
  EXPECT_EQ(unknown_placeholder(text, {}), std::nullopt);
}

TEST(EventTemplate, UnlistedPlaceholdersStay) {
  EXPECT_EQ(expand_template("{room}/{other}", {{"room", "r"}}), "r/{other}");
}

TEST(EventTemplate, ReportsTheFirstUnknownPlaceholder) {
  EXPECT_EQ(unknown_placeholder("{room}{usr}{zz}", {"room", "user"}), "usr");
  EXPECT_EQ(unknown_placeholder("{room}{user}", {"room", "user"}), std::nullopt);
  EXPECT_EQ(unknown_placeholder("{", {}), std::nullopt);
  EXPECT_EQ(unknown_placeholder("{room", {}), std::nullopt);
}

TEST(EventTemplate, AppendKeepsWhatIsThere) {
  std::string out = "head:";
  append_expanded(out, "[{user}]", {{"user", "u1"}});
  EXPECT_EQ(out, "head:[u1]");
}

TEST(EventTemplate, AddressesANamespace) {
  EXPECT_EQ(with_namespace(R"(42["message",{"message":"{payload}"}])", "/chat"),
            R"(42/chat,["message",{"message":"{payload}"}])");
  EXPECT_EQ(with_namespace(R"(42["m"])", "/"), R"(42["m"])");
  // A packet that names its namespace already stays as written.
  EXPECT_EQ(with_namespace(R"(42/admin,["m"])", "/chat"), R"(42/admin,["m"])");
}

TEST(EventTemplate, FindsWhereTheAckIdGoes) {
  std::string root = R"(42["echo","x"])";
  EXPECT_EQ(ack_id_position(root), 2u);
  root.insert(ack_id_position(root), "17");
  EXPECT_EQ(root, R"(4217["echo","x"])");
  std::string chat = R"(42/chat,["echo","x"])";
  chat.insert(ack_id_position(chat), "5");
  EXPECT_EQ(chat, R"(42/chat,5["echo","x"])");
}

}  // namespace
}  // namespace chorus::bench
