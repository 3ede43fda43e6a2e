#pragma once

#include <span>
#include <vector>

#include "server/metrics/exposition.hpp"
#include "server/metrics/shard_census.hpp"
#include "server/metrics/shard_metrics.hpp"

namespace chorus::server::metrics {

// Every metric chorus exposes, from each shard's counters (index = shard) and census: counters
// and histograms are summed over shards, open connections are per shard. docs/OPERATIONS.md
// lists them.
std::vector<family> make_families(std::span<const shard_metrics* const> shards,
                                  std::span<const shard_census> census);

}  // namespace chorus::server::metrics
