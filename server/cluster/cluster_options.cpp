#include "server/cluster/cluster_options.hpp"

#include <stdexcept>

#include "protocol/socketio/event_args.hpp"
#include "server/cluster/redis_adapter.hpp"
#include "server/cluster/redis_streams_adapter.hpp"
#include "server/cluster/redis_url.hpp"
#include "server/cluster/sharded_redis_adapter.hpp"
#include "server/server.hpp"
#include "server/socketio/application.hpp"

namespace chorus::server::cluster {

void add_cluster_options(CLI::App& app, cluster_options& options) {
  app.add_option("--redis-url", options.redis_url,
                 "Join a cluster over Redis, redis://[user:password@]host[:port][/db], speaking "
                 "@socket.io/redis-adapter's protocol (unset: one node)")
      ->envname("CHORUS_REDIS_URL")
      ->check([](const std::string& url) { return parse_redis_url(url).error; },
              "redis://[user:password@]host[:port][/db]");
  app.add_option("--redis-key", options.redis_key,
                 "Prefix of the cluster's Redis channels (the Node adapter's `key`)")
      ->envname("CHORUS_REDIS_KEY")
      ->capture_default_str();
  app.add_option("--redis-requests-timeout", options.requests_timeout_ms,
                 "How long a cluster request (fetchSockets, allRooms, ...) waits for the other "
                 "nodes, ms")
      ->envname("CHORUS_REDIS_REQUESTS_TIMEOUT")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3'600'000}))
      ->capture_default_str();
  app.add_option("--redis-mode", options.redis_mode,
                 "Which Node.js Redis adapter's protocol the cluster speaks: pubsub "
                 "(@socket.io/redis-adapter createAdapter), sharded (its createShardedAdapter: "
                 "sharded Pub/Sub, Redis >= 7) or streams (@socket.io/redis-streams-adapter: "
                 "the stream --redis-key, Redis >= 5)")
      ->envname("CHORUS_REDIS_MODE")
      ->check(CLI::IsMember({"pubsub", "sharded", "streams"}))
      ->capture_default_str();
}

namespace {

// Runs the namespace's handler for one serverSideEmit event on shard 0, where applications'
// handlers run (a shard thread, never the link's).
fanout::server_event_sink server_event_sink(server& srv, const socketio::application& app) {
  return [&srv, &app](const std::string& nsp, std::string data_json,
                      std::function<void(std::string)> reply) {
    shard& home = srv.shard_at(0);
    asio::post(home.executor(), [&home, &app, nsp, data_json = std::move(data_json),
                                 reply = std::move(reply)]() mutable {
      const socketio::namespace_handlers* handlers = app.find(nsp);
      if (!handlers) return;
      simdjson::dom::array array;
      std::string_view name;
      if (home.json_parser().parse(data_json).get_array().get(array) || array.size() == 0 ||
          array.at(0).get_string().get(name))
        return;
      const auto* handler = handlers->find_server_event(name);
      if (!handler) return;  // as socket.io: no listener, no reply
      (*handler)(protocol::socketio::args_after_name(data_json),
                 socketio::server_reply(std::move(reply)));
    });
  };
}

}  // namespace

std::unique_ptr<fanout::adapter> make_cluster_adapter(server& srv, const cluster_options& options,
                                                      const socketio::application& app) {
  if (options.redis_url.empty()) return nullptr;
  redis_url_result url = parse_redis_url(options.redis_url);
  if (!url.ok()) throw std::invalid_argument(url.error);
  redis_adapter_options adapter_options;
  adapter_options.endpoint = url.endpoint;
  adapter_options.key = options.redis_key;
  adapter_options.requests_timeout = std::chrono::milliseconds(options.requests_timeout_ms);
  if (options.redis_mode == "sharded")
    return std::make_unique<sharded_redis_adapter>(
        srv, std::move(adapter_options), app.namespace_names(), server_event_sink(srv, app));
  if (options.redis_mode == "streams")
    return std::make_unique<redis_streams_adapter>(
        srv, std::move(adapter_options), app.namespace_names(), server_event_sink(srv, app));
  return std::make_unique<redis_adapter>(srv, std::move(adapter_options), app.namespace_names(),
                                         server_event_sink(srv, app));
}

void join_cluster(server& srv, const cluster_options& options, const socketio::application& app) {
  if (auto adapter = make_cluster_adapter(srv, options, app)) srv.set_adapter(std::move(adapter));
}

}  // namespace chorus::server::cluster
