#pragma once

#include <spdlog/formatter.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace chorus::server {

// "2026-11-26T02:31:00.123456Z": UTC, microseconds.
void append_utc_timestamp(std::string& out, std::chrono::system_clock::time_point at);

// Appends `text` as a JSON string literal. Text that is not valid UTF-8 (a log line may quote
// what a client sent) has each byte above 0x7F written as \u00XX (as if Latin-1), so the line stays
// valid JSON.
void append_json_string(std::string& out, std::string_view text);

// The --log-format json formatter: one object per line,
// {"ts":"…","level":"info","msg":"…","logger":"…","thread":123}.
class json_log_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace chorus::server
