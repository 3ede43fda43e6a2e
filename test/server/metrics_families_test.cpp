// The per-shard histogram and counters: bucket edges (le is inclusive), sum, negative clamps.
#include <gtest/gtest.h>

#include "server/metrics/families.hpp"
#include "server/metrics/latency_histogram.hpp"
#include "server/metrics/owned_counter.hpp"

namespace chorus::server::metrics {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;

TEST(LatencyHistogram, ValueOnABoundGoesToThatBucket) {
  latency_histogram h;
  h.observe(microseconds(1));          // == 1 µs: first bucket
  h.observe(nanoseconds(1001));        // just above: second
  h.observe(microseconds(5));          // == 5 µs: second
  h.observe(std::chrono::seconds(2));  // above 1 s: +Inf
  h.observe(nanoseconds(-5));          // a clock step back: counted as 0
  auto counts = h.bucket_counts();
  EXPECT_EQ(counts[0], 2u);
  EXPECT_EQ(counts[1], 2u);
  EXPECT_EQ(counts[latency_histogram::bucket_count - 1], 1u);
  std::uint64_t total = 0;
  for (auto c : counts) total += c;
  EXPECT_EQ(total, 5u);
  EXPECT_DOUBLE_EQ(h.sum_seconds(), 2.000007001);
}

TEST(OwnedCounter, AddsAndGaugeGoesBothWays) {
  owned_counter c;
  c.add();
  c.add(41);
  EXPECT_EQ(c.value(), 42u);
  owned_gauge g;
  g.add(3);
  g.add(-5);
  EXPECT_EQ(g.value(), -2);
}

// The families sum shards: two shards' counters and histograms add up, per-shard gauges stay
// apart, and rooms shared by two shards count once.
TEST(Families, SumsShardsAndCountsDistinctRooms) {
  shard_metrics a, b;
  a.events_in.add(3);
  b.events_in.add(4);
  a.packets_in.add(5);
  b.packets_in.add(6);
  a.sessions_open[1].add(2);
  b.sessions_open[0].add(1);
  a.socket_disconnects[index_of(disconnect_reason::ping_timeout)].add();
  b.socket_disconnects[index_of(disconnect_reason::ping_timeout)].add(2);
  a.handler_latency.observe(microseconds(3));
  b.handler_latency.observe(microseconds(3));
  const shard_metrics* shards[] = {&a, &b};
  shard_census census[2];
  census[0].namespaces.push_back({"/", 2, {"lobby", "x"}});
  census[1].namespaces.push_back({"/", 1, {"lobby"}});
  census[1].namespaces.push_back({"/chat", 1, {}});
  auto text = write_exposition(make_families(shards, census));
  EXPECT_NE(text.find("\nchorus_socketio_events_received_total 7\n"), std::string::npos);
  EXPECT_NE(text.find("\nchorus_engineio_packets_received_total 11\n"), std::string::npos);
  EXPECT_NE(text.find("\nchorus_connections_open{transport=\"websocket\",shard=\"0\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nchorus_connections_open{transport=\"polling\",shard=\"1\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nchorus_socketio_disconnects_total{reason=\"ping timeout\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("\nchorus_socketio_namespaces 2\n"), std::string::npos);
  EXPECT_NE(text.find("\nchorus_socketio_sockets{namespace=\"/\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("\nchorus_socketio_rooms{namespace=\"/\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("\nchorus_socketio_rooms{namespace=\"/chat\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("\nchorus_event_handler_duration_seconds_count 2\n"), std::string::npos);
  EXPECT_NE(text.find("\nchorus_event_handler_duration_seconds_bucket{le=\"5e-06\"} 2\n"),
            std::string::npos);
  // Engine.IO sessions never end by a namespace reason: no such line.
  EXPECT_EQ(text.find("chorus_engineio_disconnects_total{reason=\"client namespace"),
            std::string::npos);
}

}  // namespace
}  // namespace chorus::server::metrics
