#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/asio.hpp"
#include "server/http/connection.hpp"
#include "server/http/http_types.hpp"

namespace chorus::server::http {

// What serves the requests of one path. The HTTP session reads a request's header, finds its
// route and hands it over; the route reads the body itself (it may first move the connection to
// another shard).
struct route {
  std::string path;  // matched exactly, and also without its trailing slash
  std::function<awaitable<outcome>(connection&, request_parser_ptr)> serve;
  // A request whose declared body is over the limit is refused by the HTTP session (413); the
  // route hears of it (e.g. to end the session the body was meant for). Optional.
  std::function<void(shard&, const request&)> body_refused;
  // The access log notes the request's `transport` query parameter (polling or websocket).
  bool log_transport = false;
  // Also served to connections over --max-connections (http/over_limit.hpp): a liveness probe
  // must still be answered when the server is full.
  bool over_limit = false;
};

// The server's routes by path; what none claims goes to the application's handler. Filled before
// the server starts, read-only after.
class router {
 public:
  void add(route r) { routes_.push_back(std::move(r)); }
  // The route for a request target ("/path?query"), or null.
  const route* find(std::string_view target) const;

 private:
  std::vector<route> routes_;
};

}  // namespace chorus::server::http
