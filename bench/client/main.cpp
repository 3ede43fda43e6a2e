// chorus-bench: the load client. `chorus-bench --help` lists the scenarios, `chorus-bench
// <scenario> --help` their options.
//
// Scenarios: fanout (rooms of subscribers, publishers sending to them), echo (round trips),
// connect (handshakes per second), idle (server RSS per held connection), churn (connect and
// disconnect while broadcasting). Connections are spread over --workers processes (forked
// before any I/O; connection c belongs to worker c % workers) and over source addresses
// 127.0.0.1 … 127.0.0.N; --polling-share of them use Engine.IO long-polling, the rest
// WebSocket. The parent polls the workers' shared counters, bounds every phase in time, samples
// throughput (and the server's RSS) once a second and prints the report.
#include <cstdio>
#include <string>
#include <vector>

#include "bench/client/coordinator.hpp"
#include "bench/client/options.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  auto parsed = chorus::bench::parse_cli(args);
  if (auto* exit = std::get_if<chorus::bench::cli_exit>(&parsed)) {
    std::fprintf(exit->code == 0 ? stdout : stderr, "%s\n", exit->message.c_str());
    return exit->code;
  }
  return chorus::bench::run_bench(std::get<chorus::bench::bench_options>(parsed));
}
