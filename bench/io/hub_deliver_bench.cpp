// One shard's delivery of a broadcast through the hub (server/fanout/shard_hub.cpp): the room
// walk and the call into each recipient, with real socketio::sockets whose client has no
// session, so a delivery stops at the client and no byte is queued or written. What is left is
// the hub's own cost per recipient, the part the participant seam (issue 15) could change.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "server/fanout/broadcast_job.hpp"
#include "server/server.hpp"
#include "server/socketio/application.hpp"
#include "server/socketio/client.hpp"
#include "server/socketio/socket.hpp"

namespace {

namespace cs = chorus::server;

void hub_deliver_to_room(benchmark::State& state) {
  cs::socketio::application app;
  const cs::socketio::namespace_handlers& handlers = app.of("/");
  cs::server_config config;
  config.threads = 1;
  cs::server srv(config, app.handler_factory());  // never started: no thread, no port
  cs::shard& home = srv.shard_at(0);
  cs::socketio::client owner(app, home, srv);
  std::vector<std::shared_ptr<cs::socketio::socket>> sockets;
  const auto members = static_cast<int>(state.range(0));
  for (int i = 0; i < members; ++i) {
    sockets.push_back(std::make_shared<cs::socketio::socket>(owner, handlers, "/",
                                                             "s" + std::to_string(i), "", "{}"));
    sockets.back()->attach_to_hub();
    sockets.back()->join("big");
  }
  cs::fanout::broadcast_job job;
  job.nsp = "/";
  job.target.rooms = {"big"};
  job.packets.push_back(cs::engineio::make_text_packet(R"(42["m",1])"));
  for (auto _ : state) home.hub().deliver(job);
  state.SetItemsProcessed(state.iterations() * members);  // items/s = deliveries per second
  for (auto& s : sockets) s->on_disconnected(cs::disconnect_reason::server_shutting_down);
}
BENCHMARK(hub_deliver_to_room)->Arg(1000)->Arg(10000);

}  // namespace
