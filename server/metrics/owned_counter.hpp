#pragma once

#include <atomic>
#include <cstdint>

namespace chorus::server::metrics {

// A counter with one writer, the shard thread that owns it, and any number of readers (a scrape
// on another shard). The writer's add is a relaxed load and store, not a read-modify-write: no
// locked instruction, no cache line bouncing between cores; the atomic only keeps the reader's
// load whole and the program free of data races.
class owned_counter {
 public:
  void add(std::uint64_t n = 1) {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// The same for a value that goes up and down (open connections), same single writer.
class owned_gauge {
 public:
  void add(std::int64_t n) {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

}  // namespace chorus::server::metrics
