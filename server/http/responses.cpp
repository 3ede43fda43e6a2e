#include "server/http/responses.hpp"

#include <boost/beast/http/field.hpp>

#include "server/guard/origin_policy.hpp"

namespace chorus::server::http {
response make_text(const request& req, beast_http::status status, std::string_view content_type,
                   std::string body) {
  response res{status, req.version()};
  res.set(beast_http::field::content_type, content_type);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

response make_not_found(const request& req) {
  return make_text(req, beast_http::status::not_found, "text/plain; charset=UTF-8", "Not Found");
}

response make_payload_too_large(const request& req) {
  response res = make_text(req, beast_http::status::payload_too_large, "text/plain; charset=UTF-8",
                           "Payload Too Large");
  res.keep_alive(false);
  return res;
}

void add_cors_headers(const request& req, response& res, const server_config& config) {
  if (config.cors_origin.empty()) return;
  auto origin = req[beast_http::field::origin];
  if (config.cors_origin == "*") {
    res.set(beast_http::field::access_control_allow_origin, "*");
    return;
  }
  // The same list that lets the request in (guard::origin_permitted) names it here.
  if (!origin.empty() &&
      guard::origin_allowed(origin, req[beast_http::field::host], config.cors_origin)) {
    res.set(beast_http::field::access_control_allow_origin, origin);
    res.set(beast_http::field::access_control_allow_credentials, "true");
    res.set(beast_http::field::vary, "Origin");
  }
}

response make_preflight(const request& req, const server_config& config) {
  response res{beast_http::status::no_content, req.version()};
  res.keep_alive(req.keep_alive());
  add_cors_headers(req, res, config);
  res.set(beast_http::field::access_control_allow_methods, "GET,HEAD,PUT,PATCH,POST,DELETE");
  auto asked = req[beast_http::field::access_control_request_headers];
  if (!asked.empty()) res.set(beast_http::field::access_control_allow_headers, asked);
  res.set(beast_http::field::vary, "Access-Control-Request-Headers");
  res.content_length(0);
  return res;
}

}  // namespace chorus::server::http
