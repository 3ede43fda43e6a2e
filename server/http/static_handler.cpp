#include "server/http/static_handler.hpp"

#include <optional>
#include <string>

#include "server/http/responses.hpp"
#include "server/http/static_path.hpp"

namespace chorus::server::http {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/"x" matches "x".
bool etag_matches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    auto comma = header.find(',');
    auto one = trim(header.substr(0, comma));
    if (one.starts_with("W/")) one.remove_prefix(2);
    if (one == "*" || one == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

bool not_modified(const request& req, const static_file& file) {
  auto if_none_match = req[beast_http::field::if_none_match];
  if (!if_none_match.empty()) return etag_matches(if_none_match, file.etag);
  // Browsers send back the Last-Modified they were given: an exact match is enough.
  auto since = req[beast_http::field::if_modified_since];
  return !since.empty() && !file.last_modified.empty() && trim(since) == file.last_modified;
}

void add_validators(response& res, const static_file& file) {
  res.set(beast_http::field::etag, file.etag);
  if (!file.last_modified.empty()) res.set(beast_http::field::last_modified, file.last_modified);
  res.set(beast_http::field::cache_control, "no-cache");
}

response make_error(const request& req, beast_http::status status) {
  response res = make_text(req, status, "text/plain; charset=utf-8",
                           std::string(beast_http::obsolete_reason(status)));
  if (status == beast_http::status::method_not_allowed)
    res.set(beast_http::field::allow, "GET, HEAD");
  return res;
}

response serve_file(const request& req, const static_file& file) {
  if (not_modified(req, file)) {
    response res{beast_http::status::not_modified, req.version()};
    res.keep_alive(req.keep_alive());
    add_validators(res, file);
    return res;
  }
  response res = make_text(req, beast_http::status::ok, file.content_type, file.body);
  add_validators(res, file);
  res.set("X-Content-Type-Options", "nosniff");
  return res;
}

// "%XX" for every byte of a decoded path but the unreserved ones and '/': what it echoes into
// Location is a plain relative path, never a scheme, host or header break.
std::string escape_path(std::string_view path) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

// A directory named without its trailing slash ("/admin" for admin/index.html) is sent to it
// with 301, its query kept, as serve-static (express.static) does: the page's relative asset
// paths only resolve from "/admin/".
std::optional<response> redirect_to_directory(const static_content& content, const request& req,
                                              const std::string& relative) {
  if (!content.find(relative + "/index.html")) return std::nullopt;
  std::string_view target = req.target();
  auto query = target.find('?');
  std::string location = "/" + escape_path(relative) + "/";
  if (query != std::string_view::npos) location += target.substr(query);
  response res = make_text(req, beast_http::status::moved_permanently, "text/plain; charset=utf-8",
                           "Redirecting to " + location);
  res.set(beast_http::field::location, location);
  return res;
}

response answer(const static_content& content, const request& req) {
  auto method = req.method();
  if (method != beast_http::verb::get && method != beast_http::verb::head)
    return make_error(req, beast_http::status::method_not_allowed);
  auto path = resolve_static_path(req.target());
  if (path.error == static_path_error::bad_request)
    return make_error(req, beast_http::status::bad_request);
  if (path.error != static_path_error::none) return make_error(req, beast_http::status::not_found);
  const static_file* file = content.find(path.relative);
  if (file) return serve_file(req, *file);
  if (auto redirect = redirect_to_directory(content, req, path.relative)) return *redirect;
  return make_error(req, beast_http::status::not_found);
}

}  // namespace

response serve_static(const static_content& content, const request& req) {
  response res = answer(content, req);
  // A HEAD answer keeps the GET answer's headers (Content-Length included) but sends no body.
  if (req.method() == beast_http::verb::head) res.body().clear();
  return res;
}

http_handler make_static_handler(std::shared_ptr<const static_content> content) {
  return [content = std::move(content)](const request& req) { return serve_static(*content, req); };
}

}  // namespace chorus::server::http
