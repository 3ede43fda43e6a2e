#pragma once

#include "bench/client/options.hpp"

namespace chorus::bench {

// Runs the fanout scenario: forks the workers, connects and joins everyone, sends, drains,
// reports on stdout. Returns the exit code: 0, or 1 when something failed or a message was lost.
int run_fanout(const fanout_options& options);

}  // namespace chorus::bench
