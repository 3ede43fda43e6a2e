#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <span>

#include "server/metrics/owned_counter.hpp"

namespace chorus::server::metrics {

// A latency histogram with fixed buckets, written by one shard thread (see owned_counter).
// Buckets hold per-bucket (not cumulative) counts; the exposition writer accumulates them.
class latency_histogram {
 public:
  // Upper bounds in seconds: 1 µs to 1 s, so the fan-out path's microseconds and a slow
  // handler's milliseconds both land in a bucket of their own.
  static constexpr std::array<double, 16> upper_bounds_seconds{
      0.000001, 0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005,
      0.001,    0.0025,   0.005,   0.01,     0.025,   0.1,    0.25,    1.0};
  static constexpr std::size_t bucket_count = upper_bounds_seconds.size() + 1;  // and +Inf

  void observe(std::chrono::nanoseconds elapsed);

  // Reads for a scrape: per-bucket counts and the sum (relaxed, so a scrape racing an observe
  // may see one without the other; the next scrape agrees).
  std::array<std::uint64_t, bucket_count> bucket_counts() const;
  double sum_seconds() const;

 private:
  std::array<owned_counter, bucket_count> buckets_;
  owned_counter sum_ns_;
};

}  // namespace chorus::server::metrics
