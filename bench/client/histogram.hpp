#pragma once

// Log-linear latency histogram: exact below 32, then 32 linear sub-buckets per power of two
// (relative error under 1/32 ≈ 3%). Fixed size and trivially copyable, so worker processes can
// hand theirs to the parent through shared memory and the parent merges them.

#include <array>
#include <cstddef>
#include <cstdint>

namespace chorus::bench {

class histogram {
 public:
  static constexpr unsigned sub_bits = 5;
  static constexpr std::uint64_t sub_count = 1u << sub_bits;  // 32
  static constexpr std::size_t bucket_count = (64 - sub_bits + 1) * sub_count;

  void record(std::uint64_t value);
  void merge(const histogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0.0; }
  // The value at percentile p (0–100]: the upper bound of the bucket holding the rank
  // ceil(p/100 · count), clamped to [min, max]. 0 when empty.
  std::uint64_t percentile(double p) const;

  std::uint64_t bucket(std::size_t i) const { return buckets_[i]; }  // values counted in bucket i

  static std::size_t bucket_of(std::uint64_t value);
  static std::uint64_t bucket_lower(std::size_t bucket);
  static std::uint64_t bucket_upper(std::size_t bucket);

 private:
  std::array<std::uint64_t, bucket_count> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t min_ = ~std::uint64_t{0};
  std::uint64_t max_ = 0;
  std::uint64_t sum_ = 0;
};

}  // namespace chorus::bench
