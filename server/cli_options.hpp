#pragma once

#include <CLI/CLI.hpp>

#include "server/config.hpp"

namespace chorus::server {

// Registers the server's flags (--port, --threads, --ping-interval, …) on a CLI11 app, each also
// readable from a CHORUS_* environment variable.
void add_server_options(CLI::App& app, server_config& config);

}  // namespace chorus::server
