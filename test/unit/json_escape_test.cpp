#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <string_view>

#include "protocol/json/escape.hpp"

namespace chorus::protocol::json {
namespace {

struct escape_case {
  std::string_view input;
  std::string_view expected;
};

TEST(json_escape, quotes_and_escapes) {
  const escape_case cases[] = {
      {"", R"("")"},
      {"abc", R"("abc")"},
      {"say \"hi\"", R"("say \"hi\"")"},
      {"back\\slash", R"("back\\slash")"},
      {"a\nb\rc\td\be\ff", R"("a\nb\rc\td\be\ff")"},
      {std::string_view("\x00", 1), R"("\u0000")"},
      {"\x01\x1f", R"("\u0001\u001f")"},
      {"\x1e", R"("\u001e")"},
      {"/ \x7f", "\"/ \x7f\""},              // '/' and DEL need no escape
      {"\xe2\x82\xac", "\"\xe2\x82\xac\""},  // UTF-8 passes through
      {"\xf0\x9f\x98\x80 ok", "\"\xf0\x9f\x98\x80 ok\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expected);
    EXPECT_EQ(json::quoted(c.input), c.expected);
  }
}

TEST(json_escape, appends_without_touching_existing_content) {
  std::string out = "{\"sid\":";
  append_quoted(out, "x\"y");
  EXPECT_EQ(out, R"({"sid":"x\"y")");
}

TEST(json_escape, every_ascii_character_round_trips_through_a_json_parser) {
  std::string all;
  for (int i = 0; i < 128; ++i) all += static_cast<char>(i);
  simdjson::dom::parser parser;
  const std::string text = json::quoted(all);
  std::string_view back;
  ASSERT_EQ(parser.parse(text).get_string().get(back), simdjson::SUCCESS);
  EXPECT_EQ(back, all);
}

}  // namespace
}  // namespace chorus::protocol::json
