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

namespace {

std::optional<std::string> read_proc(pid_t pid, const char* file) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + file);
  if (!in) return std::nullopt;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

std::optional<double> process_cpu_us(pid_t pid) {
  auto text = read_proc(pid, "stat");
  if (!text) return std::nullopt;
  auto ticks = parse_stat_cpu_ticks(*text);
  if (!ticks) return std::nullopt;
  return static_cast<double>(*ticks) * 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::optional<unsigned long long> parse_status_rss_kib(std::string_view status) {
  constexpr std::string_view key = "\nVmRSS:";
  std::size_t at = status.starts_with(key.substr(1)) ? 0 : status.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t pos = status.find(':', at) + 1;
  while (pos < status.size() && (status[pos] == ' ' || status[pos] == '\t')) ++pos;
  unsigned long long kib = 0;
  auto [end, ec] = std::from_chars(status.data() + pos, status.data() + status.size(), kib);
  if (ec != std::errc() ||
      std::string_view(end, status.data() + status.size()).substr(0, 3) != " kB")
    return std::nullopt;
  return kib;
}

std::optional<unsigned long long> process_rss_kib(pid_t pid) {
  auto text = read_proc(pid, "status");
  if (!text) return std::nullopt;
  return parse_status_rss_kib(*text);
}

double self_cpu_us() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto us = [](const timeval& tv) { return tv.tv_sec * 1e6 + tv.tv_usec; };
  return us(usage.ru_utime) + us(usage.ru_stime);
}

}  // namespace chorus::bench
