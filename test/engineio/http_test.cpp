#include <gtest/gtest.h>

#include "server/engineio/request_error.hpp"
#include "server/http/query.hpp"
#include "server/http/responses.hpp"
#include "server/websocket/handshake.hpp"

namespace chorus::server {
namespace {

namespace beast_http = boost::beast::http;

TEST(Query, FindsParameters) {
  struct query_case {
    std::string_view target, name, expected;
  };
  const query_case cases[] = {
      {"/socket.io/?EIO=4&transport=polling", "EIO", "4"},
      {"/socket.io/?EIO=4&transport=polling", "transport", "polling"},
      {"/socket.io/?EIO=4&transport=polling&sid=abc", "sid", "abc"},
      {"/socket.io/?EIO=4&transport=polling", "sid", ""},
      {"/socket.io/", "EIO", ""},
      {"/socket.io/?EIOX=3&EIO=4", "EIO", "4"},
      {"/socket.io/?flag&EIO=4", "flag", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target);
    EXPECT_EQ(http::query_param(c.target, c.name), c.expected);
  }
  EXPECT_EQ(http::path_of("/socket.io/?EIO=4"), "/socket.io/");
  EXPECT_EQ(http::path_of("/"), "/");
}

TEST(WebsocketHandshake, AcceptKeyFromRfc6455) {
  // RFC 6455 §1.3's example.
  EXPECT_EQ(websocket_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

http::request upgrade_request() {
  http::request req{beast_http::verb::get, "/socket.io/?EIO=4&transport=websocket", 11};
  req.set(beast_http::field::connection, "Upgrade");
  req.set(beast_http::field::upgrade, "websocket");
  req.set(beast_http::field::sec_websocket_version, "13");
  req.set(beast_http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  return req;
}

TEST(WebsocketHandshake, ValidatesTheUpgrade) {
  EXPECT_TRUE(is_valid_websocket_upgrade(upgrade_request()));
  auto wrong_version = upgrade_request();
  wrong_version.set(beast_http::field::sec_websocket_version, "8");
  EXPECT_FALSE(is_valid_websocket_upgrade(wrong_version));
  auto short_key = upgrade_request();
  short_key.set(beast_http::field::sec_websocket_key, "c2hvcnQ=");
  EXPECT_FALSE(is_valid_websocket_upgrade(short_key));
  auto not_upgrade = upgrade_request();
  not_upgrade.erase(beast_http::field::upgrade);
  EXPECT_FALSE(is_valid_websocket_upgrade(not_upgrade));
  auto post = upgrade_request();
  post.method(beast_http::verb::post);
  EXPECT_FALSE(is_valid_websocket_upgrade(post));
}

TEST(WebsocketHandshake, AnswersSwitchingProtocols) {
  auto res = make_websocket_accept(upgrade_request());
  EXPECT_EQ(res.result(), beast_http::status::switching_protocols);
  EXPECT_EQ(res[beast_http::field::sec_websocket_accept], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(Cors, FollowsTheConfiguredOrigins) {
  struct cors_case {
    std::string_view allowed, origin, expected;
  };
  const cors_case cases[] = {
      {"", "http://a.example", ""},
      {"*", "http://a.example", "*"},
      {"http://a.example, http://b.example", "http://b.example", "http://b.example"},
      {"http://a.example", "http://evil.example", ""},
      {"http://a.example", "", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.allowed);
    server_config config;
    config.cors_origin = c.allowed;
    http::request req{beast_http::verb::get, "/socket.io/", 11};
    if (!c.origin.empty()) req.set(beast_http::field::origin, c.origin);
    http::response res = http::make_not_found(req);
    http::add_cors_headers(req, res, config);
    EXPECT_EQ(res[beast_http::field::access_control_allow_origin], c.expected);
  }
}

TEST(EngineioErrors, HaveTheReferenceBodies) {
  server_config config;
  http::request req{beast_http::verb::get, "/socket.io/", 11};
  auto res = engineio::make_error_response(req, engineio::request_error::unknown_sid, config);
  EXPECT_EQ(res.result(), beast_http::status::bad_request);
  EXPECT_EQ(res.body(), R"({"code":1,"message":"Session ID unknown"})");
  EXPECT_EQ(res[beast_http::field::content_type], "application/json");
}

}  // namespace
}  // namespace chorus::server
