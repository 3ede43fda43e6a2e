#include "server/http/static_loader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>

#include "server/http/static_path.hpp"

namespace chorus::server::http {
namespace {

namespace fs = std::filesystem;

// What may still be read.
struct budget {
  const static_limits& limits;
  std::size_t bytes = 0;
  std::size_t entries = 0;
};

std::string http_date(fs::file_time_type when) {
  auto seconds = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(
          std::chrono::file_clock::to_sys(when)));
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  // strftime's names are the C locale's, which chorus never changes: HTTP's English ones.
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return text;
}

std::optional<std::string> read_bounded(const fs::path& path, budget& left) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return std::nullopt;
  if (size > left.limits.max_file_bytes || left.bytes + size > left.limits.max_total_bytes) {
    spdlog::warn("static files: skipping {} ({} bytes): over the size limit", path.string(), size);
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::string body(size, '\0');
  if (!in.read(body.data(), static_cast<std::streamsize>(size))) return std::nullopt;
  left.bytes += size;
  return body;
}

// Reads `path` and adds it under `relative`; false when it could not be read.
bool add_file(static_content& content, const fs::path& path, std::string relative, budget& left) {
  auto body = read_bounded(path, left);
  if (!body) return false;
  std::error_code ec;
  auto mtime = fs::last_write_time(path, ec);
  static_file file{std::move(*body), content_type_for(relative), {}, ec ? "" : http_date(mtime)};
  file.etag = make_etag(file.body);
  content.add(std::move(relative), std::move(file));
  return true;
}

bool is_within(const fs::path& real, const fs::path& root) {
  auto [r, p] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
  return r == root.end() && p != real.end();
}

// Not site content: hidden files, npm's tree and npm's manifest files.
bool skipped(const fs::directory_entry& entry, int depth) {
  std::string name = entry.path().filename().string();
  if (name.starts_with('.') || name == "node_modules") return true;
  return depth == 0 && (name == "package.json" || name == "package-lock.json");
}

std::optional<fs::path> open_directory(const std::string& dir, const char* what) {
  std::error_code ec;
  fs::path real = fs::canonical(dir, ec);
  if (ec || !fs::is_directory(real, ec)) {
    spdlog::warn("static files: {} {} is not a readable directory: not served", what, dir);
    return std::nullopt;
  }
  return real;
}

// Every file under `dir`, served as `prefix` + its path relative to it ("" for the web root).
void load_tree(static_content& content, const std::string& dir, const std::string& prefix,
               const char* what, budget& left) {
  auto root = open_directory(dir, what);
  if (!root) return;
  std::error_code walk;  // the walk's own errors, kept apart from each entry's
  fs::recursive_directory_iterator it(*root, fs::directory_options::skip_permission_denied, walk);
  for (; !walk && it != fs::recursive_directory_iterator(); it.increment(walk)) {
    if (++left.entries > left.limits.max_entries) {
      spdlog::warn("static files: more than {} entries under {}: the rest is not served",
                   left.limits.max_entries, root->string());
      return;
    }
    const fs::directory_entry& entry = *it;
    std::error_code ec;
    if (skipped(entry, it.depth())) {
      if (entry.is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    // Follows a symlink; then only a link whose real path stays under the root is served.
    if (!entry.is_regular_file(ec)) continue;
    fs::path real = fs::weakly_canonical(entry.path(), ec);
    if (ec || !is_within(real, *root)) {
      spdlog::warn("static files: {} leads outside the {}: not served", entry.path().string(),
                   what);
      continue;
    }
    add_file(content, entry.path(),
             prefix + entry.path().lexically_relative(*root).generic_string(), left);
  }
  if (walk) spdlog::warn("static files: reading {}: {}", root->string(), walk.message());
}

bool is_bundle_file(const std::string& name) {
  return name.starts_with("socket.io") && (name.ends_with(".js") || name.ends_with(".js.map"));
}

void load_bundle(static_content& content, const static_sources& sources, budget& left) {
  auto dir = open_directory(sources.client_bundle, "client bundle");
  if (!dir) {
    spdlog::warn("static files: run scripts/setup.sh (npm ci in web/) for the client bundle");
    return;
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(*dir, ec)) {
    std::string name = entry.path().filename().string();
    std::error_code ignored;
    if (is_bundle_file(name) && entry.is_regular_file(ignored))
      add_file(content, entry.path(), sources.bundle_prefix + name, left);
  }
}

void load_admin_ui(static_content& content, const static_sources& sources, budget& left) {
  std::size_t before = content.file_count();
  load_tree(content, sources.admin_ui_dir, sources.admin_prefix, "admin UI directory", left);
  if (!content.find(sources.admin_prefix + "index.html"))
    spdlog::warn(
        "static files: no index.html under the admin UI directory {} (npm ci in web/ "
        "installs @socket.io/admin-ui): /{} is not served",
        sources.admin_ui_dir, sources.admin_prefix);
  spdlog::debug("static files: {} admin UI files", content.file_count() - before);
}

}  // namespace

static_content load_static_content(const static_sources& sources, const static_limits& limits) {
  static_content content;
  budget left{limits};
  // The bundle and the Admin UI first: their paths win over a web root file of the same name.
  if (!sources.client_bundle.empty()) load_bundle(content, sources, left);
  bool admin_ui = sources.serve_admin_ui && !sources.admin_ui_dir.empty();
  if (admin_ui) load_admin_ui(content, sources, left);
  if (!sources.web_root.empty()) load_tree(content, sources.web_root, "", "web root", left);
  spdlog::info(
      "static files: {} files, {} bytes (web root '{}', client bundle '{}', admin UI '{}')",
      content.file_count(), content.total_bytes(), sources.web_root, sources.client_bundle,
      admin_ui ? sources.admin_ui_dir : "");
  return content;
}

}  // namespace chorus::server::http
