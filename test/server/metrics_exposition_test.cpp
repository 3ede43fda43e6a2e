// The Prometheus text writer: escaping, value spelling, histogram buckets.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "server/metrics/exposition.hpp"

namespace chorus::server::metrics {
namespace {

TEST(Exposition, EscapesHelpBackslashAndNewlineOnly) {
  EXPECT_EQ(escape_help("a\\b\nc\"d"), "a\\\\b\\nc\"d");
}

TEST(Exposition, EscapesLabelValueBackslashQuoteNewline) {
  EXPECT_EQ(escape_label_value("a\\b\nc\"d"), "a\\\\b\\nc\\\"d");
  EXPECT_EQ(escape_label_value("transport close"), "transport close");
}

TEST(Exposition, FormatsValues) {
  struct row {
    double value;
    const char* text;
  };
  const row rows[] = {
      {0, "0"},
      {42, "42"},
      {-3, "-3"},
      {0.5, "0.5"},
      {1e-6, "1e-06"},
      {9007199254740993.0, "9007199254740992"},  // rounded by double, exact past 2^53 as float
      {std::numeric_limits<double>::infinity(), "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf"},
      {std::nan(""), "NaN"},
  };
  for (const row& r : rows) EXPECT_EQ(format_value(r.value), r.text) << r.text;
}

TEST(Exposition, CounterAndGaugeWithLabels) {
  std::vector<family> families;
  families.push_back({"x_total", "Things.\nMore", metric_type::counter, {{{}, 7}}, {}});
  families.push_back({"y",
                      "Y",
                      metric_type::gauge,
                      {{{{"a", "1"}, {"b", "q\"\\\n"}}, 2.5}, {{{"a", "2"}}, 0}},
                      {}});
  EXPECT_EQ(write_exposition(families),
            "# HELP x_total Things.\\nMore\n"
            "# TYPE x_total counter\n"
            "x_total 7\n"
            "# HELP y Y\n"
            "# TYPE y gauge\n"
            "y{a=\"1\",b=\"q\\\"\\\\\\n\"} 2.5\n"
            "y{a=\"2\"} 0\n");
}

TEST(Exposition, FamilyWithoutSamplesKeepsHelpAndType) {
  std::vector<family> families{{"z", "Z", metric_type::gauge, {}, {}}};
  EXPECT_EQ(write_exposition(families), "# HELP z Z\n# TYPE z gauge\n");
}

TEST(Exposition, HistogramBucketsAreCumulativeAndInfEqualsCount) {
  histogram_sample h;
  h.labels = {{"shard", "0"}};
  h.upper_bounds = {0.001, 0.01, 0.1};
  h.bucket_counts = {2, 0, 3, 4};  // the last: above 0.1
  h.sum = 1.25;
  std::vector<family> families{{"lat_seconds", "Latency", metric_type::histogram, {}, {h}}};
  EXPECT_EQ(write_exposition(families),
            "# HELP lat_seconds Latency\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{shard=\"0\",le=\"0.001\"} 2\n"
            "lat_seconds_bucket{shard=\"0\",le=\"0.01\"} 2\n"
            "lat_seconds_bucket{shard=\"0\",le=\"0.1\"} 5\n"
            "lat_seconds_bucket{shard=\"0\",le=\"+Inf\"} 9\n"
            "lat_seconds_sum{shard=\"0\"} 1.25\n"
            "lat_seconds_count{shard=\"0\"} 9\n");
}

TEST(Exposition, HistogramWithoutLabelsAndEmpty) {
  histogram_sample h;
  h.upper_bounds = {1};
  h.bucket_counts = {0, 0};
  std::vector<family> families{{"h", "H", metric_type::histogram, {}, {h}}};
  EXPECT_EQ(write_exposition(families),
            "# HELP h H\n# TYPE h histogram\n"
            "h_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n");
}

}  // namespace
}  // namespace chorus::server::metrics
