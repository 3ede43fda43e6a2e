#pragma once

#include <string_view>

#include "server/config.hpp"
#include "server/http/http_types.hpp"

namespace chorus::server::http {

response make_text(const request& req, beast_http::status status, std::string_view content_type,
                   std::string body);
response make_not_found(const request& req);
response make_payload_too_large(const request& req);

// Adds Access-Control-* headers when the request's Origin is allowed by config.cors_origin.
void add_cors_headers(const request& req, response& res, const server_config& config);
// The answer to a CORS preflight (OPTIONS).
response make_preflight(const request& req, const server_config& config);

}  // namespace chorus::server::http
