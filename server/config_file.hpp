#pragma once

#include <CLI/CLI.hpp>

namespace chorus::server {

// Adds --config FILE (env CHORUS_CONFIG): a TOML file of top-level `name = value` lines, one per
// long option without its dashes (`port = 3000`, `ping-interval = 25000`). Call it after every
// other option is registered. Precedence: flag > environment > file > default. An unknown name,
// a line that is not `name = value`, a [section] or an unreadable file is a parse error.
void add_config_file_option(CLI::App& app);

}  // namespace chorus::server
