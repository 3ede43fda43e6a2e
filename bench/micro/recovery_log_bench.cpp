// What one packet kept for connection state recovery costs in memory: appends N room broadcasts
// (`["message",{"message":"<payload>"}]` to "room-0", as chorus-room-server's room_message
// sends them; optionally without the sender, as socket.to(room) does) to a recovery::packet_log
// whose window and byte bound never drop anything, and reports the heap it took, mallinfo2()'s
// uordblks after minus before, per packet (heap_bytes_per_packet) next to what the log counts
// against --recovery-max-bytes, packet_log::footprint() summed (counted_bytes_per_packet), and
// their ratio. The broadcast the server encoded is freed once delivered; what stays is the log's
// numbered copy, which is what this measures (the copy returned by append() is dropped at once,
// as it is once every recipient has written it). Time per append is reported too.
//   chorus_recovery_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "protocol/json/escape.hpp"
#include "server/fanout/broadcast_job.hpp"
#include "server/recovery/packet_log.hpp"
#include "server/socketio/event_job.hpp"

namespace {

namespace fanout = chorus::server::fanout;
namespace recovery = chorus::server::recovery;
namespace socketio = chorus::server::socketio;

std::size_t heap_in_use() {
  return mallinfo2().uordblks;
}

// range(0): payload bytes (the message string); range(1): 1 to leave the sender out (a 20-byte
// socket id in except_rooms); range(2): packets appended.
void BM_PacketLogHeapPerPacket(benchmark::State& state) {
  const auto payload = static_cast<std::size_t>(state.range(0));
  const bool except_sender = state.range(1) != 0;
  const auto n = static_cast<std::size_t>(state.range(2));
  std::string args = R"({"message":)";
  chorus::protocol::json::append_quoted(args, std::string(payload, 'x'));
  args += '}';
  auto job = socketio::make_event_job("/", std::nullopt, {}, "message", args);
  job->target.rooms.push_back("room-0");
  if (except_sender) job->target.except_rooms.push_back("AAAAAAAAAAAAAAAAAAAA");
  const auto now = recovery::packet_log::clock::now();

  double heap_per_packet = 0, counted_per_packet = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::optional<recovery::packet_log> log;
    log.emplace(std::chrono::hours(1), std::numeric_limits<std::size_t>::max());
    const std::size_t before = heap_in_use();
    state.ResumeTiming();
    for (std::size_t i = 0; i < n; ++i) benchmark::DoNotOptimize(log->append(*job, now));
    state.PauseTiming();
    const std::size_t after = heap_in_use();
    if (log->size() != n) state.SkipWithError("the log dropped packets");
    heap_per_packet += static_cast<double>(after - before) / static_cast<double>(n);
    counted_per_packet += static_cast<double>(log->bytes()) / static_cast<double>(n);
    log.reset();
    state.ResumeTiming();
  }
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["frame_bytes"] =
      static_cast<double>(job->packets.front()->websocket_frame().size());
  state.counters["heap_bytes_per_packet"] = heap_per_packet / iterations;
  state.counters["counted_bytes_per_packet"] = counted_per_packet / iterations;
  state.counters["heap_over_counted"] = heap_per_packet / counted_per_packet;
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_PacketLogHeapPerPacket)
    ->ArgNames({"payload", "except_sender", "packets"})
    ->Args({100, 0, 10000})
    ->Args({1024, 0, 10000})
    ->Args({100, 1, 10000})
    ->Args({1024, 1, 10000})
    ->Iterations(20)
    ->Unit(benchmark::kMillisecond);

}  // namespace
