#include "bench/client/histogram.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace chorus::bench {
namespace {

TEST(Histogram, EmptyReportsZero) {
  histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
}

TEST(Histogram, SmallValuesAreExact) {
  for (std::uint64_t v = 0; v < 32; ++v) {
    EXPECT_EQ(histogram::bucket_of(v), v);
    EXPECT_EQ(histogram::bucket_lower(v), v);
    EXPECT_EQ(histogram::bucket_upper(v), v);
  }
}

TEST(Histogram, BucketsTileTheRangeWithBoundedError) {
  // Every bucket starts right after the previous one ends, and is at most 1/32 of its start wide.
  for (std::size_t b = 1; b < histogram::bucket_count; ++b) {
    ASSERT_EQ(histogram::bucket_lower(b), histogram::bucket_upper(b - 1) + 1) << b;
    if (b >= 32) {
      double width = static_cast<double>(histogram::bucket_upper(b) - histogram::bucket_lower(b));
      EXPECT_LE(width / static_cast<double>(histogram::bucket_lower(b)), 1.0 / 32) << b;
    }
  }
  EXPECT_EQ(histogram::bucket_upper(histogram::bucket_count - 1), UINT64_MAX);
}

TEST(Histogram, ValuesLandInTheirBucket) {
  const std::uint64_t values[] = {
      32, 33, 63, 64, 65, 1000, 123456789, 1ull << 40, (1ull << 40) + 12345, UINT64_MAX};
  for (std::uint64_t v : values) {
    std::size_t b = histogram::bucket_of(v);
    EXPECT_LE(histogram::bucket_lower(b), v) << v;
    EXPECT_GE(histogram::bucket_upper(b), v) << v;
  }
}

TEST(Histogram, PercentilesOfUniformValues) {
  histogram h;
  for (std::uint64_t v = 1; v <= 100'000; ++v) h.record(v);
  EXPECT_EQ(h.count(), 100'000u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100'000u);
  EXPECT_NEAR(h.mean(), 50'000.5, 1e-6);
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    double exact = p / 100 * 100'000;
    double got = static_cast<double>(h.percentile(p));
    EXPECT_GE(got, exact) << p;
    EXPECT_LE(got, exact * (1 + 1.0 / 32)) << p;
  }
  EXPECT_EQ(h.percentile(100), 100'000u);
}

TEST(Histogram, PercentileClampsToObservedRange) {
  histogram h;
  h.record(1000);  // bucket [992, 1023]
  EXPECT_EQ(h.percentile(50), 1000u);
  EXPECT_EQ(h.percentile(99.9), 1000u);
}

TEST(Histogram, OutlierShowsOnlyAtTheTail) {
  histogram h;
  for (int i = 0; i < 999; ++i) h.record(10);
  h.record(5'000'000);
  EXPECT_EQ(h.percentile(50), 10u);
  EXPECT_EQ(h.percentile(99.9), 10u);
  EXPECT_EQ(h.max(), 5'000'000u);
  EXPECT_EQ(h.percentile(100), 5'000'000u);
}

TEST(Histogram, MergeEqualsRecordingEverything) {
  histogram a, b, all;
  for (std::uint64_t v = 0; v < 5000; v += 7) {
    (v % 2 ? a : b).record(v * 31);
    all.record(v * 31);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  for (double p : {1.0, 50.0, 99.0, 100.0}) EXPECT_EQ(a.percentile(p), all.percentile(p)) << p;
}

TEST(Histogram, MergeWithEmptyKeepsMin) {
  histogram a, empty;
  a.record(500);
  a.merge(empty);
  EXPECT_EQ(a.min(), 500u);
  empty.merge(a);
  EXPECT_EQ(empty.min(), 500u);
}

}  // namespace
}  // namespace chorus::bench
