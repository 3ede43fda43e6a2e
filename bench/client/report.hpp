#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/client/histogram.hpp"
#include "bench/client/options.hpp"

namespace chorus::bench {

// One per-second sample of the measured phase.
struct sample {
  double t = 0;                                      // seconds since the measured phase began
  std::uint64_t received = 0;                        // cumulative
  std::uint64_t sent = 0;                            // cumulative
  std::optional<unsigned long long> server_rss_kib;  // summed over the server processes
};

// One --servers entry: what went to it and, with --server-pids, what its process spent.
struct server_report {
  std::string address;            // host:port
  int pid = 0;                    // 0: not given
  std::uint64_t connections = 0;  // Socket.IO CONNECTs accepted over the run
  std::uint64_t received = 0;     // what the run counts, at connections to this server
  std::optional<double> cpu_us;   // during the measured phase
  std::optional<unsigned long long> rss_start_kib, rss_up_kib, rss_end_kib, rss_max_kib;

  // CPU per item it counted: per delivery its subscribers got (fanout, churn), per round trip
  // (echo), per handshake (connect).
  std::optional<double> cpu_per_received_us() const;
};

struct run_report {
  bench_options options;
  std::uint64_t connections = 0;  // laid out (fanout, echo, churn), held (idle), made (connect)
  std::uint64_t polling_connections = 0;
  double connect_seconds = 0;  // the setup phase (connect and join before measuring)
  double seconds = 0;          // the measured phase: start → last receipt (or drain timeout)
  std::uint64_t sent = 0;
  std::uint64_t received = 0;  // deliveries, round trips, handshakes or connections held
  std::uint64_t expected = 0;
  std::uint64_t lost = 0;
  std::uint64_t out_of_order = 0;
  std::uint64_t cycles = 0;  // churn
  histogram latency_ns;
  double bench_cpu_us = 0;
  std::string client_io;  // "io_uring" or "epoll" (both, "+"-joined, if workers differed)
  std::uint64_t receives_out_of_buffers = 0;  // io_uring receives re-armed for want of buffers
  // Per server, in --servers order; the server_* and rss_* fields below are sums over them.
  std::vector<server_report> servers;
  std::optional<double> server_cpu_us;
  std::optional<unsigned long long> rss_start_kib;  // before this run's first connection
  std::optional<unsigned long long> rss_up_kib;     // every connection up (idle: after --hold)
  std::optional<unsigned long long> rss_end_kib;
  std::optional<unsigned long long> rss_max_kib;
  std::vector<sample> samples;

  // Bytes of server RSS per connection: (up − start) / connections; not for connect.
  std::optional<double> rss_per_connection_bytes() const;
  double per_second() const { return seconds > 0 ? static_cast<double>(received) / seconds : 0; }
};

// What a scenario counts and times, for labels: "deliveries", "round trips", …
const char* received_label(scenario s);
const char* received_singular(scenario s);
const char* latency_label(scenario s);

// One line saying what ran ("echo: 100 connections to /chat, …").
std::string headline(const run_report& r);
std::string format_text(const run_report& r);
std::string format_json(const run_report& r);

}  // namespace chorus::bench
