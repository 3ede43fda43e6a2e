// In-process fan-out across shards through the server's own hub, minus the sockets. A server
// (never started: no port, no acceptor) runs each shard's io_context on its own thread; its
// members are stub participants in one room of one namespace on every shard, added to each
// shard's shard_hub and its rooms::room_table as socketio::socket adds itself. A publisher
// thread outside every shard (so no shard delivers inline: each takes the broadcast from its
// inbox) builds each broadcast once with socketio::make_event_job and hands it to the server's
// adapter (fanout::local_adapter), which posts it into every shard's rooms::mpsc_inbox; each
// shard's drain (posted once per batch) takes it, records the fan-out latency, walks the room and
// calls participant::deliver once per member. What a delivery does in the stub is what
// websocket_connection::send does with the packet: it appends a reference to the shared packet to
// the member's queue, which is emptied every 16 packets, as a writer would after its gather write.
//
// So the figure covers: make_event_job's encoding (once per broadcast), the adapter's posts, the
// inbox, shard_hub::drain and shard_hub::deliver with its counters, the room table's walk, one
// indirect call per recipient and the packet's reference count. Not covered: sockets, the write
// queue's byte accounting and the flusher's writes (bench/io measures those). Timed by the CPU
// time of the whole process (all shard threads; waiting costs none), so items/s = deliveries per
// CPU-second, which a busy machine disturbs far less than wall-clock time.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "server/fanout/adapter.hpp"
#include "server/fanout/broadcast_job.hpp"
#include "server/fanout/participant.hpp"
#include "server/server.hpp"
#include "server/socketio/event_job.hpp"

namespace {

namespace cs = chorus::server;
namespace fanout = chorus::server::fanout;
namespace socketio = chorus::server::socketio;

// A member as the hub sees it, keeping what it is sent as a connection's write queue would.
class queueing_participant final : public fanout::participant {
 public:
  explicit queueing_participant(std::string id) : id_(std::move(id)) {}
  const std::string& id() const override { return id_; }
  const std::string& nsp() const override { return nsp_; }
  void deliver(const fanout::broadcast_job& job) override {
    if (queue_.size() == 16) queue_.clear();  // the writer's gather write
    queue_.push_back(job.packets.front());
    ++delivered_;
  }
  std::uint64_t delivered() const { return delivered_; }
  bool deliver_expecting_ack(const std::vector<chorus::rooms::shared_packet>&, std::uint64_t,
                             const std::shared_ptr<fanout::ack_gatherer>&,
                             std::chrono::milliseconds) override {
    return false;
  }
  void disconnect(bool) override {}
  std::string handshake_json() const override { return "{}"; }
  std::string data_json() const override { return "{}"; }

 private:
  std::string id_;
  std::string nsp_ = "/";
  std::vector<chorus::rooms::shared_packet> queue_;
  std::uint64_t delivered_ = 0;
};

// The server's shards, each running its loop on a thread of its own, with `per_shard` members in
// room "big" on each.
class running_shards {
 public:
  running_shards(unsigned shards, std::size_t per_shard)
      : server_(config(shards), [](cs::shard&, cs::node_services&) { return nullptr; }) {
    for (unsigned i = 0; i < shards; ++i) {
      cs::fanout::shard_hub& hub = server_.shard_at(i).hub();
      for (std::size_t m = 0; m < per_shard; ++m) {
        auto& p = *members_.emplace_back(std::make_unique<queueing_participant>(
            "s" + std::to_string(i) + "-" + std::to_string(m)));
        hub.table(p.nsp()).join(hub.add(p), "big");  // before the shard's thread runs
      }
    }
    for (unsigned i = 0; i < shards; ++i) {
      boost::asio::io_context& context = server_.shard_at(i).context();
      guards_.emplace_back(context.get_executor());
      threads_.emplace_back([&context] { context.run(); });
    }
  }
  ~running_shards() {
    guards_.clear();
    for (auto& t : threads_) t.join();
  }

  cs::server& server() { return server_; }
  // Deliveries so far (after wait_until_drained: every shard's writes are visible).
  std::uint64_t delivered() const {
    std::uint64_t total = 0;
    for (const auto& m : members_) total += m->delivered();
    return total;
  }
  // Waits until every shard has run all it was posted before this call: each drain of the
  // inbox is posted before a marker posted after the push that needed it.
  void wait_until_drained() {
    markers_left_.store(server_.shard_count(), std::memory_order_relaxed);
    for (unsigned i = 0; i < server_.shard_count(); ++i)
      boost::asio::post(server_.shard_at(i).context(), [this] {
        if (markers_left_.fetch_sub(1, std::memory_order_acq_rel) == 1) markers_left_.notify_one();
      });
    for (unsigned n = markers_left_.load(std::memory_order_acquire); n != 0;
         n = markers_left_.load(std::memory_order_acquire))
      markers_left_.wait(n, std::memory_order_acquire);
  }

 private:
  static cs::server_config config(unsigned shards) {
    cs::server_config c;
    c.threads = shards;
    return c;
  }

  cs::server server_;
  std::vector<std::unique_ptr<queueing_participant>> members_;
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  // Shards yet to run wait_until_drained's marker (a member: the last shard notifies after the
  // waiter may have returned).
  std::atomic<unsigned> markers_left_{0};
};

// Args: members in the room (all shards together) and shards.
void BM_Hub_fanout_across_shards(benchmark::State& state) {
  const auto members = static_cast<std::size_t>(state.range(0));
  const auto shard_count = static_cast<unsigned>(state.range(1));
  running_shards shards(shard_count, members / shard_count);
  const std::string args = R"({"message":")" + std::string(60, 'x') + R"("})";
  // Broadcasts in flight per iteration: enough deliveries that waking the shards is amortised.
  const std::uint64_t burst = std::max<std::uint64_t>(16, 2'000'000 / members);
  for (auto _ : state) {
    for (std::uint64_t b = 0; b < burst; ++b) {
      auto job = socketio::make_event_job("/", std::nullopt, {}, "message", args);  // encoded once
      job->target.rooms = {"big"};
      shards.server().adapter().broadcast(std::move(job), nullptr);
    }
    shards.wait_until_drained();
  }
  const auto expected = state.iterations() * burst * (members / shard_count) * shard_count;
  if (shards.delivered() != expected) state.SkipWithError("deliveries went missing");
  state.SetItemsProcessed(static_cast<std::int64_t>(expected));
}
BENCHMARK(BM_Hub_fanout_across_shards)
    ->ArgNames({"members", "shards"})
    ->ArgsProduct({{1000, 10000, 100000}, {1, 2, 4}})
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
