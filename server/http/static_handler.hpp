#pragma once

#include <memory>

#include "server/http/http_types.hpp"
#include "server/http/static_content.hpp"

namespace chorus::server::http {

// Answers a plain HTTP request from the loaded site, with no disk access: GET and HEAD get the
// file (200, with ETag, Last-Modified and Cache-Control: no-cache so browsers revalidate) or 304
// when If-None-Match (else If-Modified-Since) matches; a directory named without its trailing
// slash ("/admin") gets 301 to it when it has an index.html; a hostile path gets 400, an unknown
// one 404, any other method 405.
response serve_static(const static_content& content, const request& req);

// serve_static as the server's handler for requests outside the Engine.IO path. The content is
// shared read-only by every shard.
http_handler make_static_handler(std::shared_ptr<const static_content> content);

}  // namespace chorus::server::http
