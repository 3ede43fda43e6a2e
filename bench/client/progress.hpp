#pragma once

// The progress line on a terminal: "\r" + one line, redrawn a few times a second, only when
// stdout is a TTY (never into a pipe or file that gets the report).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace chorus::bench {

// "echo     [########------------]  40%   3.1 s  12345 round trips/s" (no fraction: no bar).
std::string format_progress(std::string_view phase, std::optional<double> fraction, double seconds,
                            double rate, std::string_view unit);

class progress_bar {
 public:
  explicit progress_bar(bool wanted);
  // Redraws at most every 200 ms.
  void show(std::string_view line);
  void clear();

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace chorus::bench
