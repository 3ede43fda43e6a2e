#include "server/guard/http_checks.hpp"

#include "server/guard/origin_policy.hpp"
#include "server/http/responses.hpp"

namespace chorus::server::guard {

namespace beast_http = boost::beast::http;

bool origin_permitted(const http::request& req, const server_config& config) {
  auto found = req.find(beast_http::field::origin);
  if (found == req.end()) return true;
  return origin_allowed(found->value(), req[beast_http::field::host], config.cors_origin);
}

http::response make_origin_refusal(const http::request& req) {
  auto res = http::make_text(req, beast_http::status::forbidden, "application/json",
                             R"({"code":4,"message":"Origin not allowed"})");
  res.keep_alive(false);
  return res;
}

http::response make_handshake_refusal(const http::request& req) {
  auto res = http::make_text(req, beast_http::status::service_unavailable,
                             "text/plain; charset=UTF-8", "Too many handshakes from this address");
  res.set(beast_http::field::retry_after, "1");
  return res;
}

}  // namespace chorus::server::guard
