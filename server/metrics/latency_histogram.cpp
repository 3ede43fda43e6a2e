#include "server/metrics/latency_histogram.hpp"

#include <algorithm>

namespace chorus::server::metrics {
namespace {

// The bounds in nanoseconds, so observe compares integers.
constexpr auto upper_bounds_ns = [] {
  std::array<std::int64_t, latency_histogram::upper_bounds_seconds.size()> ns{};
  for (std::size_t i = 0; i < ns.size(); ++i)
    ns[i] = static_cast<std::int64_t>(latency_histogram::upper_bounds_seconds[i] * 1e9 + 0.5);
  return ns;
}();

}  // namespace

void latency_histogram::observe(std::chrono::nanoseconds elapsed) {
  std::int64_t ns = std::max<std::int64_t>(elapsed.count(), 0);
  // le semantics: a value equal to a bound belongs to that bound's bucket.
  auto at = std::lower_bound(upper_bounds_ns.begin(), upper_bounds_ns.end(), ns);
  buckets_[static_cast<std::size_t>(at - upper_bounds_ns.begin())].add();
  sum_ns_.add(static_cast<std::uint64_t>(ns));
}

std::array<std::uint64_t, latency_histogram::bucket_count> latency_histogram::bucket_counts()
    const {
  std::array<std::uint64_t, bucket_count> counts{};
  for (std::size_t i = 0; i < bucket_count; ++i) counts[i] = buckets_[i].value();
  return counts;
}

double latency_histogram::sum_seconds() const {
  return static_cast<double>(sum_ns_.value()) / 1e9;
}

}  // namespace chorus::server::metrics
