// In-process fan-out across shards, as the hub does it (server/fanout/shard_hub.cpp) minus the
// sockets: a publisher encodes a broadcast once and posts one entry per shard into that shard's
// MPSC inbox; each shard thread pops it, walks its members of the room and queues a reference to
// the shared packet for each (what websocket_connection::send does). A member's queue is emptied
// every 16 packets, as a writer would after its gather write. Timed by the CPU time of the whole
// process (all shard threads; waiting costs none), so items/s = deliveries per CPU-second, which
// a busy machine disturbs far less than wall-clock time.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "rooms/encoded_packet.hpp"
#include "rooms/mpsc_queue.hpp"
#include "rooms/room_table.hpp"

namespace {

namespace rooms = chorus::rooms;
using packet_ref = std::shared_ptr<const rooms::encoded_packet>;

struct broadcast {
  rooms::broadcast_target target;
  packet_ref packet;
};

// One shard: its members' room table and queues, its inbox and its thread.
class bench_shard {
 public:
  explicit bench_shard(rooms::member_id members) : queues_(members) {
    for (rooms::member_id m = 0; m < members; ++m) {
      std::string own = "#";
      own += std::to_string(m);
      table_.join(m, own);
      table_.join(m, "big");
    }
    thread_ = std::thread([this] { run(); });
  }
  ~bench_shard() {
    stop_.store(true);
    post_signal();
    thread_.join();
  }

  void post(std::shared_ptr<const broadcast> job) {
    inbox_.push(std::move(job));
    post_signal();
  }
  // Broadcasts this shard has delivered to all its members.
  std::uint64_t done() const { return done_.load(std::memory_order_acquire); }
  std::atomic<std::uint64_t>& done_counter() { return done_; }

 private:
  void post_signal() {
    posted_.fetch_add(1, std::memory_order_release);
    posted_.notify_one();
  }
  void run() {
    std::uint64_t seen = 0;
    for (;;) {
      posted_.wait(seen, std::memory_order_acquire);
      seen = posted_.load(std::memory_order_acquire);
      while (auto job = inbox_.pop()) {
        table_.for_each_recipient((*job)->target, [&](rooms::member_id m) {
          std::vector<packet_ref>& queue = queues_[m];
          if (queue.size() == 16) queue.clear();  // the writer's gather write
          queue.push_back((*job)->packet);
        });
        done_.fetch_add(1, std::memory_order_release);
        done_.notify_all();
      }
      if (stop_.load()) return;
    }
  }

  rooms::room_table table_;
  std::vector<std::vector<packet_ref>> queues_;
  rooms::mpsc_inbox<std::shared_ptr<const broadcast>> inbox_;
  std::atomic<std::uint64_t> posted_{0};
  std::atomic<std::uint64_t> done_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Args: members in the room (all shards together), shards, and whether each shard gets its own
// copy of the packet (1) or all share one (0): with one copy, every recipient on every shard
// bumps the same reference count, a cache line the cores pass back and forth.
void BM_Hub_fanout_across_shards(benchmark::State& state) {
  const bool copy_per_shard = state.range(2) != 0;
  const auto members = static_cast<rooms::member_id>(state.range(0));
  const auto shard_count = static_cast<unsigned>(state.range(1));
  std::vector<std::unique_ptr<bench_shard>> shards;
  for (unsigned i = 0; i < shard_count; ++i)
    shards.push_back(std::make_unique<bench_shard>(members / shard_count));
  const std::string text = R"(42["message",{"message":")" + std::string(60, 'x') + R"("}])";
  // Broadcasts in flight per iteration: enough deliveries that waking the shards is amortised.
  const std::uint64_t burst = std::max<std::uint64_t>(16, 2'000'000 / members);
  std::uint64_t posted = 0;
  for (auto _ : state) {
    for (std::uint64_t b = 0; b < burst; ++b) {
      auto job = std::make_shared<broadcast>();
      job->target.rooms = {"big"};
      job->packet = rooms::encoded_packet::make(text, false);  // encoded once
      std::shared_ptr<const broadcast> shared = std::move(job);
      for (auto& s : shards) {
        if (copy_per_shard && s != shards.front()) {
          auto own = std::make_shared<broadcast>(*shared);
          own->packet = rooms::encoded_packet::make(shared->packet->payload(), false);
          s->post(std::move(own));
        } else {
          s->post(shared);
        }
      }
    }
    posted += burst;
    for (auto& s : shards) {
      for (std::uint64_t d = s->done(); d < posted; d = s->done())
        s->done_counter().wait(d, std::memory_order_acquire);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * burst) *
                          (members / shard_count) * shard_count);
}
BENCHMARK(BM_Hub_fanout_across_shards)
    ->ArgNames({"members", "shards", "copy_per_shard"})
    ->ArgsProduct({{1000, 10000, 100000}, {1, 2, 4}, {0, 1}})
    ->MeasureProcessCPUTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace
