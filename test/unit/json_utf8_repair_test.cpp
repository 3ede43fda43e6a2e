#include <gtest/gtest.h>

#include "protocol/json/utf8_repair.hpp"

namespace chorus::protocol::json {
namespace {

// Expected texts are Node.js 20's Buffer.from(bytes).toString("utf8").
TEST(Utf8Repair, ReplacesAsNodesDecoderDoes) {
  struct repair_case {
    std::string_view bytes;
    std::string_view text;  // empty: valid, left alone
  };
  const std::string_view r = "\xEF\xBF\xBD";  // U+FFFD
  const std::string with_r = [&] {
    return std::string("a") + std::string(r) + "b" + std::string(r);
  }();
  const repair_case cases[] = {
      {"plain", ""},
      {"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", ""},  // é € 😀
      {"a\xFF"
       "b\xE2\x82",
       with_r},  // a stray byte; a cut sequence at the end
  };
  for (const auto& c : cases) {
    std::string out = "untouched";
    const bool repaired = repair_utf8(c.bytes, out);
    EXPECT_EQ(repaired, !c.text.empty());
    EXPECT_EQ(out, c.text.empty() ? std::string("untouched") : std::string(c.text));
  }
  std::string out;
  // an encoded surrogate: three errors (ED is only followed by 80…9F)
  ASSERT_TRUE(repair_utf8("\xED\xA0\x80", out));
  EXPECT_EQ(out, std::string(r) + std::string(r) + std::string(r));
  // overlong forms and a code point past U+10FFFF
  ASSERT_TRUE(repair_utf8("\xC0\xAF", out));
  EXPECT_EQ(out, std::string(r) + std::string(r));
  ASSERT_TRUE(repair_utf8("\xE0\x80\x80", out));
  EXPECT_EQ(out, std::string(r) + std::string(r) + std::string(r));
  ASSERT_TRUE(repair_utf8("\xF4\x90\x80\x80", out));
  EXPECT_EQ(out, std::string(r) + std::string(r) + std::string(r) + std::string(r));
  // a cut sequence followed by ASCII: one error, the ASCII kept
  ASSERT_TRUE(repair_utf8("\xF0\x9F\x98x", out));
  EXPECT_EQ(out, std::string(r) + "x");
}

}  // namespace
}  // namespace chorus::protocol::json
