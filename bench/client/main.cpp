// chorus-bench: the load client. `chorus-bench fanout --help` lists the options.
//
// fanout: R rooms × S subscribers and P publishers (publisher p in room p % R), all over
// WebSocket (EIO=4), spread over --workers processes (forked before any I/O; connection c
// belongs to worker c % workers) and over source addresses 127.0.0.1 … 127.0.0.N. Each
// connection opens, CONNECTs to "/", sends the join template and waits for the `status` event
// that names it. Then every publisher keeps --in-flight messages outstanding: a message is done
// once every subscriber of its room has it, counted per worker and then across workers in
// shared memory (an eventfd wakes the publisher's worker). A message's payload starts with
// "#<publisher>:<seq>:<send time ns>#", so a subscriber counts deliveries, out-of-order receipts
// and latency; lost = sent × S − deliveries. The parent polls the shared state, bounds every
// phase in time and prints the report.
#include <cstdio>
#include <string>
#include <vector>

#include "bench/client/fanout.hpp"
#include "bench/client/options.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  auto parsed = chorus::bench::parse_cli(args);
  if (auto* exit = std::get_if<chorus::bench::cli_exit>(&parsed)) {
    std::fprintf(exit->code == 0 ? stdout : stderr, "%s\n", exit->message.c_str());
    return exit->code;
  }
  return chorus::bench::run_fanout(std::get<chorus::bench::fanout_options>(parsed));
}
