#include "server/http/static_path.hpp"

#include <array>
#include <optional>
#include <utility>

namespace chorus::server::http {
namespace {

constexpr std::size_t max_target_bytes = 1024;

std::optional<int> hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

bool is_control(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equal_ignoring_case(std::string_view a, std::string_view lower_b) {
  if (a.size() != lower_b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower_b[i]) return false;
  return true;
}

// Appends one decoded segment, or says why it cannot be part of a site path.
static_path_error append_segment(std::string_view raw, std::string& out) {
  std::string segment;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      if (i + 2 >= raw.size()) return static_path_error::bad_request;
      auto high = hex_value(raw[i + 1]);
      auto low = hex_value(raw[i + 2]);
      if (!high || !low) return static_path_error::bad_request;
      c = static_cast<char>(*high * 16 + *low);
      i += 2;
      // An escaped '/' would join two segments into one name: refuse rather than guess.
      if (c == '/') return static_path_error::bad_request;
    }
    if (c == '\\' || is_control(static_cast<unsigned char>(c)))
      return static_path_error::bad_request;
    segment.push_back(c);
  }
  if (segment.empty() || segment == "." || segment == "..") return static_path_error::bad_request;
  if (segment.front() == '.') return static_path_error::not_found;  // .git, .env, …
  if (!out.empty()) out.push_back('/');
  out += segment;
  return static_path_error::none;
}

}  // namespace

static_path resolve_static_path(std::string_view target) {
  target = target.substr(0, target.find_first_of("?#"));
  if (target.empty() || target.front() != '/') return {static_path_error::bad_request, {}};
  if (target.size() > max_target_bytes) return {static_path_error::not_found, {}};
  target.remove_prefix(1);
  bool directory = target.empty() || target.back() == '/';
  if (!target.empty() && directory) target.remove_suffix(1);
  std::string relative;
  while (!target.empty()) {
    auto slash = target.find('/');
    auto error = append_segment(target.substr(0, slash), relative);
    if (error != static_path_error::none) return {error, {}};
    if (slash == std::string_view::npos) break;
    target.remove_prefix(slash + 1);
    if (target.empty()) return {static_path_error::bad_request, {}};  // "a//": empty segment
  }
  if (directory) relative += relative.empty() ? "index.html" : "/index.html";
  // The bound holds for the file named too: "/<1017 bytes>/" must not serve an index.html that
  // its own spelled-out path would not reach (found by fuzz_http_request).
  if (relative.size() >= max_target_bytes) return {static_path_error::not_found, {}};
  return {static_path_error::none, std::move(relative)};
}

std::string_view content_type_for(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> types{{
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
      {".txt", "text/plain; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
  }};
  auto slash = path.rfind('/');
  auto name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  auto extension = name.substr(dot);
  for (const auto& [ext, type] : types)
    if (equal_ignoring_case(extension, ext)) return type;
  return "application/octet-stream";
}

}  // namespace chorus::server::http
