// The bridge's own contract; what it makes of each msgpack form, checked against notepack.io
// itself, is in protocol_notepack_oracle_test.cpp.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "protocol/msgpack/json_bridge.hpp"
#include "test/support/hex.hpp"

namespace chorus::protocol::msgpack {
namespace {

using namespace std::string_literals;

using chorus::test::to_hex;

TEST(JsonBridge, ReadsOneValueAndMovesPastIt) {
  const std::string bytes = "\x01\xc4\x01\xaa\x92\xc4\x01\xbb\xa1x"s;
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  std::string json;
  std::vector<std::string> attachments;
  ASSERT_FALSE(append_json(&p, end, json, attachments));
  ASSERT_FALSE(append_json(&p, end, json, attachments));
  ASSERT_FALSE(append_json(&p, end, json, attachments));
  EXPECT_EQ(p, end);
  // placeholders number the attachments as they are in the vector
  EXPECT_EQ(json, R"(1{"_placeholder":true,"num":0}[{"_placeholder":true,"num":1},"x"])");
  EXPECT_EQ(attachments, (std::vector<std::string>{"\xaa", "\xbb"}));
  EXPECT_EQ(append_json(&p, end, json, attachments), bridge_error::truncated);
}

TEST(JsonBridge, AnErrorLeavesEverythingAsItWas) {
  // a map whose first value is binary and whose second key is an array
  const std::string bytes =
      "\x82\xa1"
      "a\xc4\x01\xaa\x90\x01"s;
  const char* p = bytes.data();
  std::string json = "kept";
  std::vector<std::string> attachments = {"kept"};
  EXPECT_EQ(append_json(&p, bytes.data() + bytes.size(), json, attachments), bridge_error::bad_key);
  EXPECT_EQ(p, bytes.data());
  EXPECT_EQ(json, "kept");
  EXPECT_EQ(attachments, std::vector<std::string>{"kept"});
}

TEST(JsonBridge, DepthLimitIsAParameter) {
  const std::string three = "\x91\x91\x91\xc0"s;
  for (std::size_t limit : {0u, 1u, 2u, 3u}) {
    const char* p = three.data();
    std::string json;
    std::vector<std::string> attachments;
    const auto error = append_json(&p, three.data() + three.size(), json, attachments, limit);
    EXPECT_EQ(error.has_value(), limit < 3) << limit;
    p = three.data();
    EXPECT_EQ(skip_value(&p, three.data() + three.size(), limit).has_value(), limit < 3);
  }
  const std::string scalar = "\x05"s;
  const char* p = scalar.data();
  EXPECT_FALSE(skip_value(&p, p + 1, 0));
}

TEST(JsonBridge, HugeCountsAreRefusedBeforeAnyWork) {
  // Claims of billions of elements in a few bytes: refused on the count, not by running out.
  for (const std::string& bytes : {"\xdd\xff\xff\xff\xff\x01\x02"s, "\xdf\xff\xff\xff\xff\x01\x02"s,
                                   "\xdf\x80\x00\x00\x00"s, "\xdc\xff\xff"s}) {
    const char* p = bytes.data();
    std::string json;
    std::vector<std::string> attachments;
    EXPECT_EQ(append_json(&p, bytes.data() + bytes.size(), json, attachments),
              bridge_error::truncated);
    p = bytes.data();
    EXPECT_EQ(skip_value(&p, bytes.data() + bytes.size()), bridge_error::truncated);
  }
}

// Regression (fuzz_cluster_messages): maps out of JS's order were written again from the
// msgpack in order, and each nested one again inside that: 2^depth writes for 32 levels.
TEST(JsonBridge, NestedMapsOutOfOrderAreWrittenOnce) {
  // {"b": <the next level>, "0": <binary>, "c": true}, 32 deep: "0" must come first in each.
  std::string bytes;
  std::string expected;
  for (int i = 0; i < 32; ++i) {
    bytes += "\x83\xa1\x62"s;
    expected += R"({"0":{"_placeholder":true,"num":)" + std::to_string(i) + R"(},"b":)";
  }
  bytes += "\xc0"s;
  expected += "null";
  for (int i = 31; i >= 0; --i) {
    bytes += "\xa1\x30\xc4\x01"s;
    bytes += static_cast<char>(i);
    bytes += "\xa1\x63\xc3"s;
    expected += R"(,"c":true})";
  }
  const char* p = bytes.data();
  std::string json;
  std::vector<std::string> attachments;
  ASSERT_FALSE(append_json(&p, bytes.data() + bytes.size(), json, attachments));
  EXPECT_EQ(json, expected);
  ASSERT_EQ(attachments.size(), 32u);
  // numbered in the order the JSON has them (outermost first), not the msgpack's (innermost)
  for (int i = 0; i < 32; ++i) {
    EXPECT_EQ(attachments[i], std::string(1, static_cast<char>(i)));
  }
}

TEST(JsonBridge, UndefinedAndNumbers) {
  EXPECT_TRUE(is_undefined("\xd4\x00\x00", "\xd4\x00\x00" + 3));
  const std::string short_one = "\xd4\x00"s;
  EXPECT_FALSE(is_undefined(short_one.data(), short_one.data() + 2));
  EXPECT_FALSE(is_undefined("\xd4\x01\x00", "\xd4\x01\x00" + 3));

  for (const auto& [bytes, value] : std::vector<std::pair<std::string, double>>{
           {"\x7f"s, 127},
           {"\xe0"s, -32},
           {"\xcc\xff"s, 255},
           {"\xd0\x80"s, -128},
           {"\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00"s, 1.5},
           {"\xca\x3f\xc0\x00\x00"s, 1.5},
           {"\xcf\xff\xff\xff\xff\xff\xff\xff\xff"s, 18446744073709551616.0}}) {
    const char* p = bytes.data();
    EXPECT_EQ(read_js_number(&p, bytes.data() + bytes.size()), value);
    EXPECT_EQ(p, bytes.data() + bytes.size());
  }
  for (const std::string& bytes : {"\xcd\x01"s, "\xa1x"s, "\xc0"s, ""s}) {
    const char* p = bytes.data();
    EXPECT_FALSE(read_js_number(&p, bytes.data() + bytes.size()).has_value());
    EXPECT_EQ(p, bytes.data());
  }
}

std::string to_msgpack(std::string_view json, const std::vector<std::string>& attachments = {},
                       std::size_t depth = max_depth) {
  simdjson::dom::parser parser;
  std::string out = "\xee";
  if (!append_msgpack(parser.parse(json.data(), json.size()).value(), attachments, out, depth)) {
    EXPECT_EQ(out, "\xee");  // left as it was
    return "false";
  }
  return to_hex(out.substr(1));
}

// What notepack.io 3 writes for JSON.parse(text) (checked with node while writing this), but
// for integral numbers past 64 bits, which it wraps and chorus writes as float64.
TEST(JsonBridge, ToMsgpackAsNotepackWritesJsonParseOfIt) {
  EXPECT_EQ(to_msgpack("1.0"), "01");
  EXPECT_EQ(to_msgpack("-0.0"), "00");
  EXPECT_EQ(to_msgpack("1e2"), "64");
  EXPECT_EQ(to_msgpack("9007199254740993"), "cf0020000000000000");  // JSON.parse rounds
  EXPECT_EQ(to_msgpack("-9223372036854775808"), "d38000000000000000");
  EXPECT_EQ(to_msgpack("18446744073709551615"), "cb43f0000000000000");  // 2^64: past uint 64
  EXPECT_EQ(to_msgpack("1e300"), "cb7e37e43c8800759c");  // notepack: wrapped bytes, cf 00…
  EXPECT_EQ(to_msgpack("-1.5"), "cbbff8000000000000");
  EXPECT_EQ(to_msgpack(R"({"b":1,"1":2,"b":3,"__proto__":4})"),
            "83a13102a16203a95f5f70726f746f5f5f04");
  EXPECT_EQ(to_msgpack(R"(["x",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}])",
                       {"\x01", "\x02\x03"}),
            "93a178c4020203c40101");
  EXPECT_EQ(to_msgpack(R"({"_placeholder":false,"num":0})", {"\x01"}),
            "82ac5f706c616365686f6c646572c2a36e756d00");
}

TEST(JsonBridge, ToMsgpackRefusesBadPlaceholdersAndDepth) {
  const std::vector<std::string> one = {"\x01"};
  EXPECT_EQ(to_msgpack(R"([{"_placeholder":true,"num":1}])", one), "false");
  EXPECT_EQ(to_msgpack(R"([{"_placeholder":true,"num":-1}])", one), "false");
  EXPECT_EQ(to_msgpack(R"([{"_placeholder":true,"num":0.5}])", one), "false");
  EXPECT_EQ(to_msgpack(R"([{"_placeholder":true}])", one), "false");
  EXPECT_EQ(to_msgpack(R"({"_placeholder":true,"num":0})", {}), "false");
  EXPECT_EQ(to_msgpack("[[1]]", {}, 2), "919101");
  EXPECT_EQ(to_msgpack("[[1]]", {}, 1), "false");
  EXPECT_EQ(to_msgpack(R"({"a":{"b":1}})", {}, 1), "false");
  // A placeholder is bin, a leaf, as append_json reads it: at the limit it is no level deeper
  // (found by fuzz_cluster_messages: msgpack at the limit did not bridge back).
  EXPECT_EQ(to_msgpack(R"([{"_placeholder":true,"num":0}])", one, 1), "91c40101");
}

}  // namespace
}  // namespace chorus::protocol::msgpack
