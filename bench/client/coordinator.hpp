#pragma once

#include "bench/client/options.hpp"

namespace chorus::bench {

// Runs a scenario: forks the workers, connects (and joins) the setup connections, measures,
// drains, prints the report (text or JSON) and writes the HTML report if asked. Returns the exit
// code: 0; 1 when something failed or anything was lost; 2 when --html cannot be written.
int run_bench(const bench_options& options);

}  // namespace chorus::bench
