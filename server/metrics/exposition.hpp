#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chorus::server::metrics {

// The Prometheus text exposition format, version 0.0.4, as plain data and one pure writer: no
// I/O, no server state, so the format is unit-tested on its own.

constexpr std::string_view exposition_content_type = "text/plain; version=0.0.4; charset=utf-8";

enum class metric_type { counter, gauge, histogram };

struct label {
  std::string name;
  std::string value;
};

struct sample {
  std::vector<label> labels;
  double value = 0;
};

// One labelled histogram. `bucket_counts` holds one count per upper bound (observations in
// (previous bound, bound]) and one more for the observations above the last bound: not
// cumulative; the writer makes the buckets cumulative, and +Inf equal to the count.
struct histogram_sample {
  std::vector<label> labels;
  std::vector<double> upper_bounds;
  std::vector<std::uint64_t> bucket_counts;
  double sum = 0;
};

struct family {
  std::string name;  // counters end in _total by convention; the writer does not add it
  std::string help;
  metric_type type = metric_type::gauge;
  std::vector<sample> samples;               // counter, gauge
  std::vector<histogram_sample> histograms;  // histogram
};

// `# HELP` and `# TYPE` for each family, then its lines. A family without samples still gets
// its HELP and TYPE lines (scrapers learn it exists).
std::string write_exposition(std::span<const family> families);

// Escaping as the format requires: HELP text escapes backslash and newline; label values also
// escape the double quote.
std::string escape_help(std::string_view text);
std::string escape_label_value(std::string_view text);
// A sample value: integers without a fraction, +Inf, -Inf, NaN as spelled by the format.
std::string format_value(double value);

}  // namespace chorus::server::metrics
