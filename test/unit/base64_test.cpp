#include "protocol/base64.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace chorus::protocol {
namespace {

struct vector_case {
  std::string_view bytes;
  std::string_view text;
};

// RFC 4648 section 10 test vectors, plus the Engine.IO spec's buffer <01 02 03 04>.
constexpr vector_case vectors[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
    {"\x01\x02\x03\x04", "AQIDBA=="},
    {std::string_view("\x00\xff\xfe", 3), "AP/+"},
};

TEST(base64, encodes_rfc4648_vectors) {
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.text);
    std::string out;
    append_base64(out, v.bytes);
    EXPECT_EQ(out, v.text);
  }
}

TEST(base64, decodes_rfc4648_vectors) {
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.text);
    std::string out;
    ASSERT_TRUE(decode_base64(v.text, out));
    EXPECT_EQ(out, v.bytes);
  }
}

TEST(base64, appends_to_existing_content) {
  std::string out = "b";
  append_base64(out, "\x01\x02\x03\x04");
  EXPECT_EQ(out, "bAQIDBA==");
  std::string bytes = "x";
  ASSERT_TRUE(decode_base64("Zm9v", bytes));
  EXPECT_EQ(bytes, "xfoo");
}

TEST(base64, round_trips_every_byte_value_and_length) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t len = 0; len <= all.size(); ++len) {
    SCOPED_TRACE(len);
    const std::string_view bytes(all.data(), len);
    std::string text;
    append_base64(text, bytes);
    EXPECT_EQ(text.size(), (len + 2) / 3 * 4);
    std::string back;
    ASSERT_TRUE(decode_base64(text, back));
    EXPECT_EQ(back, bytes);
  }
}

TEST(base64, rejects_bad_input_and_leaves_output_unchanged) {
  constexpr std::string_view bad[] = {
      "Zg",        // unpadded
      "Zg=",       // short padding
      "Zm9vY",     // length not a multiple of 4
      "Z===",      // three pad characters
      "====",      // only padding
      "=Zg=",      // pad first
      "Zg==Zg==",  // padding in the middle
      "Zm9v!A==",  // character outside the alphabet
      "Zm-_",      // URL-safe alphabet is not standard base64
      "Zm9v\n",    // whitespace
      "Zm 9",      // space
      "Zm9\x80",   // high byte
  };
  for (const auto text : bad) {
    SCOPED_TRACE(text);
    std::string out = "keep";
    EXPECT_FALSE(decode_base64(text, out));
    EXPECT_EQ(out, "keep");
  }
}

}  // namespace
}  // namespace chorus::protocol
