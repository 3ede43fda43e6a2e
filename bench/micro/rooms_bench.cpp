// Fan-out hub kernels: recipient iteration (the per-delivery cost of a broadcast), membership
// churn, the cross-shard MPSC inbox and the encode-once packet.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "rooms/encoded_packet.hpp"
#include "rooms/mpsc_queue.hpp"
#include "rooms/room_table.hpp"

namespace {

namespace rooms = chorus::rooms;
using rooms::member_id;

// Names built by append: `"#" + std::to_string(m)` trips GCC 12's false -Wrestrict (PR 105329).
std::string numbered(std::string_view prefix, std::uint64_t n) {
  std::string name(prefix);
  name += std::to_string(n);
  return name;
}

std::string id_room(member_id m) {
  return numbered("#", m);
}

// A namespace of n members, each in its own id room (as Socket.IO does) and in "big".
rooms::room_table one_big_room(member_id n) {
  rooms::room_table t;
  for (member_id m = 0; m < n; ++m) {
    t.join(m, id_room(m));
    t.join(m, "big");
  }
  return t;
}

// Deliveries per second to one room: the single-room path, no dedupe needed.
void BM_Room_fanout_one_room(benchmark::State& state) {
  const auto n = static_cast<member_id>(state.range(0));
  const rooms::room_table t = one_big_room(n);
  const rooms::broadcast_target target{{"big"}, {}};
  std::uint64_t sum = 0;
  for (auto _ : state) {
    t.for_each_recipient(target, [&](member_id m) { sum += m; });
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * n);
}
BENCHMARK(BM_Room_fanout_one_room)->Arg(1000)->Arg(10000)->Arg(100000);

// The same room, minus the sender (include_self=False): the except room costs one epoch pass.
void BM_Room_fanout_one_room_except_sender(benchmark::State& state) {
  const auto n = static_cast<member_id>(state.range(0));
  const rooms::room_table t = one_big_room(n);
  const rooms::broadcast_target target{{"big"}, {id_room(n / 2)}};
  std::uint64_t sum = 0;
  for (auto _ : state) {
    t.for_each_recipient(target, [&](member_id m) { sum += m; });
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * (n - 1));
}
BENCHMARK(BM_Room_fanout_one_room_except_sender)->Arg(1000)->Arg(10000)->Arg(100000);

// Whole-namespace broadcast except the sender (the seed chat's `broadcast=True,
// include_self=False`).
void BM_Room_fanout_namespace_except_sender(benchmark::State& state) {
  const auto n = static_cast<member_id>(state.range(0));
  const rooms::room_table t = one_big_room(n);
  const rooms::broadcast_target target{{}, {id_room(0)}};
  std::uint64_t sum = 0;
  for (auto _ : state) {
    t.for_each_recipient(target, [&](member_id m) { sum += m; });
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * (n - 1));
}
BENCHMARK(BM_Room_fanout_namespace_except_sender)->Arg(1000)->Arg(10000)->Arg(100000);

// Four overlapping rooms over n members: room k holds every member with bit k of (m % 16) set,
// so a member sits in 0..4 of them. Broadcasting to all four reaches 15/16 of the members once.
constexpr int overlap_rooms = 4;

rooms::room_table overlapping_rooms(member_id n) {
  rooms::room_table t;
  for (member_id m = 0; m < n; ++m) {
    t.add_member(m);
    for (int k = 0; k < overlap_rooms; ++k)
      if ((m % 16) & (1u << k)) t.join(m, numbered("o", k));
  }
  return t;
}

rooms::broadcast_target overlap_target() {
  rooms::broadcast_target target;
  for (int k = 0; k < overlap_rooms; ++k) target.rooms.push_back(numbered("o", k));
  return target;
}

std::int64_t overlap_recipients(member_id n) {
  std::int64_t count = 0;
  for (member_id m = 0; m < n; ++m) count += (m % 16) != 0;
  return count;
}

// Dedupe with the table's epoch-stamped array: one load and store per visited membership.
void BM_Room_fanout_overlap_epoch(benchmark::State& state) {
  const auto n = static_cast<member_id>(state.range(0));
  const rooms::room_table t = overlapping_rooms(n);
  const rooms::broadcast_target target = overlap_target();
  std::uint64_t sum = 0;
  for (auto _ : state) {
    t.for_each_recipient(target, [&](member_id m) { sum += m; });
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * overlap_recipients(n));
}
BENCHMARK(BM_Room_fanout_overlap_epoch)->Arg(1000)->Arg(10000)->Arg(100000);

// The alternative the epoch array replaces: a hash set of visited members, reserved up front and
// cleared per broadcast (so it does not allocate either once warm).
void BM_Room_fanout_overlap_hash_set(benchmark::State& state) {
  const auto n = static_cast<member_id>(state.range(0));
  const rooms::room_table t = overlapping_rooms(n);
  const rooms::broadcast_target target = overlap_target();
  std::vector<rooms::broadcast_target> singles;
  for (const auto& room : target.rooms) singles.push_back({{room}, {}});
  std::unordered_set<member_id> seen;
  seen.reserve(n);
  std::uint64_t sum = 0;
  for (auto _ : state) {
    seen.clear();
    for (const auto& single : singles)
      t.for_each_recipient(single, [&](member_id m) {
        if (seen.insert(m).second) sum += m;
      });
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * overlap_recipients(n));
}
BENCHMARK(BM_Room_fanout_overlap_hash_set)->Arg(1000)->Arg(10000)->Arg(100000);

// Join + leave of a room other members are in (no room creation), in a namespace of 10k members
// each in its own id room and one of 100 shared rooms. Items are single operations.
void BM_Room_join_leave_churn(benchmark::State& state) {
  constexpr member_id n = 10000;
  rooms::room_table t;
  std::vector<std::string> shared;
  for (int r = 0; r < 100; ++r) shared.push_back(numbered("room-", r));
  for (member_id m = 0; m < n; ++m) {
    t.join(m, id_room(m));
    t.join(m, shared[m % 100]);
  }
  member_id m = 0;
  std::size_t r = 0;
  for (auto _ : state) {
    t.join(m, shared[r]);
    t.leave(m, shared[r]);
    m = (m + 7919) % n;
    r = (r + 13) % shared.size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 2);
}
BENCHMARK(BM_Room_join_leave_churn);

// Connect/disconnect churn: a member joins its id room and a shared one, then is removed (both
// rooms are created or deleted as needed). Items are connect+disconnect pairs.
void BM_Room_connect_disconnect_churn(benchmark::State& state) {
  constexpr member_id n = 10000;
  rooms::room_table t = one_big_room(n);
  std::vector<std::string> names;
  for (member_id m = 0; m < 1024; ++m) names.push_back(id_room(n + m));
  std::size_t i = 0;
  for (auto _ : state) {
    const member_id m = n + static_cast<member_id>(i);
    t.join(m, names[i]);
    t.join(m, "big");
    t.remove_member(m);
    i = (i + 1) % names.size();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_Room_connect_disconnect_churn);

struct bench_node : rooms::mpsc_node {
  std::uint64_t value = 0;
};

// One thread pushes a batch then pops it: the uncontended cost of the exchange and the links.
void BM_Mpsc_push_pop_single_thread(benchmark::State& state) {
  constexpr std::size_t batch = 1024;
  std::vector<bench_node> nodes(batch);
  rooms::mpsc_queue q;
  std::uint64_t sum = 0;
  for (auto _ : state) {
    for (auto& node : nodes) q.push(&node);
    while (rooms::mpsc_node* n = q.pop()) sum += static_cast<bench_node*>(n)->value;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}
BENCHMARK(BM_Mpsc_push_pop_single_thread);

// Two producer threads push into one queue while this thread consumes: contended exchanges and a
// consumer chasing producers. Thread start-up is inside the timing but amortised over the batch.
void BM_Mpsc_two_producers(benchmark::State& state) {
  constexpr std::size_t per_producer = 1 << 16;
  std::vector<bench_node> nodes(2 * per_producer);
  rooms::mpsc_queue q;
  std::uint64_t sum = 0;
  for (auto _ : state) {
    std::thread a([&] {
      for (std::size_t i = 0; i < per_producer; ++i) q.push(&nodes[i]);
    });
    std::thread b([&] {
      for (std::size_t i = per_producer; i < 2 * per_producer; ++i) q.push(&nodes[i]);
    });
    std::size_t received = 0;
    while (received < 2 * per_producer) {
      if (rooms::mpsc_node* n = q.pop()) {
        sum += static_cast<bench_node*>(n)->value;
        ++received;
      }
    }
    a.join();
    b.join();
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 2 * per_producer));
}
BENCHMARK(BM_Mpsc_two_producers)->UseRealTime()->Unit(benchmark::kMillisecond);

// The owning inbox as the hub would use it: a shared frame per post, one allocation per push.
void BM_Mpsc_inbox_shared_packet(benchmark::State& state) {
  constexpr std::size_t batch = 1024;
  rooms::mpsc_inbox<std::shared_ptr<const rooms::encoded_packet>> inbox;
  const auto packet = rooms::encoded_packet::make(R"(42["chat message","hello"])", false);
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < batch; ++i) inbox.push(packet);
    while (auto p = inbox.pop()) bytes += (*p)->size();
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}
BENCHMARK(BM_Mpsc_inbox_shared_packet);

// Encoding once per broadcast: header + copy into the one shared allocation.
void BM_Encoded_packet_make(benchmark::State& state) {
  const std::string payload = "42[\"chat message\",\"" +
                              std::string(static_cast<std::size_t>(state.range(0)) - 21, 'x') +
                              "\"]";
  for (auto _ : state) {
    auto packet = rooms::encoded_packet::make(payload, false);
    benchmark::DoNotOptimize(packet->websocket_frame().data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * payload.size()));
}
BENCHMARK(BM_Encoded_packet_make)->Arg(100)->Arg(16 * 1024);

}  // namespace
