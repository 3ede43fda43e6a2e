#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "protocol/msgpack/ext.hpp"

namespace chorus::protocol::msgpack {
namespace {

using namespace std::string_literals;

TEST(MsgpackExt, ReadsEveryHeaderForm) {
  struct header_case {
    std::string bytes;
    std::int8_t type;
    std::uint32_t length;
    std::size_t header;
  };
  const header_case cases[] = {
      {"\xd4\x05"
       "a"s,
       5, 1, 2},
      {"\xd5\xff"
       "ab"s,
       -1, 2, 2},
      {"\xd6\x00"
       "abcd"s,
       0, 4, 2},
      {"\xd7\x7f"
       "abcdefgh"s,
       127, 8, 2},
      {"\xd8\x80" + std::string(16, 'x'), -128, 16, 2},
      {"\xc7\x00\x03"s, 3, 0, 3},
      {"\xc7\x02\x03"
       "ab"s,
       3, 2, 3},
      {"\xc8\x00\x01\x03"
       "a"s,
       3, 1, 4},
      {"\xc9\x00\x00\x00\x01\x03"
       "a"s,
       3, 1, 6},
  };
  for (const auto& c : cases) {
    const char* p = c.bytes.data();
    const auto h = read_ext_header(&p, c.bytes.data() + c.bytes.size());
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->type, c.type);
    EXPECT_EQ(h->length, c.length);
    EXPECT_EQ(p, c.bytes.data() + c.header);
  }
}

TEST(MsgpackExt, RefusesTruncatedAndOtherBytes) {
  for (const std::string& bytes :
       {""s, "\xd4"s, "\xd4\x00"s, "\xd8\x00"s + std::string(15, 'x'), "\xc7"s, "\xc7\x01"s,
        "\xc7\x01\x00"s, "\xc8\x00"s, "\xc9\xff\xff\xff\xff\x00"s, "\xc1"s, "\xc0"s, "\x01"s,
        "\xc4\x00"s}) {
    const char* p = bytes.data();
    EXPECT_FALSE(read_ext_header(&p, bytes.data() + bytes.size()).has_value());
    EXPECT_EQ(p, bytes.data());
    EXPECT_FALSE(read_notepack_ext(&p, bytes.data() + bytes.size()).has_value());
    EXPECT_EQ(p, bytes.data());
  }
}

notepack_ext read(const std::string& bytes) {
  const char* p = bytes.data();
  const auto ext = read_notepack_ext(&p, bytes.data() + bytes.size());
  EXPECT_TRUE(ext.has_value());
  EXPECT_EQ(p, bytes.data() + bytes.size());
  return ext.value_or(notepack_ext{});
}

TEST(MsgpackExt, WhatNotepackMakesOfEachForm) {
  EXPECT_EQ(read("\xd4\x00\x00"s).kind, ext_kind::undefined);
  EXPECT_EQ(read("\xd4\x00\x07"s).kind, ext_kind::undefined);
  EXPECT_EQ(read("\xd4\x01\x00"s).kind, ext_kind::unknown);
  const std::string bytes = "\xc7\x02\x00\xab\xcd"s;  // data points into it
  const notepack_ext binary = read(bytes);
  EXPECT_EQ(binary.kind, ext_kind::binary);
  EXPECT_EQ(binary.data, "\xab\xcd"s);
  EXPECT_EQ(read("\xc8\x00\x00\x00"s).kind, ext_kind::binary);
  EXPECT_EQ(read("\xc9\x00\x00\x00\x00\x00"s).kind, ext_kind::binary);
  EXPECT_EQ(read("\xd5\x00\x00\x00"s).kind, ext_kind::unknown);  // [0, Buffer] to notepack
  EXPECT_EQ(read("\xd6\x00\x00\x00\x00\x00"s).kind, ext_kind::unknown);
  EXPECT_EQ(read("\xd8\x00"s + std::string(16, '\0')).kind, ext_kind::unknown);
  EXPECT_EQ(read("\xc7\x04\xff\x00\x00\x00\x01"s).kind, ext_kind::unknown);  // not 12 bytes
  EXPECT_EQ(read("\xc8\x00\x0c\xff"s + std::string(12, '\0')).kind, ext_kind::unknown);
  EXPECT_EQ(read("\xc7\x01\x05\x00"s).kind, ext_kind::unknown);
}

TEST(MsgpackExt, DateTimeValues) {
  // timestamp 32: 2026-12-02T02:00:00Z
  notepack_ext date = read("\xd6\xff\x6b\x0f\x7b\xa0"s);
  EXPECT_EQ(date.kind, ext_kind::date);
  EXPECT_EQ(date.time_value, 1796176800000.0);
  // timestamp 64: 123 ms more (ns in the top 30 bits)
  date = read("\xd7\xff\x1d\x53\x53\x00\x6b\x0f\x7b\xa0"s);
  EXPECT_EQ(date.time_value, 1796176800123.0);
  // timestamp 96: -1 s + 0.5 s
  date = read("\xc7\x0c\xff\x1d\xcd\x65\x00\xff\xff\xff\xff\xff\xff\xff\xff"s);
  EXPECT_EQ(date.time_value, -500.0);
  // notepack 2: int64 ms
  date = read("\xd7\x00\x00\x00\x01\xa2\x34\x7a\xe9\x00"s);
  EXPECT_EQ(date.time_value, 1796176800000.0);
  date = read("\xd7\x00\xff\xff\xff\xff\xff\xff\xff\xff"s);
  EXPECT_EQ(date.time_value, -1.0);
  // out of the Date range: NaN
  EXPECT_TRUE(std::isnan(read("\xd7\x00\x7f\xff\xff\xff\xff\xff\xff\xff"s).time_value));
  EXPECT_TRUE(
      std::isnan(read("\xc7\x0c\xff\x00\x00\x00\x00\x7f\xff\xff\xff\xff\xff\xff\xff"s).time_value));
}

}  // namespace
}  // namespace chorus::protocol::msgpack
