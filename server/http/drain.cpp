#include "server/http/drain.hpp"

#include <algorithm>
#include <array>

namespace chorus::server::http {

awaitable<void> drain_before_close(boost::beast::tcp_stream& stream,
                                   std::chrono::milliseconds timeout, std::size_t budget) {
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(timeout);
  // Small: many refused connections may be draining at once, each holding this frame.
  std::array<char, 4096> sink;
  while (budget > 0) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), use_nothrow_awaitable);
    if (ec) break;
    budget -= std::min(budget, n);
  }
}

}  // namespace chorus::server::http
