// chorus-room-server: the seed's room handlers on chorus, for chorus-bench until the chat service
// exists (seed/websockets-lesson.md, "Creating Rooms"; bench/node/room-server.mjs is the same
// on Node.js):
//   join_room {room, username}    joins the room; emits `status` {"msg":"<username> joined room
//                                 <room>"} to the room
//   room_message {room, message}  emits `message` {"message": message} to the room, sender included
// and, as chorus's chat does, a /chat namespace whose `message` comes back to the sender as
// `response` (and as the ack, when the client asks for one), for chorus-bench echo.
// --port (0: any free port), --threads, and chorus's cluster flags (--redis-url, --redis-mode, ...:
// bench/cluster.sh runs two of these joined over Redis, as it runs bench/node/room-server.mjs
// with the Redis adapter); prints "listening on port N" once ready, stops on SIGTERM/SIGINT.
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <string_view>

#include "protocol/json/escape.hpp"
#include "server/cli_options.hpp"
#include "server/cluster/cluster_options.hpp"
#include "server/server.hpp"
#include "server/signals.hpp"
#include "server/socketio/application.hpp"
#include "server/socketio/event.hpp"
#include "server/socketio/socket.hpp"

namespace {

using namespace chorus::server;
namespace json = chorus::protocol::json;

// The string field `name` of the event's first argument, if it is an object that has one.
bool string_field(const socketio::event& ev, const char* name, std::string_view& out) {
  if (ev.arg_count() < 1) return false;
  simdjson::dom::object object;
  if (ev.arg(0).get_object().get(object)) return false;
  return !object[name].get_string().get(out);
}

void register_rooms(socketio::application& app) {
  app.of("/")
      .on("join_room",
          [](socketio::socket& s, const socketio::event& ev) {
            std::string_view room, username;
            if (!string_field(ev, "room", room)) return;
            string_field(ev, "username", username);
            s.join(room);
            std::string status = R"({"msg":)";
            json::append_quoted(status,
                                std::string(username) + " joined room " + std::string(room));
            status += '}';
            s.broadcast(true).to(std::string(room)).emit("status", status);
          })
      .on("room_message", [](socketio::socket& s, const socketio::event& ev) {
        std::string_view room, message;
        if (!string_field(ev, "room", room) || !string_field(ev, "message", message)) return;
        std::string args = R"({"message":)";
        json::append_quoted(args, message);
        args += '}';
        s.broadcast(true).to(std::string(room)).emit("message", args);
      });
  app.of("/chat").on("message", [](socketio::socket& s, const socketio::event& ev) {
    if (ev.wants_ack()) {
      ev.ack(ev.args_json());
    } else {
      s.emit("response", ev.args_json());
    }
  });
}

}  // namespace

int main(int argc, char** argv) {
  server_config config;
  config.port = 3000;
  CLI::App cli{"chorus-room-server: the seed's room handlers, for chorus-bench"};
  add_recovery_options(cli, config.recovery);
  cli.add_option("--port", config.port, "TCP port (0: any free port)")->capture_default_str();
  cli.add_option("--threads", config.threads, "Shards (0: one per core)");
  cluster::cluster_options cluster_options;
  cluster::add_cluster_options(cli, cluster_options);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = cli.exit(e);
    return code == 0 ? 0 : 2;
  }
  raise_open_file_limit();
  block_termination_signals();
  socketio::application app;
  register_rooms(app);
  server srv(config, app.handler_factory());
  cluster::join_cluster(srv, cluster_options, app);
  try {
    srv.start();
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return 1;
  }
  std::printf("listening on port %u\n", static_cast<unsigned>(srv.port()));
  std::fflush(stdout);
  wait_for_termination_signal();
  srv.stop();
  srv.wait();
  return 0;
}
