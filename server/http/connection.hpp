#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "server/asio.hpp"
#include "server/config.hpp"
#include "server/guard/connection_guard.hpp"
#include "server/http/client_stream.hpp"
#include "server/http/http_types.hpp"

namespace chorus::server {
class shard;
}

namespace chorus::server::http {

struct site;

// One HTTP connection being served on a shard.
struct connection {
  shard& home;
  const http::site& site;  // what it serves: the same wherever it moves
  client_stream stream;
  boost::beast::flat_buffer buffer;
  guard::connection_slot slot;  // travels with the socket: to another shard, into a WebSocket
  // The request being answered, for the access log; noted only while the log is on.
  std::string log_method;
  std::string log_target;
  std::chrono::steady_clock::time_point log_start{};
};

// What became of a connection after a request.
enum class outcome {
  keep_alive,  // answered; read the next request
  close,       // answered (or failed); close the connection
  taken,       // moved to another shard, or upgraded to WebSocket and already finished
};

// A parser for one request under the configured header and body bounds.
request_parser_ptr make_request_parser(const server_config& config);

// Keeps what the access log needs of a request whose header has been read (nothing when off).
void note_request(connection& conn, const request& header);

// Writes a response under the HTTP timeout; keep_alive when the connection may go on.
awaitable<outcome> write_response(connection& conn, response res);

// Reads the rest of a request whose header has been read. On a body over maxPayload it answers
// 413 and returns nullopt (the connection must then close), likewise on any read error.
awaitable<std::optional<request>> read_body(connection& conn, request_parser& parser);

// Hands the connection, with the request whose header it has read, to the shard that owns the
// request's session; the body (if any) is read there.
void migrate(connection& conn, shard& to, request_parser_ptr parser);

}  // namespace chorus::server::http
