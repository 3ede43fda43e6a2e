#pragma once

#include <string>
#include <string_view>

namespace chorus::server::http {

// Why a request target names no servable file.
enum class static_path_error {
  none,
  bad_request,  // malformed or hostile: bad escape, NUL or control byte, '..', '.', '\', "//"
  not_found,    // well formed, but never a site file (a dotfile, over-long)
};

struct static_path {
  static_path_error error = static_path_error::none;
  // Relative to the web root, '/'-separated, never empty and never starting with '/';
  // a directory ("/" or "/docs/") names its index.html.
  std::string relative;
};

// Maps a request target ("/css/app.css?v=2") to the file it names, without touching the disk.
// Percent-escapes are decoded once; the decoded path must be plain segments (no '.', '..',
// empty, '\', NUL or control bytes, and no '/' that arrived escaped), so nothing can name a
// file above the root however it is spelled.
static_path resolve_static_path(std::string_view target);

// The Content-Type of a file, from its extension (application/octet-stream when unknown).
std::string_view content_type_for(std::string_view path);

}  // namespace chorus::server::http
