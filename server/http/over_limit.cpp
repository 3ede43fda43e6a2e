#include "server/http/over_limit.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <string>

#include "server/http/connection.hpp"
#include "server/http/drain.hpp"
#include "server/http/ops_endpoint.hpp"
#include "server/http/responses.hpp"
#include "server/shard.hpp"

namespace chorus::server::http {

namespace beast = boost::beast;

awaitable<void> answer_over_limit(shard& home, tcp::socket socket, guard::connection_slot reserve,
                                  std::string_view message) {
  const server_config& config = home.config();
  connection conn{home, client_stream(beast::tcp_stream(std::move(socket))), beast::flat_buffer(),
                  std::move(reserve)};
  request_parser parser;
  parser.header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
  conn.stream.expires_after(config.http_timeout);
  auto [ec, n] = co_await beast_http::async_read_header(conn.stream, conn.buffer, parser,
                                                        use_nothrow_awaitable);
  if (ec) co_return;  // closed, timed out or malformed: the stream's destructor closes it
  // The body, if any, is not read: the answer closes the connection.
  request req = parser.release();
  req.keep_alive(false);
  conn.log_method = std::string(req.method_string());
  conn.log_target = std::string(req.target());
  conn.log_start = std::chrono::steady_clock::now();
  if (is_ops_path(req.target())) {
    co_await handle_ops_request(conn, std::move(req));
  } else {
    response res = make_text(req, beast_http::status::service_unavailable,
                             "text/plain; charset=UTF-8", std::string(message));
    res.set(beast_http::field::retry_after, "1");
    co_await write_response(conn, std::move(res));
  }
  co_await drain_before_close(conn.stream.tcp(), std::chrono::seconds(1), 16 * 1024);
}

}  // namespace chorus::server::http
