#pragma once

#include <algorithm>
#include <chrono>

namespace chorus::server::guard {

// A per-connection rate limit: `rate` events a second, bursts up to `rate` (at least 1).
class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  explicit token_bucket(double rate, clock::time_point now = clock::now())
      : rate_(rate), capacity_(std::max(1.0, rate)), tokens_(capacity_), last_(now) {}

  // Returns a token taken for something that turned out not to count (never past the burst).
  void give_back() { tokens_ = std::min(capacity_, tokens_ + 1.0); }

  // Takes one token if there is one. A rate of 0 means no limit.
  bool try_take(clock::time_point now = clock::now()) {
    if (rate_ <= 0) return true;
    std::chrono::duration<double> elapsed = now - last_;
    last_ = now;
    tokens_ = std::min(capacity_, tokens_ + elapsed.count() * rate_);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  double rate_;
  double capacity_;
  double tokens_;
  clock::time_point last_;
};

}  // namespace chorus::server::guard
