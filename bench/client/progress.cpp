#include "bench/client/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace chorus::bench {

std::string format_progress(std::string_view phase, std::optional<double> fraction, double seconds,
                            double rate, std::string_view unit) {
  std::string bar;
  if (fraction) {
    constexpr int width = 24;
    double f = std::clamp(*fraction, 0.0, 1.0);
    int filled = static_cast<int>(f * width);
    bar = fmt::format("[{}{}] {:3.0f}% ", std::string(filled, '#'),
                      std::string(width - filled, '-'), f * 100);
  }
  return fmt::format("{:<9} {}{:6.1f} s  {:.0f} {}/s", phase, bar, seconds, rate, unit);
}

progress_bar::progress_bar(bool wanted) : enabled_(wanted && isatty(STDOUT_FILENO) == 1) {}

void progress_bar::show(std::string_view line) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (shown_ && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  shown_ = true;
  std::fprintf(stdout, "\r%.*s\x1b[K", static_cast<int>(line.size()), line.data());
  std::fflush(stdout);
}

void progress_bar::clear() {
  if (!enabled_ || !shown_) return;
  std::fputs("\r\x1b[K", stdout);
  std::fflush(stdout);
  shown_ = false;
}

}  // namespace chorus::bench
