#pragma once

// One worker process: owns connections c with c % workers == index on a single-threaded
// io_context, runs the scenario's side of them and reports through the shared state.

#include <vector>

#include "bench/client/options.hpp"
#include "bench/client/shared_state.hpp"

namespace chorus::bench {

// Runs until the parent sets stop or abort (or dies). wake_fds: one eventfd per worker (fanout:
// a worker that completes a publisher's message writes to that publisher's worker's eventfd).
// Returns the process exit code.
int run_worker(const bench_options& options, shared_state& shared, unsigned index,
               const std::vector<int>& wake_fds);

}  // namespace chorus::bench
