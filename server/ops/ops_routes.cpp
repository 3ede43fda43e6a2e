#include "server/ops/ops_routes.hpp"

#include "server/http/query.hpp"
#include "server/http/responses.hpp"
#include "server/metrics/exposition.hpp"
#include "server/metrics/scrape.hpp"
#include "server/server.hpp"

namespace chorus::server::ops {
namespace {

namespace beast_http = boost::beast::http;
using http::request;
using http::response;

constexpr std::string_view text_plain = "text/plain; charset=utf-8";

response plain(const request& req, beast_http::status status, std::string_view content_type,
               std::string body) {
  response res = http::make_text(req, status, content_type, std::move(body));
  // Every answer is the state right now: no cache may keep it.
  res.set(beast_http::field::cache_control, "no-store");
  if (status == beast_http::status::method_not_allowed)
    res.set(beast_http::field::allow, "GET, HEAD");
  return res;
}

response readiness(const request& req, const server& srv) {
  if (srv.draining())
    return plain(req, beast_http::status::service_unavailable, text_plain, "draining");
  if (!srv.accepting())
    return plain(req, beast_http::status::service_unavailable, text_plain, "starting");
  return plain(req, beast_http::status::ok, text_plain, "ready");
}

// Answers one operator request; the body, if any, is read and ignored.
awaitable<http::outcome> serve_ops(http::connection& conn, http::request_parser_ptr parser,
                                   server& srv) {
  auto req = co_await http::read_body(conn, *parser);
  if (!req) co_return http::outcome::close;
  auto method = req->method();
  auto path = http::path_of(req->target());
  response res;
  if (method != beast_http::verb::get && method != beast_http::verb::head) {
    res = plain(*req, beast_http::status::method_not_allowed, text_plain, "Method Not Allowed");
  } else if (path == "/healthz") {
    res = plain(*req, beast_http::status::ok, text_plain, "ok");
  } else if (path == "/readyz") {
    res = readiness(*req, srv);
  } else {
    std::string body = co_await metrics::scrape(srv);
    res = plain(*req, beast_http::status::ok, metrics::exposition_content_type, std::move(body));
  }
  // A HEAD answer keeps the GET answer's headers (Content-Length included) but sends no body.
  if (method == beast_http::verb::head) res.body().clear();
  co_return co_await http::write_response(conn, std::move(res));
}

}  // namespace

void add_ops_routes(http::router& router, server& srv) {
  for (const char* path : {"/healthz", "/readyz", "/metrics"})
    router.add({.path = path,
                .serve =
                    [&srv](http::connection& conn, http::request_parser_ptr parser) {
                      return serve_ops(conn, std::move(parser), srv);
                    },
                .over_limit = true});
}

}  // namespace chorus::server::ops
