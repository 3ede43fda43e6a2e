#include "bench/client/progress.hpp"

#include <gtest/gtest.h>

namespace chorus::bench {
namespace {

TEST(Progress, DrawsABarWhenTheEndIsKnown) {
  EXPECT_EQ(format_progress("echo", 0.5, 3.14, 1234.4, "round trips"),
            "echo      [############------------]  50%    3.1 s  1234 round trips/s");
  EXPECT_EQ(format_progress("drain", 2.0, 1, 0, "deliveries"),
            "drain     [########################] 100%    1.0 s  0 deliveries/s");
  EXPECT_EQ(format_progress("connect", std::nullopt, 0, 0, "connected"),
            "connect      0.0 s  0 connected/s");
}

TEST(Progress, SilentWhenStdoutIsNoTerminal) {
  // Under ctest stdout is a pipe or file: nothing may be written into the report's stream.
  testing::internal::CaptureStdout();
  progress_bar bar(true);
  bar.show("visible?");
  bar.clear();
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
}

}  // namespace
}  // namespace chorus::bench
