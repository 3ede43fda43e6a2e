#pragma once

// Counts global operator new calls in this test binary, so a test can assert that a hot path
// allocates nothing. Clang's sanitizer runtimes link their own operator new statically, so under
// them the replacement is left out and counting reports itself unavailable (tests skip).

#include <cstddef>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define CHORUS_ROOMS_TEST_NO_ALLOCATION_COUNTER 1
#endif
#endif

namespace chorus::rooms::test {

bool allocation_counting();
std::size_t allocation_count();

}  // namespace chorus::rooms::test
