#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/json/js_keys.hpp"

namespace chorus::protocol::json {
namespace {

TEST(JsKeys, ArrayIndices) {
  std::uint32_t index = 0;
  EXPECT_TRUE(is_array_index("0", &index));
  EXPECT_EQ(index, 0u);
  EXPECT_TRUE(is_array_index("4294967294", &index));
  EXPECT_EQ(index, 4294967294u);
  for (const char* key : {"", "01", "-1", "1.5", "4294967295", "99999999999", "1e3", " 1", "a"}) {
    EXPECT_FALSE(is_array_index(key)) << key;
  }
}

std::optional<std::vector<std::size_t>> order(std::vector<std::string> keys) {
  std::vector<std::string_view> views(keys.begin(), keys.end());
  return js_key_order(views);
}

using positions = std::vector<std::size_t>;

TEST(JsKeys, OrderAsJavaScriptKeepsIt) {
  EXPECT_EQ(order({}), std::nullopt);
  EXPECT_EQ(order({"a", "b", "c"}), std::nullopt);
  EXPECT_EQ(order({"0", "2", "10", "b", "a"}), std::nullopt);
  // indices first, ascending; then names in the order they came
  EXPECT_EQ(order({"b", "10", "a", "2"}), (positions{3, 1, 0, 2}));
  // a repeated key: once, at its first place, with its last value
  EXPECT_EQ(order({"a", "b", "a"}), (positions{2, 1}));
  EXPECT_EQ(order({"1", "1"}), (positions{1}));
  // __proto__ is a key like any other, as JSON.parse makes it
  EXPECT_EQ(order({"__proto__", "a"}), std::nullopt);
  EXPECT_EQ(order({"__proto__", "a", "__proto__"}), (positions{2, 1}));
}

TEST(JsKeys, RepeatsAmongManyKeys) {
  std::vector<std::string> keys;
  for (int i = 0; i < 100; ++i) keys.push_back("k" + std::to_string(i));
  EXPECT_EQ(order(keys), std::nullopt);
  keys.push_back("k7");
  const auto result = order(keys);
  ASSERT_TRUE(result.has_value());
  ASSERT_EQ(result->size(), 100u);
  EXPECT_EQ((*result)[7], 100u);  // k7 keeps its place, with the last value
  EXPECT_EQ((*result)[8], 8u);
}

}  // namespace
}  // namespace chorus::protocol::json
