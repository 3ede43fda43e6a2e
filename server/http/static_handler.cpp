#include "server/http/static_handler.hpp"

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

response answer(const static_content& content, const request& req) {
  auto method = req.method();
  if (method != beast_http::verb::get && method != beast_http::verb::head)
    return make_error(req, beast_http::status::method_not_allowed);
  auto path = resolve_static_path(req.target());
  if (path.error == static_path_error::bad_request)
    return make_error(req, beast_http::status::bad_request);
  const static_file* file =
      path.error == static_path_error::none ? content.find(path.relative) : nullptr;
  if (!file) return make_error(req, beast_http::status::not_found);
  return serve_file(req, *file);
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
