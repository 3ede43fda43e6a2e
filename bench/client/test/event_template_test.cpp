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

}  // namespace
}  // namespace chorus::bench
