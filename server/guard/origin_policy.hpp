#pragma once

#include <string_view>

namespace chorus::server::guard {

// Whether a request carrying `origin` (its Origin header, non-empty) may reach the Engine.IO
// endpoint, under `allowed` (server_config::cors_origin, set by --allowed-origins):
//   ""    same origin only: the Origin's host[:port] must equal the request's Host header
//   "*"   any origin
//   list  comma-separated origins ("https://chat.example.com, http://localhost:8080"), compared
//         whole (scheme, host and port) and case-insensitively; "null" only when listed.
// A request without an Origin header (not from a browser) is not asked about.
bool origin_allowed(std::string_view origin, std::string_view host, std::string_view allowed);

}  // namespace chorus::server::guard
