#include "bench/client/shared_state.hpp"

#include <sys/mman.h>

#include <new>
#include <stdexcept>

namespace chorus::bench {

namespace {
std::size_t round_up(std::size_t n) {
  return (n + 63) / 64 * 64;
}
}  // namespace

shared_state::shared_state(unsigned workers, unsigned publishers, unsigned in_flight)
    : workers_(workers), in_flight_(in_flight), window_count_(std::size_t{publishers} * in_flight) {
  static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
  std::size_t control_size = round_up(sizeof(control_block));
  std::size_t slots_size = round_up(sizeof(worker_slot) * workers);
  size_ = control_size + slots_size + sizeof(std::atomic<std::uint32_t>) * window_count_;
  memory_ = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory_ == MAP_FAILED) throw std::runtime_error("mmap of the shared state failed");
  auto* base = static_cast<char*>(memory_);
  control_ = new (base) control_block;
  slots_ = reinterpret_cast<worker_slot*>(base + control_size);
  for (unsigned i = 0; i < workers; ++i) new (&slots_[i]) worker_slot;
  windows_ = reinterpret_cast<std::atomic<std::uint32_t>*>(base + control_size + slots_size);
  for (std::size_t i = 0; i < window_count_; ++i) new (&windows_[i]) std::atomic<std::uint32_t>(0);
}

shared_state::~shared_state() {
  if (memory_) munmap(memory_, size_);
}

}  // namespace chorus::bench
