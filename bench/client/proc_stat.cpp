#include "bench/client/proc_stat.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <string>

namespace chorus::bench {

std::optional<unsigned long long> parse_stat_cpu_ticks(std::string_view stat) {
  std::size_t close = stat.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = stat.substr(close + 1);
  // After ')': field 3 (state) is the first; utime is field 14, stime field 15.
  unsigned long long values[2] = {0, 0};
  int field = 2;
  std::size_t pos = 0;
  while (pos < rest.size()) {
    while (pos < rest.size() && rest[pos] == ' ') ++pos;
    std::size_t end = rest.find(' ', pos);
    if (end == std::string_view::npos) end = rest.size();
    if (pos == end) break;
    ++field;
    if (field == 14 || field == 15) {
      auto [ptr, ec] = std::from_chars(rest.data() + pos, rest.data() + end, values[field - 14]);
      if (ec != std::errc() || ptr != rest.data() + end) return std::nullopt;
      if (field == 15) return values[0] + values[1];
    }
    pos = end;
  }
  return std::nullopt;
}

std::optional<double> process_cpu_us(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto ticks = parse_stat_cpu_ticks(text);
  if (!ticks) return std::nullopt;
  return static_cast<double>(*ticks) * 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double self_cpu_us() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto us = [](const timeval& tv) { return tv.tv_sec * 1e6 + tv.tv_usec; };
  return us(usage.ru_utime) + us(usage.ru_stime);
}

}  // namespace chorus::bench
