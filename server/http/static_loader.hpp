#pragma once

#include <cstddef>
#include <string>

#include "server/http/static_content.hpp"

namespace chorus::server::http {

// Where the site comes from. Either may be empty (not served).
struct static_sources {
  std::string web_root;       // the page: every file under it, served from "/"
  std::string client_bundle;  // socket.io-client's dist/: its socket.io*.js(.map) files
  // Where the bundle's files appear, relative to the site root: the Engine.IO path's directory,
  // as the Node.js server serves /socket.io/socket.io.min.js ("socket.io/").
  std::string bundle_prefix = "socket.io/";
  // The Socket.IO Admin UI's built files (@socket.io/admin-ui's ui/dist/): every file under it,
  // served under admin_prefix ("/admin/", "/admin/js/app.<hash>.js"), only when serve_admin_ui
  // is set too (the admin namespace is on). The UI names its assets relative to its page and
  // routes by URL fragment, so it works under any prefix unchanged.
  std::string admin_ui_dir;
  bool serve_admin_ui = false;
  std::string admin_prefix = "admin/";
};

// Bounds on what is read into memory; past them files are skipped with a warning.
struct static_limits {
  std::size_t max_file_bytes = std::size_t{8} << 20;
  std::size_t max_total_bytes = std::size_t{64} << 20;
  std::size_t max_entries = 10'000;  // directory entries looked at
};

// Reads the site into memory once, at start-up, so shards never touch the disk. Under the web
// root and the Admin UI's directory it skips dotfiles, node_modules and npm's package files, and
// anything (a symlink) whose real path is outside its directory. A missing directory is logged and
// yields no files.
static_content load_static_content(const static_sources& sources, const static_limits& limits = {});

}  // namespace chorus::server::http
