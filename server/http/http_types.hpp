#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>

namespace chorus::server::http {

namespace beast_http = boost::beast::http;
using request = beast_http::request<beast_http::string_body>;
using response = beast_http::response<beast_http::string_body>;

// An application's handler for plain HTTP requests (static files, health checks, …).
using http_handler = std::function<response(const request&)>;

}  // namespace chorus::server::http
