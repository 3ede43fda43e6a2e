// chorus: the Socket.IO chat server.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

#include "server/admin/admin_options.hpp"
#include "server/admin/admin_service.hpp"
#include "server/chat/chat_app.hpp"
#include "server/chat/chat_redis_link.hpp"
#include "server/chat/history_store.hpp"
#include "server/chat/local_presence.hpp"
#include "server/chat/redis_history.hpp"
#include "server/chat/redis_presence.hpp"
#include "server/cli_options.hpp"
#include "server/cluster/cluster_options.hpp"
#include "server/cluster/redis_url.hpp"
#include "server/config_file.hpp"
#include "server/http/static_handler.hpp"
#include "server/http/static_loader.hpp"
#include "server/logging.hpp"
#include "server/server.hpp"
#include "server/signals.hpp"
#include "server/socketio/application.hpp"
#include "server/socketio/event.hpp"
#include "server/socketio/socket.hpp"
#include "server/tls/tls_context.hpp"

using namespace chorus::server;

int main(int argc, char** argv) {
  server_config config;
  chat::chat_options chat_options;
  CLI::App cli{"chorus: a Socket.IO-compatible real-time chat server"};
  add_server_options(cli, config);
  config.recovery.window = std::chrono::minutes(2);  // socket.io's maxDisconnectionDuration
  add_recovery_options(cli, config.recovery);
  http::static_sources static_sources;
  add_static_options(cli, static_sources);
  add_jwt_options(cli, chat_options.jwt_secret);
  cli.add_option("--rate-limit", chat_options.rate_limit,
                 "Chat events a connection may send per second (bursts as large); 0: no limit")
      ->envname("CHORUS_RATE_LIMIT")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  chat::history_options history_options;
  cli.add_option("--db", history_options.path,
                 "SQLite file for the chat history, relative to the working directory "
                 "(':memory:' keeps none across restarts)")
      ->envname("CHORUS_DB")
      ->capture_default_str();
  cluster::cluster_options cluster_options;
  cluster::add_cluster_options(cli, cluster_options);
  admin::admin_options admin_options;
  admin::add_admin_options(cli, admin_options);
  logging_options logging;
  add_logging_options(cli, logging);
  add_config_file_option(cli);  // last: it checks the file's names against every option
  try {
    cli.parse(argc, argv);
    // Recovery is on by default, but not supported with msgpack yet: off unless asked for.
    if (config.parser == packet_parser::msgpack && cli.count("--recovery-window") == 0)
      config.recovery.window = std::chrono::milliseconds(0);
    check_parser_option(config, !cluster_options.redis_url.empty());
    admin::check_admin_options(admin_options);
  } catch (const CLI::FileError& e) {  // CLI11's own words name the file, not the option
    std::fprintf(stderr, "--config: %s\n", e.what());
    return 2;
  } catch (const CLI::ParseError& e) {
    int code = cli.exit(e);
    return code == 0 ? 0 : 2;
  }
  apply_logging_options(logging);
  std::shared_ptr<http::access_log> access_log;
  try {
    access_log = open_access_log(logging);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  std::shared_ptr<boost::asio::ssl::context> tls_context;
  try {
    tls_context = tls::make_tls_context(config);
  } catch (const tls::tls_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  raise_open_file_limit();
  block_termination_signals();  // before any thread starts, so only sigwait sees them
  socketio::application app;
  // Before the server, so they outlive every handler; closed (flushed) after the shards stop.
  // One node: SQLite and the in-process presence. With --redis-url: Redis, shared by the nodes.
  std::unique_ptr<chat::chat_redis_link> chat_link;
  std::unique_ptr<chat::history> history;
  std::unique_ptr<chat::presence_service> people;
  chat::redis_presence* cluster_people = nullptr;
  if (cluster_options.redis_url.empty()) {
    try {
      history = std::make_unique<chat::history_store>(history_options);
    } catch (const std::exception& e) {
      spdlog::critical("cannot open the chat history: {}", e.what());
      return 1;
    }
    people = std::make_unique<chat::local_presence>(chat_options.max_listed_users);
  } else {
    chat::chat_redis_options link_options;
    link_options.endpoint = cluster::parse_redis_url(cluster_options.redis_url).endpoint;
    chat_link = std::make_unique<chat::chat_redis_link>(link_options);
    // Bounded: a node whose Redis is away starts anyway, and its chat answers "Server busy".
    if (!chat_link->wait_up(std::chrono::milliseconds(2000)))
      spdlog::warn("chat: Redis not reachable yet; history and presence wait for it");
    history = std::make_unique<chat::redis_history>(
        *chat_link,
        chat::redis_history_options{cluster_options.redis_key, history_options.per_room});
    auto redis_people = std::make_unique<chat::redis_presence>(
        *chat_link,
        chat::redis_presence_options{cluster_options.redis_key, chat_options.max_listed_users});
    redis_people->start();
    cluster_people = redis_people.get();
    people = std::move(redis_people);
  }
  chat::register_chat(app, chat_options, *history, *people);
  // Before the server (which it outlives) and before join_cluster, which subscribes to every
  // namespace registered by then.
  std::unique_ptr<admin::admin_service> admin_ui;
  if (admin_options.enabled) admin_ui = std::make_unique<admin::admin_service>(admin_options, app);
  server srv(config, app.handler_factory());
  cluster::join_cluster(srv, cluster_options, app);
  if (admin_ui) admin_ui->attach(srv);
  srv.set_tls_context(tls_context);
  srv.set_access_log(access_log);
  // The page and the client bundle, read once; the bundle sits in the Engine.IO path's
  // directory (/socket.io/socket.io.min.js), as the Node.js server serves it.
  static_sources.bundle_prefix = config.path.substr(1);
  static_sources.serve_admin_ui = admin_options.enabled;
  srv.set_http_handler(http::make_static_handler(
      std::make_shared<const http::static_content>(http::load_static_content(static_sources))));
  try {
    srv.start();
  } catch (const listen_error& e) {
    spdlog::critical("{}", e.what());
    return 1;
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return 1;
  }
  if (admin_ui) admin_ui->start();
  spdlog::info("chorus listening on {}://{}:{} with {} shards", tls_context ? "https" : "http",
               config.host, srv.port(), srv.shard_count());
  std::printf("listening on port %u\n", static_cast<unsigned>(srv.port()));  // for test harnesses
  std::fflush(stdout);
  wait_for_termination_signal();
  // Graceful shutdown, bounded by --shutdown-timeout; a second signal cuts it short.
  exit_on_next_termination_signal();
  spdlog::info("shutting down: draining for at most {} ms", config.shutdown_timeout.count());
  if (admin_ui) admin_ui->stop();
  srv.begin_drain();
  if (!srv.wait_for(config.shutdown_timeout)) {
    spdlog::warn("shutdown: still draining after {} ms, closing what is left",
                 config.shutdown_timeout.count());
    srv.stop_now();
  }
  srv.wait();
  // This node's users go offline at once; then the link stops (before the shards' executors go).
  if (cluster_people) cluster_people->close();
  if (chat_link) chat_link->close();
  history->close();  // commits what is queued; its acks go to shards that no longer run
  spdlog::info("shut down");
  return 0;
}
