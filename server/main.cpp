// chorus: the Socket.IO chat server.
#include <spdlog/spdlog.h>

#include "server/cli_options.hpp"
#include "server/server.hpp"
#include "server/signals.hpp"
#include "server/socketio/application.hpp"
#include "server/socketio/event.hpp"
#include "server/socketio/socket.hpp"

namespace {

using namespace chorus::server;

// Until the chat service lands, the main namespace greets and echoes, like the seed's first
// example.
void register_demo(socketio::application& app) {
  app.of("/")
      .on_connection(
          [](socketio::socket& s) { s.emit("status", R"({"msg":"Connected to chat!"})"); })
      .on("message", [](socketio::socket& s, const socketio::event& ev) {
        s.emit("message", ev.args_json(), ev.attachments());
      });
}

}  // namespace

int main(int argc, char** argv) {
  server_config config;
  CLI::App cli{"chorus: a Socket.IO-compatible real-time chat server"};
  add_server_options(cli, config);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = cli.exit(e);
    return code == 0 ? 0 : 2;
  }
  raise_open_file_limit();
  block_termination_signals();  // before any thread starts, so only sigwait sees them
  socketio::application app;
  register_demo(app);
  server srv(config, app.handler_factory());
  try {
    srv.start();
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return 1;
  }
  spdlog::info("chorus listening on http://{}:{} with {} shards", config.host, srv.port(),
               srv.shard_count());
  wait_for_termination_signal();
  spdlog::info("shutting down");
  srv.stop();
  srv.wait();
  return 0;
}
