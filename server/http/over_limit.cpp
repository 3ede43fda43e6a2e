#include "server/http/over_limit.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <string>

#include "server/http/connection.hpp"
#include "server/http/drain.hpp"
#include "server/http/responses.hpp"
#include "server/http/router.hpp"
#include "server/http/site.hpp"
#include "server/shard.hpp"

namespace chorus::server::http {

namespace beast = boost::beast;

awaitable<void> answer_over_limit(shard& home, const site& site, tcp::socket socket,
                                  guard::connection_slot reserve, std::string_view message) {
  const server_config& config = home.config();
  connection conn{home, site, client_stream(beast::tcp_stream(std::move(socket))),
                  beast::flat_buffer(), std::move(reserve)};
  auto parser = make_request_parser(config);
  conn.stream.expires_after(config.http_timeout);
  auto [ec, n] = co_await beast_http::async_read_header(conn.stream, conn.buffer, *parser,
                                                        use_nothrow_awaitable);
  if (ec) co_return;  // closed, timed out or malformed: the stream's destructor closes it
  parser->get().keep_alive(false);  // the answer closes the connection
  note_request(conn, parser->get());
  if (const route* r = site.router.find(parser->get().target()); r && r->over_limit) {
    co_await r->serve(conn, std::move(parser));
  } else {
    // The body, if any, is not read.
    request req = parser->release();
    response res = make_text(req, beast_http::status::service_unavailable,
                             "text/plain; charset=UTF-8", std::string(message));
    res.set(beast_http::field::retry_after, "1");
    co_await write_response(conn, std::move(res));
  }
  co_await drain_before_close(conn.stream.tcp(), std::chrono::seconds(1), 16 * 1024);
}

}  // namespace chorus::server::http
