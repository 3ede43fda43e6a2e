// The hooks of the Admin UI's development mode, over real connections to a one-shard server:
// what a socket_observer is told and in which order, the transport and clientId a socket reports
// (across a polling → WebSocket upgrade), socket.io's handshake object, the "_admin" member of
// expose_admin_data, and the packets_in counter.
#include "server/socketio/socket_observer.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/socket.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cctype>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/server.hpp"
#include "server/socketio/application.hpp"
#include "server/socketio/event.hpp"
#include "server/socketio/socket.hpp"
#include "test/support/engineio_websocket.hpp"

namespace chorus::server {
namespace {

namespace beast = boost::beast;
namespace beast_http = beast::http;
namespace websocket = beast::websocket;
using namespace std::chrono_literals;

// Every call, one line each ("joined r"), taken on the shard's thread and read on the test's.
class recording_observer final : public socketio::socket_observer {
 public:
  void connected(const socketio::socket& s) override { note("connected " + s.id()); }
  void disconnected(const socketio::socket&, disconnect_reason reason) override {
    note("disconnected " + std::string(to_string(reason)));
  }
  void joined(const socketio::socket&, std::string_view room) override {
    note("joined " + std::string(room));
  }
  void left(const socketio::socket&, std::string_view room) override {
    note("left " + std::string(room));
  }
  void event_received(const socketio::socket&, std::string_view name,
                      std::string_view args_json) override {
    note("received " + std::string(name) + " " + std::string(args_json));
  }
  void event_sent(const socketio::socket&, std::string_view name,
                  std::string_view args_json) override {
    note("sent " + std::string(name) + " " + std::string(args_json));
  }
  void transport_upgraded(const socketio::socket& s) override {
    note("upgraded " + std::string(s.transport()));
  }

  std::vector<std::string> calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  // Waits (at most 5 s) until `count` calls were made.
  std::vector<std::string> wait_for(std::size_t count) {
    for (auto deadline = std::chrono::steady_clock::now() + 5s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(5ms))
      if (calls().size() >= count) break;
    return calls();
  }

 private:
  void note(std::string call) {
    std::lock_guard lock(mutex_);
    calls_.push_back(std::move(call));
  }
  std::mutex mutex_;
  std::vector<std::string> calls_;
};

using json_result = simdjson::simdjson_result<simdjson::dom::element>;
std::string_view str(json_result value) {
  std::string_view out;
  if (value.get_string().get(out)) return "(not a string)";
  return out;
}
std::optional<bool> boolean(json_result value) {
  bool out = false;
  if (value.get_bool().get(out)) return std::nullopt;
  return out;
}

// What the "inspect" handler saw of its socket.
struct inspection {
  std::string handshake, data, transport, client_id;
};

class SocketObserver : public testing::Test {
 protected:
  void start(bool expose_admin_data) {
    observer_ = std::make_shared<recording_observer>();
    app_.observe(observer_);
    app_.expose_admin_data(expose_admin_data);
    app_.of("/")
        .on_connection([](socketio::socket& s) { s.set_data_json(R"({"name":"x"})"); })
        .on("join", [](socketio::socket& s, const socketio::event&) { s.join("r"); })
        .on("leave", [](socketio::socket& s, const socketio::event&) { s.leave("r"); })
        .on("hello", [](socketio::socket& s, const socketio::event&) { s.emit("hi", R"(1,"a")"); })
        .on("inspect", [this](socketio::socket& s, const socketio::event&) {
          std::lock_guard lock(mutex_);
          inspected_.push_back(
              {s.handshake_json(), s.data_json(), std::string(s.transport()), s.client_id()});
        });
    server_config config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.threads = 1;
    server_ = std::make_unique<server>(config, app_.handler_factory());
    server_->start();
  }
  void TearDown() override { server_.reset(); }

  // The n-th inspection (waits at most 5 s for it).
  inspection inspected(std::size_t n) {
    for (auto deadline = std::chrono::steady_clock::now() + 5s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(5ms)) {
      std::lock_guard lock(mutex_);
      if (inspected_.size() > n) return inspected_[n];
    }
    ADD_FAILURE() << "no inspection " << n;
    return {};
  }
  std::uint64_t packets_in() { return server_->shard_at(0).metrics().packets_in.value(); }

  // A WebSocket to the Engine.IO path at `target`, with extra request headers.
  void open_websocket(test_websocket& ws, const std::string& target,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    ws.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    timeval bound{5, 0};
    ::setsockopt(ws.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
    ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
      for (const auto& [name, value] : headers) req.set(name, value);
    }));
    ws.handshake("127.0.0.1", target);
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
  // One long-polling request; returns the response body.
  std::string http(beast_http::verb verb, const std::string& target, std::string body = {}) {
    tcp::socket sock(context_);
    sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    timeval bound{5, 0};
    ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
    beast_http::request<beast_http::string_body> req(verb, target, 11);
    req.set(beast_http::field::host, "127.0.0.1");
    if (!body.empty()) req.set(beast_http::field::content_type, "text/plain;charset=UTF-8");
    req.body() = std::move(body);
    req.prepare_payload();
    beast_http::write(sock, req);
    beast::flat_buffer buffer;
    beast_http::response<beast_http::string_body> res;
    beast_http::read(sock, buffer, res);
    EXPECT_EQ(res.result(), beast_http::status::ok) << target;
    return res.body();
  }
  static std::string sid_of(std::string_view open_packet) {
    simdjson::dom::parser parser;
    std::string_view sid;
    EXPECT_FALSE(parser.parse(open_packet.substr(1))["sid"].get_string().get(sid)) << open_packet;
    return std::string(sid);
  }

  asio::io_context context_;
  socketio::application app_;
  std::shared_ptr<recording_observer> observer_;
  std::unique_ptr<server> server_;
  std::mutex mutex_;
  std::vector<inspection> inspected_;
};

TEST_F(SocketObserver, IsToldOfASocketsLifeInOrder) {
  start(false);
  test_websocket ws(context_);
  open_websocket(ws, "/socket.io/?EIO=4&transport=websocket");
  read(ws);  // OPEN
  write(ws, "40");
  std::string connect = read(ws);
  simdjson::dom::parser parser;
  std::string_view id;
  ASSERT_FALSE(parser.parse(connect.substr(2))["sid"].get_string().get(id)) << connect;
  std::string socket_id(id);
  write(ws, R"(42["join"])");
  write(ws, R"(42["hello",1,{"a":2}])");
  EXPECT_EQ(read(ws), R"(42["hi",1,"a"])");
  write(ws, R"(42["leave"])");
  write(ws, "41");
  std::vector<std::string> expected{"connected " + socket_id,
                                    "joined " + socket_id,
                                    "received join ",
                                    "joined r",
                                    R"(received hello 1,{"a":2})",
                                    R"(sent hi 1,"a")",
                                    "received leave ",
                                    "left r",
                                    "disconnected client namespace disconnect",
                                    "left " + socket_id};
  EXPECT_EQ(observer_->wait_for(expected.size()), expected);
}

TEST_F(SocketObserver, HandshakeIsSocketIosObject) {
  start(false);
  test_websocket ws(context_);
  const std::string target = "/socket.io/?EIO=4&transport=websocket&name=a%20b+c&x=1";
  open_websocket(ws, target, {{"X-Custom-Header", "Value"}, {"Origin", "http://127.0.0.1"}});
  std::string sid = sid_of(read(ws));
  write(ws, R"(40{"token":"t"})");
  read(ws);
  write(ws, R"(42["inspect"])");
  inspection seen = inspected(0);
  EXPECT_EQ(seen.transport, "websocket");
  EXPECT_EQ(seen.client_id, sid);
  EXPECT_EQ(seen.data, R"({"name":"x"})");  // expose_admin_data off

  simdjson::dom::parser parser;
  simdjson::dom::element handshake;
  ASSERT_FALSE(parser.parse(seen.handshake).get(handshake)) << seen.handshake;
  simdjson::dom::object headers;
  ASSERT_FALSE(handshake["headers"].get_object().get(headers)) << seen.handshake;
  for (auto field : headers) {
    std::string name(field.key), lower = name;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(name, lower) << "header names are lowercased";
  }
  EXPECT_EQ(str(headers["x-custom-header"]), "Value");
  EXPECT_EQ(str(headers["origin"]), "http://127.0.0.1");
  EXPECT_EQ(str(headers["host"]), "127.0.0.1");
  EXPECT_EQ(str(handshake["url"]), target);
  EXPECT_EQ(str(handshake["query"]["name"]), "a b c");
  EXPECT_EQ(str(handshake["query"]["EIO"]), "4");
  EXPECT_EQ(str(handshake["query"]["x"]), "1");
  EXPECT_EQ(str(handshake["address"]), "127.0.0.1");
  EXPECT_EQ(boolean(handshake["xdomain"]), true);
  EXPECT_EQ(boolean(handshake["secure"]), false);
  std::uint64_t issued = 0;
  EXPECT_FALSE(handshake["issued"].get_uint64().get(issued));
  EXPECT_GT(issued, 0u);
  EXPECT_EQ(str(handshake["time"]).size(), std::string_view("2026-01-01T00:00:00.000Z").size());
  EXPECT_EQ(str(handshake["auth"]["token"]), "t");
}

// Over polling, then upgraded: the observer hears of the upgrade, the socket reports its new
// transport (in "_admin" too), and every packet read counts in packets_in.
TEST_F(SocketObserver, UpgradeIsToldAndPacketsAreCounted) {
  start(true);
  std::string sid =
      sid_of(http(beast_http::verb::get, "/socket.io/?EIO=4&transport=polling&t=abc"));
  const std::string polling = "/socket.io/?EIO=4&transport=polling&sid=" + sid;
  std::uint64_t before = packets_in();
  http(beast_http::verb::post, polling,
       "40\x1e"
       R"(42["inspect"])");
  inspection seen = inspected(0);
  EXPECT_EQ(packets_in() - before, 2u) << "each packet of a polling body";
  EXPECT_EQ(seen.transport, "polling");
  EXPECT_EQ(seen.client_id, sid);
  EXPECT_EQ(seen.data, R"({"_admin":{"clientId":")" + sid.substr(0, 12) +
                           R"(","transport":"polling"},"name":"x"})");
  simdjson::dom::parser parser;
  simdjson::dom::element handshake;
  ASSERT_FALSE(parser.parse(seen.handshake).get(handshake)) << seen.handshake;
  EXPECT_EQ(str(handshake["url"]), "/socket.io/?EIO=4&transport=polling&t=abc");
  EXPECT_EQ(str(handshake["query"]["t"]), "abc");
  EXPECT_EQ(boolean(handshake["xdomain"]), false) << "no Origin header";
  EXPECT_NE(http(beast_http::verb::get, polling).find("40{"), std::string::npos);

  test_websocket ws(context_);
  open_websocket(ws, "/socket.io/?EIO=4&transport=websocket&sid=" + sid);
  before = packets_in();
  write(ws, "2probe");
  EXPECT_EQ(read(ws), "3probe");
  write(ws, "5");
  write(ws, R"(42["inspect"])");
  seen = inspected(1);
  EXPECT_EQ(packets_in() - before, 3u) << "each WebSocket message";
  EXPECT_EQ(seen.transport, "websocket");
  EXPECT_EQ(seen.data, R"({"_admin":{"clientId":")" + sid.substr(0, 12) +
                           R"(","transport":"websocket"},"name":"x"})");
  auto calls = observer_->calls();
  ASSERT_GE(calls.size(), 4u);
  EXPECT_EQ(calls[calls.size() - 2], "upgraded websocket");
  EXPECT_EQ(calls.back(), R"(received inspect )");
}

}  // namespace
}  // namespace chorus::server
