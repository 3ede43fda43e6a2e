// chorus: the Socket.IO chat server.
#include <spdlog/spdlog.h>

#include <cstdio>

#include "server/chat/chat_app.hpp"
#include "server/cli_options.hpp"
#include "server/server.hpp"
#include "server/signals.hpp"
#include "server/socketio/application.hpp"
#include "server/socketio/event.hpp"
#include "server/socketio/socket.hpp"

using namespace chorus::server;

int main(int argc, char** argv) {
  server_config config;
  chat::chat_options chat_options;
  CLI::App cli{"chorus: a Socket.IO-compatible real-time chat server"};
  add_server_options(cli, config);
  cli.add_option("--rate-limit", chat_options.rate_limit,
                 "Chat events a connection may send per second (bursts as large); 0: no limit")
      ->envname("CHORUS_RATE_LIMIT")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = cli.exit(e);
    return code == 0 ? 0 : 2;
  }
  raise_open_file_limit();
  block_termination_signals();  // before any thread starts, so only sigwait sees them
  socketio::application app;
  chat::register_chat(app, chat_options);
  server srv(config, app.handler_factory());
  try {
    srv.start();
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return 1;
  }
  spdlog::info("chorus listening on http://{}:{} with {} shards", config.host, srv.port(),
               srv.shard_count());
  std::printf("listening on port %u\n", static_cast<unsigned>(srv.port()));  // for test harnesses
  std::fflush(stdout);
  wait_for_termination_signal();
  spdlog::info("shutting down");
  srv.stop();
  srv.wait();
  return 0;
}
