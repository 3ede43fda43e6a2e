#pragma once

#include <string>

namespace chorus::server::http {

// The chat page's directory when --web-root is not given: the nearest web/ holding index.html
// beside the executable or up to four directories above it (build/<preset>/bin/chorus finds the
// source tree's web/), else the source tree the binary was built from; "" when there is none or
// CHORUS_WEB_ROOT is set and empty (static serving off).
std::string default_web_root();

// socket.io-client's dist/ under the web/ directory found as above (web/node_modules, where
// scripts/setup.sh runs npm ci); "" when there is none.
std::string default_client_bundle();

// @socket.io/admin-ui's built UI (ui/dist/) under the web/ directory found as above
// (web/node_modules, where scripts/setup.sh runs npm ci); "" when there is none.
std::string default_admin_ui_dir();

}  // namespace chorus::server::http
