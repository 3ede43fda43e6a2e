#include "server/http/ops_endpoint.hpp"

#include "server/http/query.hpp"
#include "server/http/responses.hpp"
#include "server/metrics/exposition.hpp"
#include "server/metrics/scrape.hpp"
#include "server/server.hpp"
#include "server/shard.hpp"

namespace chorus::server::http {
namespace {

constexpr std::string_view text_plain = "text/plain; charset=utf-8";

response plain(const request& req, beast_http::status status, std::string_view content_type,
               std::string body) {
  response res = make_text(req, status, content_type, std::move(body));
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

}  // namespace

bool is_ops_path(std::string_view target) {
  auto path = path_of(target);
  return path == "/healthz" || path == "/readyz" || path == "/metrics";
}

awaitable<outcome> handle_ops_request(connection& conn, request req) {
  auto method = req.method();
  auto path = path_of(req.target());
  response res;
  if (method != beast_http::verb::get && method != beast_http::verb::head) {
    res = plain(req, beast_http::status::method_not_allowed, text_plain, "Method Not Allowed");
  } else if (path == "/healthz") {
    res = plain(req, beast_http::status::ok, text_plain, "ok");
  } else if (path == "/readyz") {
    res = readiness(req, conn.home.owner());
  } else {
    std::string body = co_await metrics::scrape(conn.home.owner());
    res = plain(req, beast_http::status::ok, metrics::exposition_content_type, std::move(body));
  }
  // A HEAD answer keeps the GET answer's headers (Content-Length included) but sends no body.
  if (method == beast_http::verb::head) res.body().clear();
  co_return co_await write_response(conn, std::move(res));
}

}  // namespace chorus::server::http
