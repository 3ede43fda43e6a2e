#include "server/http/static_handler.hpp"

#include <gtest/gtest.h>

#include "server/http/static_path.hpp"

namespace chorus::server::http {
namespace {

constexpr std::string_view page = "<!doctype html><title>chat</title>";
constexpr std::string_view last_modified = "Tue, 25 Nov 2025 18:00:00 GMT";

static_content site() {
  static_content content;
  content.add("index.html", {std::string(page), content_type_for("index.html"), make_etag(page),
                             std::string(last_modified)});
  content.add("socket.io/socket.io.min.js",
              {"/* client */", content_type_for("x.js"), make_etag("/* client */"), ""});
  return content;
}

request make_request(beast_http::verb method, std::string_view target) {
  request req{method, target, 11};
  req.set(beast_http::field::host, "localhost");
  return req;
}

TEST(StaticHandler, ServesTheIndexWithValidators) {
  auto res = serve_static(site(), make_request(beast_http::verb::get, "/"));
  EXPECT_EQ(res.result(), beast_http::status::ok);
  EXPECT_EQ(res[beast_http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(res.body(), page);
  EXPECT_EQ(res[beast_http::field::content_length], std::to_string(page.size()));
  EXPECT_EQ(res[beast_http::field::etag], make_etag(page));
  EXPECT_EQ(res[beast_http::field::last_modified], last_modified);
  EXPECT_EQ(res[beast_http::field::cache_control], "no-cache");
  EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
  EXPECT_TRUE(res.keep_alive());
}

TEST(StaticHandler, HeadHasTheHeadersButNoBody) {
  auto res = serve_static(site(), make_request(beast_http::verb::head, "/index.html"));
  EXPECT_EQ(res.result(), beast_http::status::ok);
  EXPECT_EQ(res.body(), "");
  EXPECT_EQ(res[beast_http::field::content_length], std::to_string(page.size()));
  EXPECT_EQ(res[beast_http::field::etag], make_etag(page));
  auto missing = serve_static(site(), make_request(beast_http::verb::head, "/nope"));
  EXPECT_EQ(missing.result(), beast_http::status::not_found);
  EXPECT_EQ(missing.body(), "");
}

TEST(StaticHandler, AnswersNotModifiedToAKnownVersion) {
  const std::string etag = make_etag(page);
  const std::string matching[] = {etag, "W/" + etag, "\"other\", " + etag, "*"};
  for (const auto& tag : matching) {
    SCOPED_TRACE(tag);
    auto req = make_request(beast_http::verb::get, "/");
    req.set(beast_http::field::if_none_match, tag);
    auto res = serve_static(site(), req);
    EXPECT_EQ(res.result(), beast_http::status::not_modified);
    EXPECT_EQ(res.body(), "");
    EXPECT_EQ(res[beast_http::field::etag], etag);
  }
  auto stale = make_request(beast_http::verb::get, "/");
  stale.set(beast_http::field::if_none_match, "\"0-0000000000000000\"");
  stale.set(beast_http::field::if_modified_since, last_modified);  // ignored beside If-None-Match
  EXPECT_EQ(serve_static(site(), stale).result(), beast_http::status::ok);

  auto since = make_request(beast_http::verb::get, "/");
  since.set(beast_http::field::if_modified_since, last_modified);
  EXPECT_EQ(serve_static(site(), since).result(), beast_http::status::not_modified);
  since.set(beast_http::field::if_modified_since, "Mon, 24 Nov 2025 18:00:00 GMT");
  EXPECT_EQ(serve_static(site(), since).result(), beast_http::status::ok);
}

TEST(StaticHandler, ServesTheClientBundleAsJavaScript) {
  auto res =
      serve_static(site(), make_request(beast_http::verb::get, "/socket.io/socket.io.min.js"));
  EXPECT_EQ(res.result(), beast_http::status::ok);
  EXPECT_EQ(res[beast_http::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ(res[beast_http::field::last_modified], "");
}

TEST(StaticHandler, RefusesWhatIsNotASiteFile) {
  struct refusal {
    beast_http::verb method;
    std::string_view target;
    beast_http::status status;
  };
  const refusal cases[] = {
      {beast_http::verb::get, "/missing.html", beast_http::status::not_found},
      {beast_http::verb::get, "/.git/config", beast_http::status::not_found},
      {beast_http::verb::get, "/../etc/passwd", beast_http::status::bad_request},
      {beast_http::verb::get, "/%2e%2e/etc/passwd", beast_http::status::bad_request},
      {beast_http::verb::get, "/index.html%00", beast_http::status::bad_request},
      {beast_http::verb::post, "/", beast_http::status::method_not_allowed},
      {beast_http::verb::put, "/index.html", beast_http::status::method_not_allowed},
      {beast_http::verb::delete_, "/index.html", beast_http::status::method_not_allowed},
      {beast_http::verb::options, "/", beast_http::status::method_not_allowed},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target);
    auto res = serve_static(site(), make_request(c.method, c.target));
    EXPECT_EQ(res.result(), c.status);
    EXPECT_EQ(res[beast_http::field::content_type], "text/plain; charset=utf-8");
    EXPECT_EQ(res[beast_http::field::etag], "");
    if (c.status == beast_http::status::method_not_allowed) {
      EXPECT_EQ(res[beast_http::field::allow], "GET, HEAD");
    }
  }
}

TEST(StaticHandler, RedirectsADirectoryToItsSlash) {
  auto content = site();
  content.add("admin/index.html",
              {"<p>admin</p>", content_type_for("index.html"), make_etag("<p>admin</p>"), ""});
  content.add("a b/index.html", {"x", content_type_for("index.html"), make_etag("x"), ""});
  struct redirect_case {
    std::string_view target;
    std::string_view location;
  };
  const redirect_case cases[] = {
      {"/admin", "/admin/"},
      {"/admin?lang=fr", "/admin/?lang=fr"},
      {"/a%20b", "/a%20b/"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target);
    auto res = serve_static(content, make_request(beast_http::verb::get, c.target));
    EXPECT_EQ(res.result(), beast_http::status::moved_permanently);
    EXPECT_EQ(res[beast_http::field::location], c.location);
    auto head = serve_static(content, make_request(beast_http::verb::head, c.target));
    EXPECT_EQ(head.result(), beast_http::status::moved_permanently);
    EXPECT_TRUE(head.body().empty());
  }
  EXPECT_EQ(serve_static(content, make_request(beast_http::verb::get, "/admin/")).body(),
            "<p>admin</p>");
  // Only a directory with an index.html; a file is never redirected.
  for (auto target : {"/admin/js", "/socket.io", "/index.html/", "/nope"}) {
    SCOPED_TRACE(target);
    EXPECT_EQ(serve_static(content, make_request(beast_http::verb::get, target)).result(),
              beast_http::status::not_found);
  }
}

TEST(StaticHandler, EmptySiteFindsNothing) {
  static_content empty;
  EXPECT_EQ(serve_static(empty, make_request(beast_http::verb::get, "/")).result(),
            beast_http::status::not_found);
}

TEST(StaticContent, FirstFileUnderAPathWins) {
  static_content content;
  EXPECT_TRUE(content.add("a.js", {"first", content_type_for("a.js"), make_etag("first"), ""}));
  EXPECT_FALSE(content.add("a.js", {"second", content_type_for("a.js"), make_etag("second"), ""}));
  ASSERT_NE(content.find("a.js"), nullptr);
  EXPECT_EQ(content.find("a.js")->body, "first");
  EXPECT_EQ(content.total_bytes(), 5u);
  EXPECT_NE(make_etag("first"), make_etag("firsT"));
  EXPECT_EQ(make_etag(""), "\"0-cbf29ce484222325\"");
}

}  // namespace
}  // namespace chorus::server::http
