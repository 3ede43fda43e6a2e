#include "test/rooms/allocation_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<std::size_t> allocations{0};
}  // namespace

namespace chorus::rooms::test {

#ifdef CHORUS_ROOMS_TEST_NO_ALLOCATION_COUNTER
bool allocation_counting() {
  return false;
}
#else
bool allocation_counting() {
  return true;
}
#endif

std::size_t allocation_count() {
  return allocations.load(std::memory_order_relaxed);
}

}  // namespace chorus::rooms::test

#ifndef CHORUS_ROOMS_TEST_NO_ALLOCATION_COUNTER
// Replacements of the global allocation functions for the whole binary. The array and nothrow
// forms forward here by default; sanitizers still see the malloc/free underneath.
void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#endif
