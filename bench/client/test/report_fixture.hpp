#pragma once

// A filled-in run_report for the report tests.

#include "bench/client/report.hpp"

namespace chorus::bench {

inline run_report sample_report(scenario kind) {
  run_report r;
  r.options.kind = kind;
  r.options.nsp = kind == scenario::echo ? "/chat" : "/";
  r.options.connections = 100;
  r.options.polling_share = 0.2;
  r.connections = 100;
  r.polling_connections = 20;
  r.connect_seconds = 0.5;
  r.seconds = 2;
  r.sent = 1000;
  r.received = 1000;
  r.expected = 1000;
  for (std::uint64_t v = 1; v <= 1000; ++v) r.latency_ns.record(v * 1000);  // 1 µs … 1 ms
  r.bench_cpu_us = 5000;
  r.server_cpu_us = 2000;
  r.rss_start_kib = 10'000;
  r.rss_up_kib = 10'400;
  r.rss_end_kib = 10'500;
  r.rss_max_kib = 10'600;
  r.samples = {{1.0, 600, 600, 10'300}, {2.0, 1000, 1000, 10'500}};
  return r;
}

}  // namespace chorus::bench
