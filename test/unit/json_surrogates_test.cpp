#include <gtest/gtest.h>

#include "protocol/json/surrogates.hpp"

namespace chorus::protocol::json {
namespace {

TEST(JsonSurrogates, ReplacesOnlyLoneOnes) {
  struct surrogate_case {
    std::string_view input;
    bool replaced;
    std::string_view expected;
  };
  const surrogate_case cases[] = {
      {R"(["a","b"])", false, ""},
      {R"(["\u0041"])", false, ""},
      {R"(["\ud83d\ude00"])", false, ""},  // a valid pair (😀)
      {R"(["\ud800"])", true, R"(["\ufffd"])"},
      {R"(["x\uDC00y"])", true, R"(["x\ufffdy"])"},
      {R"(["\ud800\u0041"])", true, R"(["\ufffd\u0041"])"},
      {R"(["\ude00\ud83d"])", true, R"(["\ufffd\ufffd"])"},
      {R"(["\\ud800"])", false, ""},  // an escaped backslash, then plain text
      {R"(["\\\ud800"])", true, R"(["\\\ufffd"])"},
      {R"(["\ud800)", true, R"(["\ufffd)"},  // truncated JSON stays for the parser to refuse
      {R"(["\u12"])", false, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    std::string out = "untouched";
    EXPECT_EQ(replace_lone_surrogates(c.input, out), c.replaced);
    EXPECT_EQ(out, c.replaced ? std::string(c.expected) : "untouched");
  }
}

}  // namespace
}  // namespace chorus::protocol::json
