#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "protocol/json/js_date.hpp"

namespace chorus::protocol::json {
namespace {

std::string date_json(double time_value) {
  std::string out;
  append_js_date_json(out, js_time_clip(time_value));
  return out;
}

// Expected texts are Node.js 20's JSON.stringify(new Date(x)).
TEST(JsDate, IsoTextAsJsonStringifyWritesIt) {
  EXPECT_EQ(date_json(0), R"("1970-01-01T00:00:00.000Z")");
  EXPECT_EQ(date_json(1796176800000), R"("2026-12-02T02:00:00.000Z")");
  EXPECT_EQ(date_json(1796176800123.9), R"("2026-12-02T02:00:00.123Z")");  // truncated
  EXPECT_EQ(date_json(-1), R"("1969-12-31T23:59:59.999Z")");
  EXPECT_EQ(date_json(-999.5), R"("1969-12-31T23:59:59.001Z")");  // toward zero: -999
  EXPECT_EQ(date_json(951782400000), R"("2000-02-29T00:00:00.000Z")");
  EXPECT_EQ(date_json(-62198755200000), R"("-000001-01-01T00:00:00.000Z")");
  EXPECT_EQ(date_json(-62167219200000), R"("0000-01-01T00:00:00.000Z")");
  EXPECT_EQ(date_json(253402300799999), R"("9999-12-31T23:59:59.999Z")");
  EXPECT_EQ(date_json(253402300800000), R"("+010000-01-01T00:00:00.000Z")");
  EXPECT_EQ(date_json(8.64e15), R"("+275760-09-13T00:00:00.000Z")");
  EXPECT_EQ(date_json(-8.64e15), R"("-271821-04-20T00:00:00.000Z")");
}

TEST(JsDate, OutOfRangeIsNull) {
  EXPECT_EQ(date_json(8.64e15 + 1), "null");
  EXPECT_EQ(date_json(-8.64e15 - 1), "null");
  EXPECT_EQ(date_json(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(date_json(std::numeric_limits<double>::infinity()), "null");
  EXPECT_TRUE(std::isnan(js_time_clip(1e300)));
  EXPECT_FALSE(std::signbit(js_time_clip(-0.5)));  // -0 becomes +0
}

}  // namespace
}  // namespace chorus::protocol::json
