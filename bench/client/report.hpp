#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bench/client/histogram.hpp"
#include "bench/client/options.hpp"

namespace chorus::bench {

struct fanout_report {
  fanout_options options;
  double connect_seconds = 0;
  double seconds = 0;  // the measured interval: first send → last delivery (or drain timeout)
  std::uint64_t sent = 0;
  std::uint64_t deliveries = 0;
  std::uint64_t expected = 0;  // sent × subscribers per room
  std::uint64_t lost = 0;
  std::uint64_t out_of_order = 0;
  histogram latency_ns;
  double bench_cpu_us = 0;
  std::optional<double> server_cpu_us;
};

std::string format_text(const fanout_report& r);
std::string format_json(const fanout_report& r);

}  // namespace chorus::bench
