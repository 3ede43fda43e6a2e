#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "server/fanout/adapter.hpp"

namespace chorus::server {
class server;
namespace socketio {
class application;
}
}  // namespace chorus::server

namespace chorus::server::cluster {

// How a node joins a cluster. No --redis-url: one node, the local adapter.
struct cluster_options {
  std::string redis_url;
  std::string redis_key = "socket.io";
  std::int64_t requests_timeout_ms = 5000;
  // Which Node.js adapter's protocol: "pubsub" (@socket.io/redis-adapter createAdapter, classic
  // Pub/Sub), "sharded" (its createShardedAdapter, sharded Pub/Sub, Redis >= 7) or "streams"
  // (@socket.io/redis-streams-adapter 0.3: a Redis stream plus Pub/Sub). Every node of a
  // cluster speaks the same.
  std::string redis_mode = "pubsub";
};

// Registers --redis-url, --redis-key, --redis-requests-timeout and --redis-mode
// (CHORUS_REDIS_URL, CHORUS_REDIS_KEY, CHORUS_REDIS_REQUESTS_TIMEOUT, CHORUS_REDIS_MODE).
void add_cluster_options(CLI::App& app, cluster_options& options);

// The adapter the options ask for (null: keep the local one), serving `app`'s namespaces; other
// nodes' serverSideEmit events run `app`'s handlers on shard 0. `app` outlives the server.
// Throws std::invalid_argument with a message for the user when the URL is not one (options
// parsed by add_cluster_options never are: --redis-url's check refuses them first).
std::unique_ptr<fanout::adapter> make_cluster_adapter(server& srv, const cluster_options& options,
                                                      const socketio::application& app);
// Gives `srv` that adapter, when the options ask for one (before srv.start()).
void join_cluster(server& srv, const cluster_options& options, const socketio::application& app);

}  // namespace chorus::server::cluster
