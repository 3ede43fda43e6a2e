#pragma once

#include "server/config.hpp"
#include "server/http/http_types.hpp"

namespace chorus::server::engineio {

// Engine.IO's HTTP errors, with the reference server's codes.
enum class request_error {
  unknown_transport = 0,
  unknown_sid = 1,
  bad_handshake_method = 2,
  bad_request = 3,
  forbidden = 4,
  unsupported_protocol_version = 5,
};

// The reference server's answer: 400 (403 for forbidden) with {"code":…,"message":…} and the
// CORS headers the configuration allows.
http::response make_error_response(const http::request& req, request_error error,
                                   const server_config& config);

}  // namespace chorus::server::engineio
