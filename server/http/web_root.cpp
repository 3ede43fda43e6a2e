#include "server/http/web_root.hpp"

#include <cstdlib>
#include <filesystem>

namespace chorus::server::http {
namespace {

namespace fs = std::filesystem;

bool is_web_dir(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "index.html", ec);
}

// Where web/ is, whatever CHORUS_WEB_ROOT says.
fs::path find_web_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path dir = exe.parent_path();
    for (int up = 0; up <= 4 && !dir.empty(); ++up, dir = dir.parent_path()) {
      if (is_web_dir(dir / "web")) return dir / "web";
      if (dir == dir.root_path()) break;
    }
  }
#ifdef CHORUS_SOURCE_DIR
  if (fs::path source = fs::path(CHORUS_SOURCE_DIR) / "web"; is_web_dir(source)) return source;
#endif
  return {};
}

}  // namespace

std::string default_web_root() {
  // CLI11 ignores an empty environment variable; here it means "no page", as --web-root '' does.
  if (const char* env = std::getenv("CHORUS_WEB_ROOT"); env && !*env) return {};
  return find_web_dir().string();
}

std::string default_client_bundle() {
  fs::path web = find_web_dir();
  return web.empty() ? std::string() : (web / "node_modules/socket.io-client/dist").string();
}

std::string default_admin_ui_dir() {
  fs::path web = find_web_dir();
  return web.empty() ? std::string() : (web / "node_modules/@socket.io/admin-ui/ui/dist").string();
}

}  // namespace chorus::server::http
