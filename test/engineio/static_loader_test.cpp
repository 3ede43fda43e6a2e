#include "server/http/static_loader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace chorus::server::http {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A scratch directory with a web root and things around it that must not be served.
class StaticLoader : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("chorus-static-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    root_ = base_ / "web";
    write(root_ / "index.html", "<p>page</p>");
    write(root_ / "css/site.css", "p{}");
    write(root_ / ".env", "SECRET=1");
    write(root_ / "package.json", "{}");
    write(root_ / "node_modules/x/index.js", "x");
    write(root_ / "big.bin", std::string(2048, 'b'));
    write(base_ / "outside/secret.txt", "secret");
    write(base_ / "dist/socket.io.min.js", "/*min*/");
    write(base_ / "dist/socket.io.min.js.map", "{}");
    write(base_ / "dist/other.js", "no");
    fs::create_symlink(base_ / "outside/secret.txt", root_ / "escape.txt");
    fs::create_symlink("../outside/secret.txt", root_ / "relative-escape.txt");
    fs::create_symlink(base_ / "outside", root_ / "outdir");
    fs::create_symlink("index.html", root_ / "alias.html");
    fs::create_symlink(base_ / "missing", root_ / "dangling.html");
  }
  void TearDown() override { fs::remove_all(base_); }

  fs::path base_, root_;
};

TEST_F(StaticLoader, ReadsTheRootAndNothingOutsideIt) {
  static_limits limits;
  limits.max_file_bytes = 1024;
  auto content =
      load_static_content({root_.string(), (base_ / "dist").string(), "socket.io/"}, limits);
  ASSERT_NE(content.find("index.html"), nullptr);
  EXPECT_EQ(content.find("index.html")->body, "<p>page</p>");
  EXPECT_EQ(content.find("index.html")->content_type, "text/html; charset=utf-8");
  EXPECT_FALSE(content.find("index.html")->last_modified.empty());
  ASSERT_NE(content.find("css/site.css"), nullptr);
  ASSERT_NE(content.find("alias.html"), nullptr);  // a link that stays inside
  EXPECT_EQ(content.find("alias.html")->body, "<p>page</p>");
  ASSERT_NE(content.find("socket.io/socket.io.min.js"), nullptr);
  ASSERT_NE(content.find("socket.io/socket.io.min.js.map"), nullptr);
  for (auto refused :
       {".env", "package.json", "node_modules/x/index.js", "big.bin", "escape.txt",
        "relative-escape.txt", "outdir/secret.txt", "dangling.html", "socket.io/other.js"}) {
    SCOPED_TRACE(refused);
    EXPECT_EQ(content.find(refused), nullptr);
  }
  EXPECT_EQ(content.file_count(), 5u);
}

TEST_F(StaticLoader, ServesTheAdminUiUnderItsPrefixOnlyWhenOn) {
  write(base_ / "ui/index.html", "<p>admin</p>");
  write(base_ / "ui/js/app.1234.js", "app()");
  write(base_ / "ui/.hidden", "no");
  fs::create_symlink(base_ / "outside/secret.txt", base_ / "ui/escape.txt");
  static_sources sources{root_.string(), "", "socket.io/"};
  sources.admin_ui_dir = (base_ / "ui").string();
  EXPECT_EQ(load_static_content(sources).find("admin/index.html"), nullptr);  // off
  sources.serve_admin_ui = true;
  auto content = load_static_content(sources);
  ASSERT_NE(content.find("admin/index.html"), nullptr);
  EXPECT_EQ(content.find("admin/index.html")->body, "<p>admin</p>");
  ASSERT_NE(content.find("admin/js/app.1234.js"), nullptr);
  EXPECT_EQ(content.find("admin/js/app.1234.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(content.find("admin/.hidden"), nullptr);
  EXPECT_EQ(content.find("admin/escape.txt"), nullptr);
  EXPECT_NE(content.find("index.html"), nullptr);  // the page is still there
  sources.admin_ui_dir = "";
  EXPECT_EQ(load_static_content(sources).find("admin/index.html"), nullptr);
}

TEST_F(StaticLoader, StopsAtTheTotalBudget) {
  static_limits limits;
  limits.max_total_bytes = 12;  // index.html (11 bytes) fits, nothing else does
  auto content = load_static_content({root_.string(), "", "socket.io/"}, limits);
  EXPECT_LE(content.total_bytes(), 12u);
}

TEST_F(StaticLoader, MissingDirectoriesServeNothing) {
  auto content =
      load_static_content({(base_ / "nope").string(), (base_ / "nope2").string(), "socket.io/"});
  EXPECT_EQ(content.file_count(), 0u);
  EXPECT_EQ(load_static_content({"", "", "socket.io/"}).file_count(), 0u);
}

}  // namespace
}  // namespace chorus::server::http
