#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "protocol/json/js_stringify.hpp"
#include "protocol/json/placeholder.hpp"

namespace chorus::protocol::json {
namespace {

std::string restringify(std::string_view text, std::size_t depth = 32) {
  simdjson::dom::parser parser;
  std::string out = "x";
  if (!append_js_json(parser.parse(text.data(), text.size()).value(), out, depth)) return "false";
  return out.substr(1);
}

// Expected texts are Node.js's JSON.stringify(JSON.parse(text)).
TEST(JsStringify, AsNodeRelaysJson) {
  EXPECT_EQ(restringify(R"( [ 1 , 2.50 , 1.0 , -0 , 1E2 , 1e21, 9007199254740993 ] )"),
            "[1,2.5,1,0,100,1e+21,9007199254740992]");
  EXPECT_EQ(restringify(R"("\u00e9\/\u0001\u2028")"), "\"\xC3\xA9/\\u0001\xE2\x80\xA8\"");
  EXPECT_EQ(restringify(R"({"b":1,"2":2,"a":3,"1":4,"b":5})"), R"({"1":4,"2":2,"b":5,"a":3})");
  EXPECT_EQ(restringify(R"({"__proto__":1})"), R"({"__proto__":1})");
  EXPECT_EQ(restringify(R"([true,false,null,{},[]])"), "[true,false,null,{},[]]");
  EXPECT_EQ(restringify("18446744073709551615"), "18446744073709552000");
}

TEST(JsStringify, DepthLimit) {
  EXPECT_EQ(restringify("[[1]]", 2), "[[1]]");
  EXPECT_EQ(restringify("[[1]]", 1), "false");
  EXPECT_EQ(restringify(R"({"a":{}})", 1), "false");
  EXPECT_EQ(restringify("1", 0), "1");
}

TEST(JsStringify, RenumbersPlaceholdersOfAPart) {
  simdjson::dom::parser parser;
  const std::vector<std::string> in = {"zero", "one", "two"};
  auto value = parser.parse(std::string_view(
      R"([{"_placeholder":true,"num":2},{"_placeholder":false,"num":0},{"x":{"num":1.0,"_placeholder":true}}])"));
  std::string out;
  std::vector<std::string> attachments = {"kept"};
  ASSERT_TRUE(append_js_json(value.value(), out, 32, &in, &attachments));
  EXPECT_EQ(out, R"([{"_placeholder":true,"num":1},{"_placeholder":false,"num":0},)"
                 R"({"x":{"_placeholder":true,"num":2}}])");
  EXPECT_EQ(attachments, (std::vector<std::string>{"kept", "two", "one"}));
}

TEST(JsStringify, RefusesAPlaceholderWithoutItsAttachment) {
  simdjson::dom::parser parser;
  const std::vector<std::string> in = {"zero"};
  for (const char* text :
       {R"([{"_placeholder":true,"num":1}])", R"([{"_placeholder":true,"num":-1}])",
        R"([{"_placeholder":true,"num":0.5}])", R"([{"_placeholder":true}])",
        R"([{"_placeholder":true,"num":"0"}])"}) {
    std::string out = "before";
    std::vector<std::string> attachments = {"kept"};
    EXPECT_FALSE(
        append_js_json(parser.parse(std::string_view(text)).value(), out, 32, &in, &attachments))
        << text;
    EXPECT_EQ(out, "before");
    EXPECT_EQ(attachments, std::vector<std::string>{"kept"});
  }
}

TEST(Placeholder, LastRepeatedKeyCounts) {
  simdjson::dom::parser parser;
  const auto object = [&](const char* text) {
    return parser.parse(std::string_view(text)).value().get_object().value();
  };
  EXPECT_EQ(find_placeholder(object(R"({"_placeholder":true,"num":1,"num":0})"), 1).kind,
            placeholder_kind::valid);
  EXPECT_EQ(find_placeholder(object(R"({"_placeholder":true,"_placeholder":1,"num":0})"), 1).kind,
            placeholder_kind::none);
  EXPECT_EQ(find_placeholder(object(R"({"_placeholder":true,"num":1})"), 1).kind,
            placeholder_kind::invalid);
  const placeholder_ref ref = find_placeholder(object(R"({"num":3,"_placeholder":true})"), 4);
  EXPECT_EQ(ref.kind, placeholder_kind::valid);
  EXPECT_EQ(ref.num, 3u);
}

}  // namespace
}  // namespace chorus::protocol::json
