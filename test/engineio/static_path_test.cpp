#include "server/http/static_path.hpp"

#include <gtest/gtest.h>

namespace chorus::server::http {
namespace {

struct path_case {
  std::string_view target;
  static_path_error error;
  std::string_view relative;
};

TEST(StaticPath, MapsTargetsToFilesUnderTheRoot) {
  const path_case cases[] = {
      {"/", static_path_error::none, "index.html"},
      {"/?x=1", static_path_error::none, "index.html"},
      {"/index.html", static_path_error::none, "index.html"},
      {"/app.js?v=3#top", static_path_error::none, "app.js"},
      {"/css/site.css", static_path_error::none, "css/site.css"},
      {"/docs/", static_path_error::none, "docs/index.html"},
      {"/socket.io/socket.io.min.js", static_path_error::none, "socket.io/socket.io.min.js"},
      {"/a%20b.txt", static_path_error::none, "a b.txt"},
      {"/caf%C3%A9.html", static_path_error::none, "caf\xC3\xA9.html"},
      // Decoded once: a double escape is a (missing) file literally named "%2e%2e".
      {"/%252e%252e/x", static_path_error::none, "%2e%2e/x"},
      {"/a..b/c...", static_path_error::none, "a..b/c..."},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target);
    auto path = resolve_static_path(c.target);
    EXPECT_EQ(path.error, c.error);
    EXPECT_EQ(path.relative, c.relative);
  }
}

TEST(StaticPath, RefusesEveryWayOutOfTheRoot) {
  const std::string_view refused[] = {
      "/..",
      "/../etc/passwd",
      "/css/../../etc/passwd",
      "/./index.html",
      "/%2e%2e/etc/passwd",
      "/%2E%2E/%2e%2e/etc/passwd",
      "/.%2e/etc/passwd",
      "/%2e./x",
      "/css%2f..%2f..%2fetc%2fpasswd",
      "/..%2Fetc%2Fpasswd",
      "/..\\etc\\passwd",
      "/%5c..%5cetc%5cpasswd",
      "/a\\b",
      "//etc/passwd",
      "/css//site.css",
      "/index.html%00.png",
      "/a%0ab",
      "/a%7fb",
      "/a%",
      "/a%2",
      "/a%zz",
      "etc/passwd",
      "http://example.com/index.html",
      "*",
      "",
  };
  for (auto target : refused) {
    SCOPED_TRACE(target);
    auto path = resolve_static_path(target);
    EXPECT_EQ(path.error, static_path_error::bad_request);
    EXPECT_EQ(path.relative, "");
  }
}

// Fuzz finding (fuzz_http_request): a directory target just under the bound resolved to an
// index.html whose spelled-out path was refused as over-long. Both are refused now.
TEST(StaticPath, BoundsTheResolvedPathLikeItsSpelledOutTarget) {
  const std::string dir(1017, 'd');  // "/" + dir + "/" is 1019 bytes, within the bound
  const std::string as_directory = "/" + dir + "/";
  const std::string spelled_out = "/" + dir + "/index.html";
  EXPECT_EQ(resolve_static_path(spelled_out).error, static_path_error::not_found);
  auto path = resolve_static_path(as_directory);
  EXPECT_EQ(path.error, static_path_error::not_found);
  EXPECT_EQ(path.relative, "");
  // The longest that resolves, either way: 1023 bytes of relative path.
  const std::string fits(1023 - 11, 'f');
  EXPECT_EQ(resolve_static_path("/" + fits + "/").relative, fits + "/index.html");
  EXPECT_EQ(resolve_static_path("/" + fits + "/index.html").relative, fits + "/index.html");
}

TEST(StaticPath, HidesDotfilesAndOverlongTargets) {
  const std::string overlong = "/" + std::string(2000, 'a');
  const std::string_view hidden[] = {"/.git/config", "/.env", "/css/.secret", "/%2egit/HEAD",
                                     overlong};
  for (auto target : hidden) {
    SCOPED_TRACE(target.substr(0, 40));
    auto path = resolve_static_path(target);
    EXPECT_EQ(path.error, static_path_error::not_found);
    EXPECT_EQ(path.relative, "");
  }
}

TEST(StaticPath, ContentTypesFollowTheExtension) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"index.html", "text/html; charset=utf-8"},
      {"INDEX.HTM", "text/html; charset=utf-8"},
      {"socket.io/socket.io.min.js", "text/javascript; charset=utf-8"},
      {"app.mjs", "text/javascript; charset=utf-8"},
      {"style.css", "text/css; charset=utf-8"},
      {"socket.io/socket.io.min.js.map", "application/json; charset=utf-8"},
      {"manifest.json", "application/json; charset=utf-8"},
      {"logo.svg", "image/svg+xml"},
      {"logo.PNG", "image/png"},
      {"favicon.ico", "image/x-icon"},
      {"notes.txt", "text/plain; charset=utf-8"},
      {"archive.tar.gz", "application/octet-stream"},
      {"Makefile", "application/octet-stream"},
      {"dir.html/file", "application/octet-stream"},
      {"trailing.", "application/octet-stream"},
  };
  for (const auto& [path, type] : cases) {
    SCOPED_TRACE(path);
    EXPECT_EQ(content_type_for(path), type);
  }
}

}  // namespace
}  // namespace chorus::server::http
