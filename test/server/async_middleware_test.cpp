// Asynchronous connect middlewares (namespace_handlers::use_async) over real connections to a
// one-shard server: they run after the synchronous ones and in order, may suspend, refuse with
// CONNECT_ERROR, and a connection that closes or sends a second CONNECT meanwhile gets nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/server.hpp"
#include "server/socketio/application.hpp"
#include "server/socketio/socket.hpp"
#include "test/support/engineio_websocket.hpp"

namespace chorus::server {
namespace {

namespace beast = boost::beast;
using namespace std::chrono_literals;

// Suspends on a timer, as a check run elsewhere would.
awaitable<void> pause(std::chrono::milliseconds how_long) {
  asio::steady_timer timer(co_await asio::this_coro::executor, how_long);
  co_await timer.async_wait(asio::use_awaitable);
}

class AsyncMiddleware : public testing::Test {
 protected:
  void SetUp() override {
    app_.of("/")
        .use([this](socketio::socket&, simdjson::dom::element) -> std::optional<std::string> {
          note("sync");
          return std::nullopt;
        })
        .use_async([this](std::shared_ptr<socketio::socket>,
                          std::string auth_json) -> awaitable<std::optional<std::string>> {
          note("first " + auth_json);
          co_await pause(50ms);
          note("first resumed");
          co_return std::nullopt;
        })
        .use_async([this](std::shared_ptr<socketio::socket>,
                          std::string) -> awaitable<std::optional<std::string>> {
          note("second");
          co_return std::nullopt;
        })
        .on_connection([this](socketio::socket&) { note("connection"); });
    app_.of("/refused")
        .use_async([](std::shared_ptr<socketio::socket>,
                      std::string) -> awaitable<std::optional<std::string>> {
          co_await pause(50ms);
          co_return std::string("not you");
        })
        .on_connection([this](socketio::socket&) { note("connection /refused"); });
    server_config config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.threads = 1;
    server_ = std::make_unique<server>(config, app_.handler_factory());
    server_->start();
  }
  void TearDown() override { server_.reset(); }

  void note(std::string what) {
    std::lock_guard lock(mutex_);
    notes_.push_back(std::move(what));
  }
  std::vector<std::string> notes() {
    std::lock_guard lock(mutex_);
    return notes_;
  }
  // Waits (at most 5 s) until `count` notes were taken.
  std::vector<std::string> wait_for(std::size_t count) {
    for (auto deadline = std::chrono::steady_clock::now() + 5s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(5ms))
      if (notes().size() >= count) break;
    return notes();
  }
  static std::string read(test_websocket& ws) {
    beast::flat_buffer buffer;
    ws.read(buffer);
    return beast::buffers_to_string(buffer.data());
  }
  static void write(test_websocket& ws, std::string_view text) {
    ws.text(true);
    ws.write(asio::buffer(text));
  }

  asio::io_context context_;
  socketio::application app_;
  std::unique_ptr<server> server_;
  std::mutex mutex_;
  std::vector<std::string> notes_;
};

TEST_F(AsyncMiddleware, RunAfterTheSynchronousOnesInOrderThenConnect) {
  test_websocket ws(context_);
  open_engineio_websocket(ws, server_->port());
  write(ws, R"(40{"token":"t"})");
  std::string connect = read(ws);
  EXPECT_EQ(connect.rfind(R"(40{"sid":")", 0), 0u) << connect;
  std::vector<std::string> expected{"sync", R"(first {"token":"t"})", "first resumed", "second",
                                    "connection"};
  EXPECT_EQ(wait_for(expected.size()), expected);
}

TEST_F(AsyncMiddleware, RefusalIsAConnectError) {
  test_websocket ws(context_);
  open_engineio_websocket(ws, server_->port());
  write(ws, "40/refused,");
  EXPECT_EQ(read(ws), R"(44/refused,{"message":"not you"})");
  // The connection stays open: another namespace still connects.
  write(ws, "40");
  std::string connect = read(ws);
  EXPECT_EQ(connect.rfind(R"(40{"sid":")", 0), 0u) << connect;
  for (const auto& seen : wait_for(5)) EXPECT_NE(seen, "connection /refused");
}

TEST_F(AsyncMiddleware, ConnectionClosedWhileWaitingGetsNothing) {
  {
    test_websocket ws(context_);
    open_engineio_websocket(ws, server_->port());
    write(ws, "40");
    ws.next_layer().close();  // gone while the first middleware waits
  }
  std::vector<std::string> expected{"sync", "first {}", "first resumed"};
  EXPECT_EQ(wait_for(expected.size()), expected);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(notes(), expected);  // neither the later middleware nor on_connection ran
  // The shard still serves.
  test_websocket ws(context_);
  open_engineio_websocket(ws, server_->port());
  write(ws, "40");
  std::string connect = read(ws);
  EXPECT_EQ(connect.rfind(R"(40{"sid":")", 0), 0u) << connect;
}

TEST_F(AsyncMiddleware, SecondConnectWhileWaitingClosesTheConnection) {
  test_websocket ws(context_);
  open_engineio_websocket(ws, server_->port());
  write(ws, "40");
  write(ws, "40");  // out of order, as a second CONNECT to a joined namespace
  EXPECT_THROW(
      {
        for (;;) read(ws);  // a ping at most, then the close
      },
      boost::system::system_error);
  std::this_thread::sleep_for(150ms);
  std::vector<std::string> expected{"sync", "first {}", "first resumed"};
  EXPECT_EQ(notes(), expected);
}

}  // namespace
}  // namespace chorus::server
