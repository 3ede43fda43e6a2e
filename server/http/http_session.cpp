#include "server/http/http_session.hpp"

#include <fmt/format.h>

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "server/http/connection.hpp"
#include "server/http/drain.hpp"
#include "server/http/query.hpp"
#include "server/http/responses.hpp"
#include "server/http/router.hpp"
#include "server/http/site.hpp"
#include "server/shard.hpp"

namespace chorus::server::http {

namespace beast = boost::beast;

namespace {

void log_access(const access_log& log, connection& conn, unsigned status, std::size_t bytes) {
  boost::system::error_code ec;
  auto remote = conn.stream.socket().remote_endpoint(ec);
  std::string remote_text = "-";
  if (!ec)
    remote_text = remote.address().is_v6()
                      ? fmt::format("[{}]:{}", remote.address().to_string(), remote.port())
                      : fmt::format("{}:{}", remote.address().to_string(), remote.port());
  std::string_view transport = "-";
  if (const route* r = conn.site.router.find(conn.log_target); r && r->log_transport) {
    auto named = query_param(conn.log_target, "transport");
    if (named == "polling" || named == "websocket") transport = named;
  }
  auto took = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - conn.log_start);
  log.write({remote_text, conn.log_method, conn.log_target, status, bytes, took, transport});
}

awaitable<outcome> handle(connection& conn, request_parser_ptr parser) {
  if (const route* r = conn.site.router.find(parser->get().target()))
    co_return co_await r->serve(conn, std::move(parser));
  auto req = co_await read_body(conn, *parser);
  if (!req) co_return outcome::close;
  co_return co_await write_response(conn, conn.site.fallback(*req));
}

// After refusing a request whose body is still arriving, closing at once would make the kernel
// answer the unread bytes with a reset that can destroy the response in flight. Read and drop
// them for a bounded time and amount first.
awaitable<void> linger(connection& conn) {
  co_await drain_before_close(conn.stream.tcp(), std::chrono::seconds(1),
                              2 * conn.home.config().max_payload);
}

awaitable<void> refuse_too_large(connection& conn, const request& header) {
  if (const route* r = conn.site.router.find(header.target()); r && r->body_refused)
    r->body_refused(conn.home, header);
  co_await write_response(conn, make_payload_too_large(header));
  co_await linger(conn);
}

awaitable<void> serve(shard& home, const site& site, client_stream stream,
                      beast::flat_buffer buffer, request_parser_ptr resumed,
                      guard::connection_slot slot) {
  connection conn{home, site, std::move(stream), std::move(buffer), std::move(slot)};
  const server_config& config = home.config();
  for (;;) {
    request_parser_ptr parser = std::move(resumed);
    if (!parser) {
      parser = make_request_parser(config);
      // One deadline for the whole request: a client trickling bytes cannot hold the connection.
      conn.stream.expires_after(config.http_timeout);
      auto [ec, n] = co_await beast_http::async_read_header(conn.stream, conn.buffer, *parser,
                                                            use_nothrow_awaitable);
      if (ec == beast_http::error::body_limit) {  // a declared Content-Length over the limit
        co_await refuse_too_large(conn, parser->get());
        co_return;
      }
      if (ec) break;  // closed, timed out or malformed
    }
    note_request(conn, parser->get());
    if (co_await handle(conn, std::move(parser)) != outcome::keep_alive) co_return;
  }
  boost::system::error_code ignored;
  conn.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace

void note_request(connection& conn, const request& header) {
  if (!conn.site.log) return;
  conn.log_method = std::string(header.method_string());
  conn.log_target = std::string(header.target());
  conn.log_start = std::chrono::steady_clock::now();
}

request_parser_ptr make_request_parser(const server_config& config) {
  auto parser = std::make_unique<request_parser>();
  parser->header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
  parser->body_limit(config.max_payload);
  return parser;
}

awaitable<outcome> write_response(connection& conn, response res) {
  conn.stream.expires_after(conn.home.config().http_timeout);
  bool keep_alive = res.keep_alive();
  unsigned status = res.result_int();
  auto [ec, n] = co_await beast_http::async_write(conn.stream, res, use_nothrow_awaitable);
  if (const auto* log = conn.site.log.get(); log && !ec) log_access(*log, conn, status, n);
  co_return !ec && keep_alive ? outcome::keep_alive : outcome::close;
}

awaitable<std::optional<request>> read_body(connection& conn, request_parser& parser) {
  if (!parser.is_done()) {
    auto [ec, n] =
        co_await beast_http::async_read(conn.stream, conn.buffer, parser, use_nothrow_awaitable);
    if (ec == beast_http::error::body_limit) {
      co_await refuse_too_large(conn, parser.get());
      co_return std::nullopt;
    }
    if (ec) co_return std::nullopt;
  }
  co_return parser.release();
}

void migrate(connection& conn, shard& to, request_parser_ptr parser) {
  conn.stream.expires_never();
  tcp::socket socket = conn.stream.release_socket();
  auto tls = conn.stream.release_tls();  // the TLS state moves with its socket
  boost::system::error_code ec;
  auto protocol = socket.local_endpoint(ec).protocol();
  if (ec) return;
  auto fd = socket.release(ec);
  if (ec) return;
  asio::post(to.context(), [&to, &site = conn.site, fd, protocol, buffer = std::move(conn.buffer),
                            parser = std::move(parser), slot = std::move(conn.slot),
                            tls = std::move(tls)]() mutable {
    tcp::socket adopted(to.context(), protocol, fd);
    // The request's deadline starts again on the new shard; it is still bounded.
    client_stream stream(beast::tcp_stream(std::move(adopted)), std::move(tls));
    stream.expires_after(to.config().http_timeout);
    asio::co_spawn(
        to.executor(),
        serve(to, site, std::move(stream), std::move(buffer), std::move(parser), std::move(slot)),
        log_exceptions{"http session"});
  });
}

awaitable<void> run_http_session(shard& home, const site& site, tcp::socket socket,
                                 guard::connection_slot slot) {
  co_await serve(home, site, client_stream(beast::tcp_stream(std::move(socket))),
                 beast::flat_buffer(), nullptr, std::move(slot));
}

awaitable<void> run_http_session(shard& home, const site& site, client_stream stream,
                                 guard::connection_slot slot) {
  co_await serve(home, site, std::move(stream), beast::flat_buffer(), nullptr, std::move(slot));
}

}  // namespace chorus::server::http
