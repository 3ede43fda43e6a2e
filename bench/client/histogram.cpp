#include "bench/client/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace chorus::bench {

std::size_t histogram::bucket_of(std::uint64_t value) {
  if (value < sub_count) return static_cast<std::size_t>(value);
  unsigned exponent = 63 - static_cast<unsigned>(std::countl_zero(value));  // ≥ sub_bits
  std::uint64_t sub = (value >> (exponent - sub_bits)) & (sub_count - 1);
  return (exponent - sub_bits + 1) * sub_count + sub;
}

std::uint64_t histogram::bucket_lower(std::size_t bucket) {
  if (bucket < sub_count) return bucket;
  unsigned exponent = static_cast<unsigned>(bucket / sub_count) + sub_bits - 1;
  std::uint64_t sub = bucket % sub_count;
  return (sub_count + sub) << (exponent - sub_bits);
}

std::uint64_t histogram::bucket_upper(std::size_t bucket) {
  if (bucket < sub_count) return bucket;
  unsigned exponent = static_cast<unsigned>(bucket / sub_count) + sub_bits - 1;
  return bucket_lower(bucket) + ((std::uint64_t{1} << (exponent - sub_bits)) - 1);
}

void histogram::record(std::uint64_t value) {
  ++buckets_[bucket_of(value)];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += value;
}

void histogram::merge(const histogram& other) {
  for (std::size_t i = 0; i < bucket_count; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

std::uint64_t histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_) - 1e-9));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::clamp(bucket_upper(i), min(), max_);
  }
  return max_;
}

}  // namespace chorus::bench
