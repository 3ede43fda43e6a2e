// chorus-bench: the load client. `chorus-bench fanout --help` lists the options.
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
