#include "server/logging.hpp"

#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "server/log_format.hpp"

namespace chorus::server {

void add_logging_options(CLI::App& app, logging_options& options) {
  app.add_option("--log-level", options.level,
                 "Least severe log messages written: trace, debug, info, warn, error, critical "
                 "or off")
      ->envname("CHORUS_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  app.add_option("--log-format", options.format,
                 "Log lines as text, or json (one object per line: ts, level, msg, fields)")
      ->envname("CHORUS_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--access-log", options.access_log,
                 "HTTP access log, one line per request (WebSocket upgrades included): off, '-' "
                 "for stderr, or a file to append to; written by a background thread")
      ->envname("CHORUS_ACCESS_LOG")
      ->check([](const std::string& value) {
        return value.empty() ? std::string("give off, - or a file path") : std::string();
      })
      ->capture_default_str();
}

void apply_logging_options(const logging_options& options) {
  // stderr: stdout carries only the "listening on port N" line harnesses wait for.
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("", std::move(sink)));
  spdlog::set_level(spdlog::level::from_str(options.level));
  if (options.format == "json") spdlog::set_formatter(std::make_unique<json_log_formatter>());
}

std::shared_ptr<http::access_log> open_access_log(const logging_options& options) {
  if (options.access_log == "off") return nullptr;
  spdlog::sink_ptr sink;
  try {
    if (options.access_log == "-")
      sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    else
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.access_log);
  } catch (const spdlog::spdlog_ex& e) {
    throw std::runtime_error(fmt::format("--access-log: {}", e.what()));
  }
  return std::make_shared<http::access_log>(std::move(sink), options.format == "json");
}

}  // namespace chorus::server
