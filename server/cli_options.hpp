#pragma once

#include <CLI/CLI.hpp>

#include "server/config.hpp"
#include "server/http/static_loader.hpp"

namespace chorus::server {

// Registers the server's flags (--port, --threads, --ping-interval, …) on a CLI11 app, each also
// readable from a CHORUS_* environment variable.
void add_server_options(CLI::App& app, server_config& config);

// Registers --web-root, --client-bundle and --admin-ui-dir (CHORUS_WEB_ROOT, CHORUS_CLIENT_BUNDLE,
// CHORUS_ADMIN_UI_DIR), defaulting to the web/ directory found beside the executable or in the
// source tree; '' turns any off. The Admin UI is served only with sources.serve_admin_ui set too
// (--admin-ui, registered here for now).
void add_static_options(CLI::App& app, http::static_sources& sources);

// Registers --jwt-secret and --jwt-secret-file (CHORUS_JWT_SECRET, CHORUS_JWT_SECRET_FILE):
// with a secret, the chat's namespaces admit only a valid HS256 token (server/guard/jwt.hpp).
void add_jwt_options(CLI::App& app, std::string& secret);

// Registers --parser json|msgpack (CHORUS_PARSER) into config.parser; add_server_options does
// too (test fixtures that pick their options register it alone).
void add_parser_option(CLI::App& app, server_config& config);

// After parsing: throws CLI::ValidationError (a bad option, exit 2) for --parser msgpack with
// connection state recovery on or a Redis cluster (`clustered`: --redis-url set), which this
// version does not support.
void check_parser_option(const server_config& config, bool clustered);

// Registers --recovery-window, --recovery-max-bytes, --recovery-max-sessions and
// --recovery-skip-middlewares (CHORUS_RECOVERY_*): connection state recovery, on when the window
// is not 0. The window's default is what `options` holds.
void add_recovery_options(CLI::App& app, recovery::recovery_options& options);

}  // namespace chorus::server
