#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "server/http/access_log.hpp"

namespace chorus::server {

struct logging_options {
  std::string level = "info";   // trace|debug|info|warn|error|critical|off
  std::string format = "text";  // text|json
  // off: none; "-": stderr; otherwise a file, appended to. Off by default: see OPERATIONS.md.
  std::string access_log = "off";
};

// Registers --log-level, --log-format and --access-log (CHORUS_LOG_LEVEL, CHORUS_LOG_FORMAT,
// CHORUS_ACCESS_LOG).
void add_logging_options(CLI::App& app, logging_options& options);

// Sets the process-wide logger (stderr) to the chosen level and format.
void apply_logging_options(const logging_options& options);

// The access log the options ask for, or null when off. Throws std::runtime_error (naming the
// file) when the file cannot be opened.
std::shared_ptr<http::access_log> open_access_log(const logging_options& options);

}  // namespace chorus::server
