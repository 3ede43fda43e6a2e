#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace chorus::server {
class shard;
}

namespace chorus::server::metrics {

// What a shard holds right now, counted on its own thread (its room tables are not shared).
struct namespace_census {
  std::string nsp;
  std::size_t sockets = 0;
  // Rooms with a member here, but not the room each socket has of its own (named by its id).
  std::vector<std::string> rooms;
};

struct shard_census {
  std::vector<namespace_census> namespaces;
};

// Runs on `home`'s thread.
shard_census take_census(shard& home);

}  // namespace chorus::server::metrics
