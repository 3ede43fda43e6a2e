#include "server/guard/refusal.hpp"

#include <fmt/format.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/beast/core/tcp_stream.hpp>

#include "server/http/drain.hpp"

namespace chorus::server::guard {
namespace {

// Refused connections lingering right now; past the bound they are closed at once, so a flood
// of refusals cannot itself hold many descriptors.
std::atomic<int> lingering{0};
constexpr int max_lingering = 1024;

awaitable<void> drain_then_close(boost::beast::tcp_stream stream) {
  co_await http::drain_before_close(stream, std::chrono::seconds(1), 16 * 1024);
  lingering.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace

std::string_view refusal_message(admission verdict) {
  switch (verdict) {
    case admission::too_many_connections:
      return "Too many connections";
    case admission::too_many_from_address:
      return "Too many connections from this address";
    case admission::admitted:
      break;
  }
  return "";
}

void refuse_connection(tcp::socket socket, std::string_view message) {
  std::string answer = fmt::format(
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=UTF-8\r\n"
      "Content-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{}",
      message.size(), message);
  // A fresh socket's send buffer takes this whole: one non-blocking call, no coroutine.
  ::send(socket.native_handle(), answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  if (lingering.fetch_add(1, std::memory_order_relaxed) >= max_lingering) {
    lingering.fetch_sub(1, std::memory_order_relaxed);
    return;  // closed by the socket's destructor
  }
  auto executor = socket.get_executor();
  asio::co_spawn(executor, drain_then_close(boost::beast::tcp_stream(std::move(socket))),
                 log_exceptions{"refused connection"});
}

}  // namespace chorus::server::guard
