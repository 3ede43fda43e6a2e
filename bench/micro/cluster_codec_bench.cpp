// The cluster link's per-message codec work, as a node's link thread does it for every broadcast
// it publishes (encode) and every one another node published (decode): the classic Redis
// adapter's notepack message [uid, packet, opts] for a chat room_message of `size` bytes to one
// room. Paid once per message per node, whatever the room's size, so it bounds how many cluster
// messages one link thread can carry (docs/BENCHMARKS.md, "On paper: a cluster of 64-core
// nodes"). items/s = messages.
#include <benchmark/benchmark.h>

#include <string>

#include "protocol/cluster/redis_messages.hpp"

namespace {

namespace cluster = chorus::protocol::cluster;

cluster::event_packet room_message(std::size_t size) {
  cluster::event_packet packet;
  packet.data_json = R"(["message",{"message":")" + std::string(size, 'x') +
                     R"(","username":"alice","room":"lobby","timestamp":"12:00:00"}])";
  return packet;
}

cluster::broadcast_options to_room() {
  cluster::broadcast_options opts;
  opts.rooms = {"lobby"};
  return opts;
}

void BM_Cluster_encode_broadcast(benchmark::State& state) {
  const auto packet = room_message(static_cast<std::size_t>(state.range(0)));
  const auto opts = to_room();
  for (auto _ : state) {
    std::string message = cluster::encode_redis_broadcast("a1b2c3", packet, opts);
    if (message.empty()) {
      state.SkipWithError("not encoded");
      return;
    }
    benchmark::DoNotOptimize(message);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Cluster_encode_broadcast)->Arg(100)->Arg(1000);

void BM_Cluster_decode_broadcast(benchmark::State& state) {
  const std::string message = cluster::encode_redis_broadcast(
      "a1b2c3", room_message(static_cast<std::size_t>(state.range(0))), to_room());
  std::string error;
  for (auto _ : state) {
    auto decoded = cluster::decode_redis_broadcast(message, error);
    if (!decoded) {
      state.SkipWithError("not decoded");
      return;
    }
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(message.size()));
}
BENCHMARK(BM_Cluster_decode_broadcast)->Arg(100)->Arg(1000);

}  // namespace
