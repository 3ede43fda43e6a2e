#pragma once

// The head of an HTTP/1.1 response, as the long-polling transport needs it: status, body
// length, whether the connection stays open.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace chorus::bench {

struct http_response_head {
  enum class status { incomplete, complete, invalid };
  status state = status::incomplete;
  int code = 0;
  std::size_t head_size = 0;       // bytes up to and including the blank line
  std::size_t content_length = 0;  // Content-Length (required: chorus and Node.js send it)
  bool keep_alive = true;          // false on "Connection: close" (or HTTP/1.0 without keep-alive)
  std::string error;
};

// Parses the response head at the start of `data`; incomplete until the blank line arrives.
// Invalid: a bad status line, chunked encoding, or no Content-Length.
http_response_head parse_http_response_head(std::string_view data);

}  // namespace chorus::bench
