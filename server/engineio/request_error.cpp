#include "server/engineio/request_error.hpp"

#include <fmt/format.h>

#include "server/http/responses.hpp"

namespace chorus::server::engineio {
namespace {

std::string_view message_of(request_error error) {
  switch (error) {
    case request_error::unknown_transport:
      return "Transport unknown";
    case request_error::unknown_sid:
      return "Session ID unknown";
    case request_error::bad_handshake_method:
      return "Bad handshake method";
    case request_error::bad_request:
      return "Bad request";
    case request_error::forbidden:
      return "Forbidden";
    case request_error::unsupported_protocol_version:
      return "Unsupported protocol version";
  }
  return "Bad request";
}

}  // namespace

http::response make_error_response(const http::request& req, request_error error,
                                   const server_config& config) {
  auto status = error == request_error::forbidden ? http::beast_http::status::forbidden
                                                  : http::beast_http::status::bad_request;
  http::response res = http::make_text(
      req, status, "application/json",
      fmt::format(R"({{"code":{},"message":"{}"}})", static_cast<int>(error), message_of(error)));
  http::add_cors_headers(req, res, config);
  return res;
}

}  // namespace chorus::server::engineio
