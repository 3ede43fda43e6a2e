#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>

namespace chorus::server::http {

namespace beast_http = boost::beast::http;
using request = beast_http::request<beast_http::string_body>;
using response = beast_http::response<beast_http::string_body>;
// A request being read: the header first (to route it), then the body. Held by pointer so it can
// move to another shard cheaply between the two.
using request_parser = beast_http::request_parser<beast_http::string_body>;
using request_parser_ptr = std::unique_ptr<request_parser>;

// An application's handler for plain HTTP requests (static files, health checks, …).
using http_handler = std::function<response(const request&)>;

}  // namespace chorus::server::http
