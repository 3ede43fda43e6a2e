#include "server/http/http_session.hpp"

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "server/engineio/endpoint.hpp"
#include "server/http/connection.hpp"
#include "server/http/query.hpp"
#include "server/http/responses.hpp"
#include "server/server.hpp"
#include "server/shard.hpp"

namespace chorus::server::http {

namespace beast = boost::beast;

namespace {

bool is_engineio_path(std::string_view target) {
  auto path = path_of(target);
  return path == "/socket.io/" || path == "/socket.io";
}

awaitable<outcome> handle(connection& conn, request req) {
  if (is_engineio_path(req.target()))
    co_return co_await engineio::handle_request(conn, std::move(req));
  co_return co_await write_response(conn, conn.home.owner().http_handler()(req));
}

awaitable<void> serve(shard& home, beast::tcp_stream stream, beast::flat_buffer buffer,
                      std::optional<request> first) {
  connection conn{home, std::move(stream), std::move(buffer)};
  const server_config& config = home.config();
  for (;;) {
    request req;
    if (first) {
      req = std::move(*first);
      first.reset();
    } else {
      beast_http::request_parser<beast_http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
      parser.body_limit(config.max_payload);
      // One deadline for the whole request: a client trickling bytes cannot hold the connection.
      conn.stream.expires_after(config.http_timeout);
      auto [ec, n] =
          co_await beast_http::async_read(conn.stream, conn.buffer, parser, use_nothrow_awaitable);
      if (ec == beast_http::error::body_limit) {
        engineio::refuse_oversized_body(conn.home, parser.get());
        co_await write_response(conn, make_payload_too_large(parser.get()));
        break;
      }
      if (ec) break;  // closed, timed out or malformed
      req = parser.release();
    }
    if (co_await handle(conn, std::move(req)) != outcome::keep_alive) co_return;
  }
  boost::system::error_code ignored;
  conn.stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace

awaitable<outcome> write_response(connection& conn, response res) {
  conn.stream.expires_after(conn.home.config().http_timeout);
  bool keep_alive = res.keep_alive();
  auto [ec, n] = co_await beast_http::async_write(conn.stream, res, use_nothrow_awaitable);
  co_return !ec && keep_alive ? outcome::keep_alive : outcome::close;
}

void migrate(connection& conn, shard& to, request req) {
  conn.stream.expires_never();
  tcp::socket socket = conn.stream.release_socket();
  boost::system::error_code ec;
  auto protocol = socket.local_endpoint(ec).protocol();
  if (ec) return;
  auto fd = socket.release(ec);
  if (ec) return;
  asio::post(to.context(),
             [&to, fd, protocol, buffer = std::move(conn.buffer), req = std::move(req)]() mutable {
               tcp::socket adopted(to.context(), protocol, fd);
               asio::co_spawn(to.executor(),
                              serve(to, beast::tcp_stream(std::move(adopted)), std::move(buffer),
                                    std::move(req)),
                              log_exceptions{"http session"});
             });
}

awaitable<void> run_http_session(shard& home, tcp::socket socket) {
  co_await serve(home, beast::tcp_stream(std::move(socket)), beast::flat_buffer(), std::nullopt);
}

}  // namespace chorus::server::http
