#include "server/log_format.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <ctime>

#include "protocol/json/escape.hpp"

namespace chorus::server {

void append_utc_timestamp(std::string& out, std::chrono::system_clock::time_point at) {
  using namespace std::chrono;
  auto since_epoch = duration_cast<microseconds>(at.time_since_epoch());
  std::time_t seconds =
      static_cast<std::time_t>(duration_cast<std::chrono::seconds>(since_epoch).count());
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  auto micros = since_epoch.count() % 1'000'000;
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
                 utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
                 utc.tm_sec, micros);
}

void append_json_string(std::string& out, std::string_view text) {
  if (simdjson::validate_utf8(text.data(), text.size())) {
    protocol::json::append_quoted(out, text);
    return;
  }
  out += '"';
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x80) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void json_log_formatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  std::string line = "{\"ts\":\"";
  append_utc_timestamp(line, msg.time);
  line += "\",\"level\":\"";
  auto level = spdlog::level::to_string_view(msg.level);
  line.append(level.data(), level.size());
  line += "\",\"msg\":";
  append_json_string(line, std::string_view(msg.payload.data(), msg.payload.size()));
  if (msg.logger_name.size() > 0) {
    line += ",\"logger\":";
    append_json_string(line, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
  }
  fmt::format_to(std::back_inserter(line), ",\"thread\":{}}}\n", msg.thread_id);
  dest.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> json_log_formatter::clone() const {
  return std::make_unique<json_log_formatter>();
}

}  // namespace chorus::server
