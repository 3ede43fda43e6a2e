#pragma once

#include <string>
#include <string_view>

#include "server/http/http_types.hpp"

namespace chorus::server {

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key (RFC 6455 §4.2.2).
std::string websocket_accept_key(std::string_view client_key);

// Whether `req` is a WebSocket upgrade chorus can accept (GET, Upgrade: websocket, version 13,
// a 16-byte key).
bool is_valid_websocket_upgrade(const http::request& req);

// The 101 Switching Protocols answer.
http::response make_websocket_accept(const http::request& req);

}  // namespace chorus::server
