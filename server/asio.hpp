#pragma once

// The Asio names the server uses, in one place.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace chorus::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
template <class T = void>
using awaitable = asio::awaitable<T>;
constexpr auto use_nothrow_awaitable = asio::as_tuple(asio::use_awaitable);

// Completion handler for co_spawn: logs an escaped exception instead of losing it.
void log_coroutine_exception(std::exception_ptr error, const char* what);

struct log_exceptions {
  const char* what;
  void operator()(std::exception_ptr error) const {
    if (error) log_coroutine_exception(error, what);
  }
};

}  // namespace chorus::server
