#pragma once

#include "server/config.hpp"
#include "server/http/http_types.hpp"

namespace chorus::server::guard {

// Whether a request may use the Engine.IO endpoint as far as its Origin goes: no Origin header
// (not a browser) always may; otherwise see origin_allowed (config.cors_origin).
bool origin_permitted(const http::request& req, const server_config& config);

// 403 {"code":4,"message":"Origin not allowed"}, as the reference server's allowRequest refusal;
// the connection closes after it.
http::response make_origin_refusal(const http::request& req);

// 503 "Too many handshakes from this address", with Retry-After: 1.
http::response make_handshake_refusal(const http::request& req);

}  // namespace chorus::server::guard
